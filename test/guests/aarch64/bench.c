// Compute benchmark: the same binary runs under QEMU TCG and on our model. It reports the counter ticks the
// loop took; on our model the counter advances one tick per retired instruction, so there the tick count is
// also the loop's instruction count (bench/cpu-aarch64.ts turns both into guest MIPS).
#include "lib.h"
#include "exc.h"

#define WORDS 4096
#define ROUNDS 1500
static uint32_t data[WORDS];
static uint8_t sieve[65536];

int main(void) {
  for (int i = 0; i < WORDS; i++) data[i] = (uint32_t)i * 2654435761u;
  __asm__ volatile("isb");
  uint64_t t0 = READ_SYSREG(cntvct_el0);
  uint32_t h = 2166136261u;
  for (int r = 0; r < ROUNDS; r++)
    for (int i = 0; i < WORDS; i++) { h = (h ^ data[i]) * 16777619u; data[i] = h + (uint32_t)r; }
  unsigned primes = 0;
  for (int rep = 0; rep < 50; rep++) {
    for (int i = 0; i < 65536; i++) sieve[i] = 1;
    primes = 0;
    for (int i = 2; i < 65536; i++) {
      if (!sieve[i]) continue;
      primes++;
      for (int j = i * 2; j < 65536; j += i) sieve[j] = 0;
    }
  }
  __asm__ volatile("isb");
  uint64_t t1 = READ_SYSREG(cntvct_el0);
  printf("bench: hash %x primes %u\n", h, primes);
  printf("bench: ticks %lu cntfrq %lu\n", t1 - t0, READ_SYSREG(cntfrq_el0));
  puts("bench: done\n");
  return 0;
}

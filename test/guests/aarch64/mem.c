// Loads and stores: every size and sign extension, every addressing mode with writeback, pairs, literals,
// exclusives with the monitor, acquire/release, prefetch. Prints loaded values and memory contents.
#include "lib.h"

static uint8_t buf[512] __attribute__((aligned(64)));
static uint64_t words[16] __attribute__((aligned(16)));

static void fill(void) {
  for (int i = 0; i < 512; i++) buf[i] = (uint8_t)(i * 37 + 0x81);
}

static uint64_t hash_buf(void) {
  uint64_t h = 0;
  for (int i = 0; i < 512; i++) { h ^= buf[i]; h = (h << 7) | (h >> 57); }
  return h;
}

int main(void) {
  puts("mem: start\n");
  fill();
  uint64_t a, b, c, d, base;

  // sizes and sign extension, unsigned offset
  __asm__ volatile(
      "ldrb %w0, [%4, #3]\n\t ldrsb %w1, [%4, #3]\n\t ldrsb %2, [%4, #3]\n\t ldrh %w3, [%4, #6]"
      : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(buf));
  printf("ldrb %lx ldrsb_w %lx ldrsb_x %lx ldrh %lx\n", a, b, c, d);
  __asm__ volatile(
      "ldrsh %w0, [%4, #6]\n\t ldrsh %1, [%4, #10]\n\t ldr %w2, [%4, #16]\n\t ldrsw %3, [%4, #20]"
      : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(buf));
  printf("ldrsh_w %lx ldrsh_x %lx ldr_w %lx ldrsw %lx\n", a, b, c, d);
  __asm__ volatile("ldr %0, [%2, #24]\n\t ldr %1, [%2, #4088 & 0x1f8]" : "=&r"(a), "=&r"(b) : "r"(buf));
  printf("ldr_x %lx %lx\n", a, b);

  // unscaled negative offsets
  __asm__ volatile("ldur %0, [%2, #-3]\n\t ldursh %w1, [%2, #-1]" : "=&r"(a), "=&r"(b) : "r"(buf + 64));
  printf("ldur %lx ldursh %lx\n", a, b);

  // pre/post index with writeback
  base = (uint64_t)(buf + 32);
  __asm__ volatile("ldr %0, [%2, #8]!\n\t ldrh %w1, [%2], #-6" : "=&r"(a), "=&r"(b), "+r"(base));
  printf("pre/post %lx %lx base+%ld\n", a, b, (long)(base - (uint64_t)buf));
  base = (uint64_t)(buf + 100);
  __asm__ volatile("strb %w1, [%0, #-1]!\n\t strh %w1, [%0], #5\n\t str %w1, [%0, #3]!\n\t str %1, [%0], #-9"
                   : "+r"(base) : "r"(0x1122334455667788ULL));
  printf("stores base+%ld hash %lx\n", (long)(base - (uint64_t)buf), hash_buf());

  // register offset with extensions
  int64_t idx = -2;
  uint32_t uidx = 5;
  __asm__ volatile("ldr %0, [%2, %w3, sxtw #3]\n\t ldrb %w1, [%2, %w4, uxtw]"
                   : "=&r"(a), "=&r"(b) : "r"(buf + 64), "r"(idx), "r"(uidx));
  printf("regoff sxtw %lx uxtw %lx\n", a, b);
  __asm__ volatile("ldrh %w0, [%2, %3, lsl #1]\n\t ldr %w1, [%2, %3]" : "=&r"(a), "=&r"(b) : "r"(buf), "r"(7ULL));
  printf("regoff lsl %lx plain %lx\n", a, b);
  __asm__ volatile("str %2, [%0, %1, lsl #3]\n\t strb %w2, [%0, %1]" :: "r"(buf + 256), "r"(3ULL), "r"(0xa5a5a5a5deadbeefULL) : "memory");
  printf("regoff store hash %lx\n", hash_buf());

  // pairs
  __asm__ volatile("ldp %0, %1, [%4, #16]\n\t ldp %w2, %w3, [%4, #-8]" : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d) : "r"(buf + 64));
  printf("ldp %lx %lx %lx %lx\n", a, b, c, d);
  __asm__ volatile("ldpsw %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(buf + 8));
  printf("ldpsw %lx %lx\n", a, b);
  base = (uint64_t)words;
  __asm__ volatile("stp %1, %2, [%0, #16]!\n\t stp %w2, %w1, [%0], #32\n\t stnp %1, %1, [%0]\n\t ldnp %1, %2, [%0, #-32]"
                   : "+r"(base), "+r"(a), "+r"(b) :: "memory");
  printf("stp/ldnp base+%ld %lx %lx | %lx %lx %lx %lx %lx\n", (long)(base - (uint64_t)words), a, b, words[2], words[3], words[4], words[6], words[7]);

  // literals
  __asm__ volatile("ldr %0, =0x0123456789abcdef\n\t ldr %w1, 1f\n\t ldrsw %2, 1f\n\t b 2f\n\t .align 2\n1: .word 0x87654321\n2:"
                   : "=&r"(a), "=&r"(b), "=&r"(c));
  printf("literal %lx %lx %lx\n", a, b, c);

  // exclusives
  uint64_t st1, st2, st3;
  words[0] = 5;
  __asm__ volatile("ldxr %0, [%3]\n\t add %0, %0, #1\n\t stxr %w1, %0, [%3]\n\t stxr %w2, %0, [%3]"
                   : "=&r"(a), "=&r"(st1), "=&r"(st2) : "r"(words) : "memory");
  __asm__ volatile("ldaxr %0, [%2]\n\t clrex\n\t stlxr %w1, %0, [%2]" : "=&r"(b), "=&r"(st3) : "r"(words) : "memory");
  printf("excl val %lx status %lu %lu %lu mem %lx\n", a, st1, st2, st3, words[0]);
  __asm__ volatile("ldxrb %w0, [%3]\n\t stxrb %w1, %w4, [%3]\n\t ldaxrh %w2, [%3]\n\t stlxrh %w1, %w2, [%3]"
                   : "=&r"(a), "=&r"(st1), "=&r"(b) : "r"(buf + 2), "r"(0x77) : "memory");
  printf("excl b/h %lx %lx %lu\n", a, b, st1);
  __asm__ volatile("ldxp %0, %1, [%3]\n\t stxp %w2, %1, %0, [%3]" : "=&r"(a), "=&r"(b), "=&r"(st1) : "r"(words + 4) : "memory");
  printf("excl pair %lx %lx %lu -> %lx %lx\n", a, b, st1, words[4], words[5]);

  // acquire / release
  __asm__ volatile("stlr %2, [%3]\n\t ldar %0, [%3]\n\t stlrb %w2, [%4]\n\t ldarh %w1, [%4]"
                   : "=&r"(a), "=&r"(b) : "r"(0xfeedfacecafef00dULL), "r"(words + 8), "r"(buf + 4) : "memory");
  printf("acq/rel %lx %lx\n", a, b);

  // prefetch is a no-op, even to an address that is not memory
  __asm__ volatile("prfm pldl1keep, [%0]\n\t prfm pstl2strm, [%0, #64]\n\t prfum plil3keep, [%0, #-1]" :: "r"(0x7000000000ULL));
  puts("prfm ok\n");

  // compiled copy loops of every size
  for (int n = 0; n < 40; n++) {
    volatile uint8_t *s = buf + 300, *t = buf + 3;
    for (int i = 0; i < n; i++) t[i] = s[i + n];
  }
  printf("copy hash %lx\n", hash_buf());
  puts("mem: done\n");
  return 0;
}

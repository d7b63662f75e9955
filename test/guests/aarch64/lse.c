// Armv8.1 LSE atomics (run on QEMU -cpu max and our "max" model): CAS in every size and ordering, CASP,
// the LD<op> family with every operation and size, SWP, and the ST<op> aliases.
#include "lib.h"
#include "exc.h"

static uint64_t mem[8] __attribute__((aligned(64)));

#define ATOMIC(name, insn, init, operand) do {                                         \
    mem[0] = (init);                                                                    \
    uint64_t old;                                                                       \
    __asm__ volatile(insn : "=&r"(old) : "r"(operand), "r"(mem) : "memory");          \
    printf("%s old %lx new %lx\n", name, old, mem[0]);                                 \
  } while (0)

int main(void) {
  puts("lse: start\n");
  printf("isar0.atomic %lu\n", (READ_SYSREG(id_aa64isar0_el1) >> 20) & 0xf);
  const uint64_t A = 0x8000000180000001ULL, B = 0x7fffffff00000005ULL;
  ATOMIC("ldadd", "ldadd %1, %0, [%2]", A, B);
  ATOMIC("ldadda_w", "ldadda %w1, %w0, [%2]", A, B);
  ATOMIC("ldaddlb", "ldaddlb %w1, %w0, [%2]", 0xfful, 0x02ul);
  ATOMIC("ldaddalh", "ldaddalh %w1, %w0, [%2]", 0xfffful, 0x0102ul);
  ATOMIC("ldclr", "ldclr %1, %0, [%2]", A, B);
  ATOMIC("ldeor_w", "ldeor %w1, %w0, [%2]", A, B);
  ATOMIC("ldset", "ldset %1, %0, [%2]", A, B);
  ATOMIC("ldsmax", "ldsmax %1, %0, [%2]", A, B);
  ATOMIC("ldsmin", "ldsmin %1, %0, [%2]", A, B);
  ATOMIC("ldumax", "ldumax %1, %0, [%2]", A, B);
  ATOMIC("ldumin", "ldumin %1, %0, [%2]", A, B);
  ATOMIC("ldsmax_w", "ldsmax %w1, %w0, [%2]", A, B);
  ATOMIC("ldsminb", "ldsminb %w1, %w0, [%2]", 0x80ul, 0x7ful);
  ATOMIC("ldumaxh", "ldumaxh %w1, %w0, [%2]", 0x8000ul, 0x7ffful);
  ATOMIC("swp", "swp %1, %0, [%2]", A, B);
  ATOMIC("swpal_w", "swpal %w1, %w0, [%2]", A, B);
  ATOMIC("swpb", "swpb %w1, %w0, [%2]", A, B);
  ATOMIC("stadd", "mov %0, #0\n\tstadd %1, [%2]", A, B);
  ATOMIC("stclrl_w", "mov %0, #0\n\tstclrl %w1, [%2]", A, B);

  uint64_t exp, res;
  mem[1] = 0x1111;
  exp = 0x1111;
  __asm__ volatile("cas %0, %2, [%3]" : "+r"(exp) : "r"(0x2222UL), "r"(0), "r"(mem + 1) : "memory");
  __asm__ volatile("mov %0, %1\n\tcasal %0, %2, [%3]" : "=&r"(res) : "r"(0x5555UL), "r"(0x3333UL), "r"(mem + 1) : "memory");
  printf("cas hit old %lx miss old %lx mem %lx\n", exp, res, mem[1]);
  mem[2] = 0xaabbccdd;
  exp = 0xdd;
  __asm__ volatile("casb %w0, %w1, [%2]" : "+r"(exp) : "r"(0x11), "r"(mem + 2) : "memory");
  printf("casb old %lx mem %lx\n", exp, mem[2]);
  exp = 0xaabb;
  __asm__ volatile("casah %w0, %w1, [%2]" : "+r"(exp) : "r"(0x99), "r"((uint8_t *)(mem + 2) + 2) : "memory");
  printf("casah old %lx mem %lx\n", exp, mem[2]);
  exp = 0xaabb1111;
  __asm__ volatile("casl %w0, %w1, [%2]" : "+r"(exp) : "r"(0x12345678), "r"(mem + 2) : "memory");
  printf("casl_w old %lx mem %lx\n", exp, mem[2]);

  mem[4] = 10; mem[5] = 20;
  register uint64_t x0 __asm__("x0") = 10, x1 __asm__("x1") = 20, x2 __asm__("x2") = 30, x3 __asm__("x3") = 40;
  __asm__ volatile("casp x0, x1, x2, x3, [%4]" : "+r"(x0), "+r"(x1) : "r"(x2), "r"(x3), "r"(mem + 4) : "memory");
  printf("casp old %lx %lx mem %lx %lx\n", x0, x1, mem[4], mem[5]);
  puts("lse: done\n");
  return 0;
}

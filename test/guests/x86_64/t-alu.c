/* ALU instructions: results and defined flags for ADD/ADC/SUB/SBB/CMP/AND/OR/XOR/TEST/INC/DEC/NEG/NOT
 * in all four operand sizes over a table of boundary and pseudo-random operands; one digest line per
 * instruction and size. */
#include "rt.h"

static const u64 vals[] = {
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
  0x100000000UL, 0x7fffffffffffffffUL, 0x8000000000000000UL, 0xffffffffffffffffUL, 0xfffffffffffffffeUL,
  0x123456789abcdef0UL, 0x0f0f0f0f0f0f0f0fUL, 0xdeadbeefcafebabeUL, 0x5555555555555555UL, 0x8000000000000001UL,
};
#define NV (sizeof(vals) / sizeof(vals[0]))
#define ALLF 0x8d5UL
#define NOAF 0x8c5UL

#define OP2(name, insn, T)                                                                         \
  static u64 name(u64 a, u64 b, u64 fin, u64 *fo) {                                                \
    T x = (T)a, y = (T)b;                                                                          \
    u64 f;                                                                                         \
    __asm__ volatile("push %[fi]\n\tpopfq\n\t" insn " %[y], %[x]\n\tpushfq\n\tpop %[f]"            \
                     : [x] "+r"(x), [f] "=&r"(f) : [y] "r"(y), [fi] "r"(fin) : "cc");               \
    *fo = f;                                                                                       \
    return (u64)x;                                                                                 \
  }
#define OP1(name, insn, T)                                                                         \
  static u64 name(u64 a, u64 b, u64 fin, u64 *fo) {                                                \
    T x = (T)a;                                                                                    \
    u64 f;                                                                                         \
    (void)b;                                                                                       \
    __asm__ volatile("push %[fi]\n\tpopfq\n\t" insn " %[x]\n\tpushfq\n\tpop %[f]"                  \
                     : [x] "+r"(x), [f] "=&r"(f) : [fi] "r"(fin) : "cc");                           \
    *fo = f;                                                                                       \
    return (u64)x;                                                                                 \
  }
/* memory-destination forms exercise read-modify-write through the TLB */
#define OPM(name, insn, T)                                                                         \
  static u64 name(u64 a, u64 b, u64 fin, u64 *fo) {                                                \
    volatile T x = (T)a;                                                                           \
    T y = (T)b;                                                                                    \
    u64 f;                                                                                         \
    __asm__ volatile("push %[fi]\n\tpopfq\n\t" insn " %[y], %[x]\n\tpushfq\n\tpop %[f]"            \
                     : [x] "+m"(x), [f] "=&r"(f) : [y] "r"(y), [fi] "r"(fin) : "cc");               \
    *fo = f;                                                                                       \
    return (u64)x;                                                                                 \
  }

#define SIZES(M, base, insn) M(base##8, insn, u8) M(base##16, insn, u16) M(base##32, insn, u32) M(base##64, insn, u64)
SIZES(OP2, add, "add") SIZES(OP2, adc, "adc") SIZES(OP2, sub, "sub") SIZES(OP2, sbb, "sbb")
SIZES(OP2, cmp, "cmp") SIZES(OP2, and, "and") SIZES(OP2, or, "or") SIZES(OP2, xor, "xor")
SIZES(OP2, test, "test") SIZES(OP1, inc, "inc") SIZES(OP1, dec, "dec") SIZES(OP1, neg, "neg")
SIZES(OP1, not, "not") SIZES(OPM, addm, "add") SIZES(OPM, subm, "sub") SIZES(OPM, xorm, "xor")
SIZES(OP2, xadd, "xadd")

typedef u64 (*opfn)(u64, u64, u64, u64 *);
struct test { const char *name; opfn f[4]; u64 mask; };
#define T4(n, base, m) { n, { base##8, base##16, base##32, base##64 }, m }
static const struct test tests[] = {
  T4("add", add, ALLF), T4("adc", adc, ALLF), T4("sub", sub, ALLF), T4("sbb", sbb, ALLF),
  T4("cmp", cmp, ALLF), T4("and", and, NOAF), T4("or", or, NOAF), T4("xor", xor, NOAF),
  T4("test", test, NOAF), T4("inc", inc, ALLF), T4("dec", dec, ALLF), T4("neg", neg, ALLF),
  T4("not", not, ALLF), T4("add-mem", addm, ALLF), T4("sub-mem", subm, ALLF), T4("xor-mem", xorm, NOAF),
  T4("xadd", xadd, ALLF),
};

int test_main(void) {
  rt_puts("t-alu\n");
  for (unsigned t = 0; t < sizeof(tests) / sizeof(tests[0]); t++) {
    for (int s = 0; s < 4; s++) {
      u64 h = FNV_INIT;
      for (unsigned i = 0; i < NV; i++)
        for (unsigned j = 0; j < NV; j++)
          for (u64 cin = 0; cin < 2; cin++) {
            u64 f;
            u64 r = tests[t].f[s](vals[i], vals[j], 0x2 | cin, &f);
            h = mix(h, r);
            h = mix(h, f & tests[t].mask);
          }
      rt_printf("%s%d: %016lx\n", tests[t].name, 8 << s, h);
    }
  }
  /* a few explicit lines so a mismatch is readable */
  u64 f;
  u64 r = add64(0x7fffffffffffffffUL, 1, 0x2, &f);
  rt_printf("add64 max+1 = %lx flags %lx\n", r, f & ALLF);
  r = sub32(0, 1, 0x2, &f);
  rt_printf("sub32 0-1 = %lx flags %lx\n", r, f & ALLF);
  r = sbb8(0x80, 0x7f, 0x3, &f);
  rt_printf("sbb8 80-7f-1 = %lx flags %lx\n", r, f & ALLF);
  return 0;
}

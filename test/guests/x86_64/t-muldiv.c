/* MUL/IMUL (one, two and three operands), DIV/IDIV in all sizes, including #DE on divide by zero and on
 * quotient overflow. Flags: CF/OF for multiplies; none for divides. */
#include "rt.h"

static const u64 vals[] = { 0, 1, 2, 3, 7, 10, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
  0xffffffff, 0x100000000UL, 0x7fffffffffffffffUL, 0x8000000000000000UL, 0xffffffffffffffffUL,
  0x123456789abcdef0UL, 0xfedcba9876543210UL, 0x00000000deadbeefUL, 0x0000000100000001UL };
#define NV (sizeof(vals) / sizeof(vals[0]))

struct r2 { u64 a, d, f; };
#define MUL1(name, insn, T, reg_a, reg_d)                                                          \
  static struct r2 name(u64 a, u64 b) {                                                            \
    struct r2 r; T x = (T)a, y = (T)b; u64 d = 0, f;                                               \
    __asm__ volatile(insn " %[y]\n\tpushfq\n\tpop %[f]" : "+a"(x), "+d"(d), [f] "=&r"(f) : [y] "r"(y) : "cc"); \
    r.a = (u64)x; r.d = d; r.f = f & 0x801; return r;                                              \
  }
MUL1(mul8, "mulb", u8, a, d) MUL1(mul16, "mulw", u16, a, d) MUL1(mul32, "mull", u32, a, d) MUL1(mul64, "mulq", u64, a, d)
MUL1(imul8, "imulb", u8, a, d) MUL1(imul16, "imulw", u16, a, d) MUL1(imul32, "imull", u32, a, d) MUL1(imul64, "imulq", u64, a, d)

#define IMUL2(name, T)                                                                             \
  static struct r2 name(u64 a, u64 b) {                                                            \
    struct r2 r; T x = (T)a, y = (T)b; u64 f;                                                      \
    __asm__ volatile("imul %[y], %[x]\n\tpushfq\n\tpop %[f]" : [x] "+r"(x), [f] "=&r"(f) : [y] "r"(y) : "cc"); \
    r.a = (u64)x; r.d = 0; r.f = f & 0x801; return r;                                              \
  }
IMUL2(imul2_16, u16) IMUL2(imul2_32, u32) IMUL2(imul2_64, u64)

static struct r2 imul3_64(u64 a, u64 b) {
  struct r2 r; u64 f, x;
  (void)b;
  __asm__ volatile("imul $-12345, %[a], %[x]\n\tpushfq\n\tpop %[f]" : [x] "=r"(x), [f] "=&r"(f) : [a] "r"(a) : "cc");
  r.a = x; r.d = 0; r.f = f & 0x801; return r;
}

#define DIV(name, insn, T)                                                                         \
  static struct r2 name(u64 a, u64 b) {                                                            \
    struct r2 r; T x = (T)a, y = (T)b; T d = (T)(a >> 3);                                          \
    __asm__ volatile(insn " %[y]" : "+a"(x), "+d"(d) : [y] "r"(y) : "cc");                          \
    r.a = (u64)x; r.d = (u64)d; r.f = 0; return r;                                                 \
  }
DIV(div16, "divw", u16) DIV(div32, "divl", u32) DIV(div64, "divq", u64)
DIV(idiv16, "idivw", u16) DIV(idiv32, "idivl", u32) DIV(idiv64, "idivq", u64)
static struct r2 div8(u64 a, u64 b) {
  struct r2 r; u16 x = (u16)a; u8 y = (u8)b;
  __asm__ volatile("divb %[y]" : "+a"(x) : [y] "q"(y) : "cc");
  r.a = x; r.d = 0; r.f = 0; return r;
}
static struct r2 idiv8(u64 a, u64 b) {
  struct r2 r; u16 x = (u16)a; u8 y = (u8)b;
  __asm__ volatile("idivb %[y]" : "+a"(x) : [y] "q"(y) : "cc");
  r.a = x; r.d = 0; r.f = 0; return r;
}

typedef struct r2 (*fn)(u64, u64);
static const struct { const char *n; fn f; } muls[] = {
  { "mul8", mul8 }, { "mul16", mul16 }, { "mul32", mul32 }, { "mul64", mul64 }, { "imul8", imul8 },
  { "imul16", imul16 }, { "imul32", imul32 }, { "imul64", imul64 }, { "imul2-16", imul2_16 },
  { "imul2-32", imul2_32 }, { "imul2-64", imul2_64 }, { "imul3-64", imul3_64 },
};
static const struct { const char *n; fn f; } divs[] = {
  { "div8", div8 }, { "div16", div16 }, { "div32", div32 }, { "div64", div64 },
  { "idiv8", idiv8 }, { "idiv16", idiv16 }, { "idiv32", idiv32 }, { "idiv64", idiv64 },
};

static fn cur_div;
static u64 cur_a, cur_b;
static struct r2 cur_res;
static void call_div(long unused) { (void)unused; cur_res = cur_div(cur_a, cur_b); }

int test_main(void) {
  rt_puts("t-muldiv\n");
  for (unsigned t = 0; t < sizeof(muls) / sizeof(muls[0]); t++) {
    u64 h = FNV_INIT;
    for (unsigned i = 0; i < NV; i++)
      for (unsigned j = 0; j < NV; j++) {
        struct r2 r = muls[t].f(vals[i], vals[j]);
        h = mix(mix(mix(h, r.a), r.d), r.f);
      }
    rt_printf("%s: %016lx\n", muls[t].n, h);
  }
  for (unsigned t = 0; t < sizeof(divs) / sizeof(divs[0]); t++) {
    u64 h = FNV_INIT;
    unsigned faults = 0;
    for (unsigned i = 0; i < NV; i++)
      for (unsigned j = 0; j < NV; j++) {
        cur_div = divs[t].f; cur_a = vals[i] * 0x9e3779b97f4a7c15UL + vals[j]; cur_b = vals[j];
        long v = try_call(call_div, 0);
        if (v) { faults++; h = mix(h, v - 1); continue; }
        h = mix(mix(h, cur_res.a), cur_res.d);
      }
    rt_printf("%s: %016lx faults=%u\n", divs[t].n, h, faults);
  }
  return 0;
}

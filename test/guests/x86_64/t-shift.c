/* Shifts and rotates (immediate, CL, by 1) in all sizes, SHLD/SHRD; defined flags only (OF for count 1,
 * AF never, CF only for counts below the operand width). */
#include "rt.h"

static const u64 vals[] = { 0, 1, 0x80, 0x81, 0x7f, 0x8000, 0xffff, 0x80000001, 0xffffffff, 0x8000000000000000UL,
  0xffffffffffffffffUL, 0x123456789abcdef0UL, 0xdeadbeefcafebabeUL, 0x00000000c0000003UL };
#define NV (sizeof(vals) / sizeof(vals[0]))

#define SH(name, insn, T)                                                                          \
  static u64 name(u64 a, u64 c, u64 fin, u64 *fo) {                                                \
    T x = (T)a;                                                                                    \
    u64 f;                                                                                         \
    __asm__ volatile("push %[fi]\n\tpopfq\n\t" insn " %%cl, %[x]\n\tpushfq\n\tpop %[f]"            \
                     : [x] "+r"(x), [f] "=&r"(f) : "c"(c), [fi] "r"(fin) : "cc");                   \
    *fo = f;                                                                                       \
    return (u64)x;                                                                                 \
  }
#define SIZES(base, insn) SH(base##8, insn, u8) SH(base##16, insn, u16) SH(base##32, insn, u32) SH(base##64, insn, u64)
SIZES(shl, "shl") SIZES(shr, "shr") SIZES(sar, "sar") SIZES(rol, "rol") SIZES(ror, "ror") SIZES(rcl, "rcl") SIZES(rcr, "rcr")

typedef u64 (*fn)(u64, u64, u64, u64 *);
struct t { const char *name; fn f[4]; u64 mask; };
#define T4(n, b, m) { n, { b##8, b##16, b##32, b##64 }, m }
static const struct t tests[] = {
  T4("shl", shl, 0xc5), T4("shr", shr, 0xc5), T4("sar", sar, 0xc5),
  T4("rol", rol, 0x1), T4("ror", ror, 0x1), T4("rcl", rcl, 0x1), T4("rcr", rcr, 0x1),
};

static u64 shld64(u64 a, u64 b, u64 c, u64 *fo) {
  u64 f;
  __asm__ volatile("push $0x2\n\tpopfq\n\tshld %%cl, %[b], %[a]\n\tpushfq\n\tpop %[f]" : [a] "+r"(a), [f] "=&r"(f) : [b] "r"(b), "c"(c) : "cc");
  *fo = f;
  return a;
}
static u64 shrd32(u64 a, u64 b, u64 c, u64 *fo) {
  u32 x = a, y = b;
  u64 f;
  __asm__ volatile("push $0x2\n\tpopfq\n\tshrd %%cl, %[b], %[a]\n\tpushfq\n\tpop %[f]" : [a] "+r"(x), [f] "=&r"(f) : [b] "r"(y), "c"(c) : "cc");
  *fo = f;
  return x;
}

int test_main(void) {
  rt_puts("t-shift\n");
  for (unsigned t = 0; t < sizeof(tests) / sizeof(tests[0]); t++)
    for (int s = 0; s < 4; s++) {
      u64 h = FNV_INIT;
      int width = 8 << s;
      for (unsigned i = 0; i < NV; i++)
        for (u64 c = 0; c < 70; c++)
          for (u64 cin = 0; cin < 2; cin++) {
            u64 f;
            u64 r = tests[t].f[s](vals[i], c, 0x2 | cin, &f);
            u64 mc = c & (width == 64 ? 63 : 31);
            u64 m = tests[t].mask;
            if (mc == 1) m |= 0x800;
            if (t < 3 && mc >= (u64)width) m &= ~1UL; /* CF undefined when count >= width */
            if (t >= 5 && width < 32) m = 0;        /* RCL/RCR 8/16: mod 9/17 results only */
            h = mix(h, r);
            h = mix(h, f & m);
          }
      rt_printf("%s%d: %016lx\n", tests[t].name, width, h);
    }
  u64 h = FNV_INIT;
  for (unsigned i = 0; i < NV; i++)
    for (unsigned j = 0; j < NV; j++)
      for (u64 c = 1; c < 64; c += 5) {
        u64 f;
        h = mix(h, shld64(vals[i], vals[j], c, &f));
        h = mix(h, f & (c == 1 ? 0x8c5 : 0xc5));
        if (c < 32) { h = mix(h, shrd32(vals[i], vals[j], c, &f)); h = mix(h, f & (c == 1 ? 0x8c5 : 0xc5)); }
      }
  rt_printf("shld/shrd: %016lx\n", h);
  return 0;
}

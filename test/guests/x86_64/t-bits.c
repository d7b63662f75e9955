/* Bit instructions: BT/BTS/BTR/BTC (register and memory forms, immediate and register offsets incl.
 * offsets beyond the operand), BSF/BSR, TZCNT/LZCNT/POPCNT, BSWAP, MOVZX/MOVSX/MOVSXD, CBW..CQO,
 * SETcc/CMOVcc for all 16 conditions, CMPXCHG/CMPXCHG8B/CMPXCHG16B, XCHG, LOCK forms. */
#include "rt.h"

static const u64 vals[] = { 0, 1, 0x80, 0x8000, 0x80000000, 0x8000000000000000UL, 0xffffffffffffffffUL,
  0x123456789abcdef0UL, 0x0000000100000000UL, 0xf0, 0x00ff00ff00ff00ffUL, 0x7fffffffffffffffUL };
#define NV (sizeof(vals) / sizeof(vals[0]))

static u64 h;
static void put(u64 v) { h = mix(h, v); }

#define SCAN(name, insn, T, fmask)                                                                 \
  static void name(u64 a) {                                                                        \
    T x = (T)a, r = (T)0x5a5a5a5a5a5a5a5aUL;                                                       \
    u64 f;                                                                                         \
    __asm__ volatile("push $2\n\tpopfq\n\t" insn " %[x], %[r]\n\tpushfq\n\tpop %[f]"               \
                     : [r] "+r"(r), [f] "=&r"(f) : [x] "r"(x) : "cc");                              \
    put(f & fmask);                                                                                \
    if (x || fmask != 0x40) put((u64)r);                                                           \
  }
SCAN(bsf16, "bsf", u16, 0x40) SCAN(bsf32, "bsf", u32, 0x40) SCAN(bsf64, "bsf", u64, 0x40)
SCAN(bsr16, "bsr", u16, 0x40) SCAN(bsr32, "bsr", u32, 0x40) SCAN(bsr64, "bsr", u64, 0x40)
SCAN(tzcnt16, "tzcnt", u16, 0x41) SCAN(tzcnt32, "tzcnt", u32, 0x41) SCAN(tzcnt64, "tzcnt", u64, 0x41)
SCAN(lzcnt16, "lzcnt", u16, 0x41) SCAN(lzcnt32, "lzcnt", u32, 0x41) SCAN(lzcnt64, "lzcnt", u64, 0x41)
SCAN(popcnt16, "popcnt", u16, 0x8d5) SCAN(popcnt32, "popcnt", u32, 0x8d5) SCAN(popcnt64, "popcnt", u64, 0x8d5)

#define BTR(name, insn, T)                                                                         \
  static void name(u64 a, u64 bit) {                                                               \
    T x = (T)a, b = (T)bit;                                                                        \
    u64 f;                                                                                         \
    __asm__ volatile(insn " %[b], %[x]\n\tpushfq\n\tpop %[f]" : [x] "+r"(x), [f] "=&r"(f) : [b] "r"(b) : "cc"); \
    put(x); put(f & 1);                                                                            \
  }
BTR(bt64, "bt", u64) BTR(bts64, "bts", u64) BTR(btr32, "btr", u32) BTR(btc16, "btc", u16)

static u64 mem[8];
static void btmem(long off) {
  u64 f;
  __asm__ volatile("lock btsq %[o], %[m]\n\tpushfq\n\tpop %[f]" : [m] "+m"(mem[4]), [f] "=&r"(f) : [o] "r"(off) : "cc", "memory");
  put(f & 1);
  __asm__ volatile("btcl %[o], %[m]\n\tpushfq\n\tpop %[f]" : [m] "+m"(mem[4]), [f] "=&r"(f) : [o] "r"((int)off) : "cc", "memory");
  put(f & 1);
  __asm__ volatile("btrq $37, %[m]\n\tpushfq\n\tpop %[f]" : [m] "+m"(mem[2]), [f] "=&r"(f) : : "cc", "memory");
  put(f & 1);
}

static void conv(u64 a) {
  u64 r;
  __asm__("movsbq %b1, %0" : "=r"(r) : "r"(a)); put(r);
  __asm__("movswq %w1, %0" : "=r"(r) : "r"(a)); put(r);
  __asm__("movslq %k1, %0" : "=r"(r) : "r"(a)); put(r);
  __asm__("movzbl %b1, %k0" : "=r"(r) : "r"(a)); put(r);
  __asm__("movzwq %w1, %0" : "=r"(r) : "r"(a)); put(r);
  r = a; __asm__("cbtw" : "+a"(r)); put(r);
  r = a; __asm__("cwtl" : "+a"(r)); put(r);
  r = a; __asm__("cltq" : "+a"(r)); put(r);
  u64 d = 0x1111;
  r = a; __asm__("cwtd" : "+a"(r), "+d"(d)); put(d);
  r = a; __asm__("cltd" : "+a"(r), "+d"(d)); put(d);
  r = a; __asm__("cqto" : "+a"(r), "+d"(d)); put(d);
  r = a; __asm__("bswap %0" : "+r"(r)); put(r);
  u32 r32 = a; __asm__("bswap %0" : "+r"(r32)); put(r32);
}

static void conds(u64 a, u64 b) {
  u8 s[16];
  u64 c[16];
  __asm__ volatile(
      "cmp %[b], %[a]\n\t"
      "seto 0(%[s])\n\tsetno 1(%[s])\n\tsetb 2(%[s])\n\tsetae 3(%[s])\n\tsete 4(%[s])\n\tsetne 5(%[s])\n\t"
      "setbe 6(%[s])\n\tseta 7(%[s])\n\tsets 8(%[s])\n\tsetns 9(%[s])\n\tsetp 10(%[s])\n\tsetnp 11(%[s])\n\t"
      "setl 12(%[s])\n\tsetge 13(%[s])\n\tsetle 14(%[s])\n\tsetg 15(%[s])"
      : : [a] "r"(a), [b] "r"(b), [s] "r"(s) : "cc", "memory");
  for (int i = 0; i < 16; i++) put(s[i]);
  u64 x = 1, y = 2;
#define CM(cc, i) __asm__("cmp %[b], %[a]\n\tmov %[x], %[r]\n\tcmov" cc " %[y], %[r]" : [r] "=&r"(c[i]) : [a] "r"(a), [b] "r"(b), [x] "r"(x), [y] "r"(y) : "cc");
  CM("o", 0) CM("no", 1) CM("b", 2) CM("ae", 3) CM("e", 4) CM("ne", 5) CM("be", 6) CM("a", 7)
  CM("s", 8) CM("ns", 9) CM("p", 10) CM("np", 11) CM("l", 12) CM("ge", 13) CM("le", 14) CM("g", 15)
  for (int i = 0; i < 16; i++) put(c[i]);
  u32 r32;
  __asm__("mov $0xffffffff, %%eax\n\tmov %%rax, %q0\n\tcmp %[b], %[a]\n\tcmovo %k[a], %0" : "=&r"(r32) : [a] "r"(a), [b] "r"(b) : "cc", "rax");
  put(r32);
}

static void atomics(u64 a, u64 b) {
  static u64 m64 __attribute__((aligned(16)));
  static u64 m128[2] __attribute__((aligned(16)));
  u64 acc = a, f;
  m64 = a;
  __asm__ volatile("lock cmpxchgq %[n], %[m]\n\tpushfq\n\tpop %[f]" : [m] "+m"(m64), "+a"(acc), [f] "=&r"(f) : [n] "r"(b) : "cc", "memory");
  put(m64); put(acc); put(f & 0x8d5);
  acc = b;
  __asm__ volatile("lock cmpxchgl %k[n], %[m]\n\tpushfq\n\tpop %[f]" : [m] "+m"(m64), "+a"(acc), [f] "=&r"(f) : [n] "r"(a) : "cc", "memory");
  put(m64); put(acc); put(f & 0x8d5);
  u32 lo = a, hi = a >> 32;
  __asm__ volatile("lock cmpxchg8b %[m]\n\tpushfq\n\tpop %[f]" : [m] "+m"(m64), "+a"(lo), "+d"(hi), [f] "=&r"(f) : "b"((u32)b), "c"((u32)(b >> 32)) : "cc", "memory");
  put(m64); put(lo); put(hi); put(f & 0x40);
  m128[0] = a; m128[1] = b;
  u64 rax = a, rdx = (a & 1) ? b : ~b;
  __asm__ volatile("lock cmpxchg16b %[m]\n\tpushfq\n\tpop %[f]" : [m] "+m"(m128[0]), "+a"(rax), "+d"(rdx), [f] "=&r"(f) : "b"(b), "c"(a) : "cc", "memory");
  put(m128[0]); put(m128[1]); put(rax); put(rdx); put(f & 0x40);
  u64 x = a;
  __asm__ volatile("xchg %[x], %[m]" : [x] "+r"(x), [m] "+m"(m64) : : "memory");
  put(x); put(m64);
  x = b;
  __asm__ volatile("lock xaddq %[x], %[m]\n\tpushfq\n\tpop %[f]" : [x] "+r"(x), [m] "+m"(m64), [f] "=&r"(f) : : "cc", "memory");
  put(x); put(m64); put(f & 0x8d5);
  u8 c8 = a;
  __asm__ volatile("lock incb %[m]\n\tlock decw %[m2]\n\tlock negl %[m3]\n\tlock notq %[m4]" : [m] "+m"(c8), [m2] "+m"(*(u16 *)&m128[0]), [m3] "+m"(*(u32 *)&m128[1]), [m4] "+m"(m64) : : "cc", "memory");
  put(c8); put(m128[0]); put(m128[1]); put(m64);
}

int test_main(void) {
  rt_puts("t-bits\n");
  static void (*const scans[])(u64) = { bsf16, bsf32, bsf64, bsr16, bsr32, bsr64, tzcnt16, tzcnt32, tzcnt64,
                                        lzcnt16, lzcnt32, lzcnt64, popcnt16, popcnt32, popcnt64 };
  static const char *const names[] = { "bsf16", "bsf32", "bsf64", "bsr16", "bsr32", "bsr64", "tzcnt16", "tzcnt32",
                                       "tzcnt64", "lzcnt16", "lzcnt32", "lzcnt64", "popcnt16", "popcnt32", "popcnt64" };
  for (unsigned s = 0; s < 15; s++) {
    h = FNV_INIT;
    for (unsigned i = 0; i < NV; i++) scans[s](vals[i]);
    rt_printf("%s: %016lx\n", names[s], h);
  }
  h = FNV_INIT;
  for (unsigned i = 0; i < NV; i++)
    for (u64 b = 0; b < 70; b += 3) { bt64(vals[i], b); bts64(vals[i], b); btr32(vals[i], b); btc16(vals[i], b); }
  rt_printf("bt-reg: %016lx\n", h);
  h = FNV_INIT;
  for (long off = -128; off < 300; off += 7) btmem(off);
  for (int i = 0; i < 8; i++) put(mem[i]);
  rt_printf("bt-mem: %016lx\n", h);
  h = FNV_INIT;
  for (unsigned i = 0; i < NV; i++) conv(vals[i]);
  rt_printf("conversions: %016lx\n", h);
  h = FNV_INIT;
  for (unsigned i = 0; i < NV; i++)
    for (unsigned j = 0; j < NV; j++) conds(vals[i], vals[j]);
  rt_printf("setcc/cmovcc: %016lx\n", h);
  h = FNV_INIT;
  for (unsigned i = 0; i < NV; i++)
    for (unsigned j = 0; j < NV; j++) atomics(vals[i], vals[j]);
  rt_printf("atomics: %016lx\n", h);
  return 0;
}

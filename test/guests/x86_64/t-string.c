/* String instructions: REP MOVS/STOS (all sizes, both directions, overlapping), REPE/REPNE CMPS/SCAS,
 * LODS, string I/O (REP OUTSB to the UART), plus compiler-generated memcpy/memset/strlen-style loops. */
#include "rt.h"

static u8 a[4096] __attribute__((aligned(64)));
static u8 b[4096] __attribute__((aligned(64)));
static u64 h;
static void put(u64 v) { h = mix(h, v); }
static void digest(const u8 *p, int n) { for (int i = 0; i < n; i++) h = mix(h, p[i]); }

int test_main(void) {
  rt_puts("t-string\n");
  for (int i = 0; i < 4096; i++) a[i] = (u8)(i * 7 + (i >> 5));
  /* rep movs, forward, each element size, odd lengths and offsets */
  h = FNV_INIT;
  for (int sz = 1; sz <= 8; sz <<= 1)
    for (u64 n = 0; n < 70; n += 13) {
      u8 *d = b + 3, *s = a + 5;
      u64 c = n;
      if (sz == 1) __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
      if (sz == 2) __asm__ volatile("rep movsw" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
      if (sz == 4) __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
      if (sz == 8) __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
      put((u64)(d - b)); put((u64)(s - a)); put(c);
      digest(b, 600);
    }
  rt_printf("rep movs: %016lx\n", h);
  /* backwards with DF=1 (overlapping memmove) */
  h = FNV_INIT;
  {
    u8 *d = a + 1000 + 99, *s = a + 990 + 99;
    u64 c = 100;
    __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(c) : : "memory");
    put((u64)(d - a)); put((u64)(s - a));
    digest(a + 980, 140);
  }
  rt_printf("rep movsb backwards: %016lx\n", h);
  /* stos */
  h = FNV_INIT;
  for (int sz = 1; sz <= 8; sz <<= 1) {
    u8 *d = b + 1;
    u64 c = 37, v = 0x0123456789abcdefUL * sz;
    if (sz == 1) __asm__ volatile("rep stosb" : "+D"(d), "+c"(c) : "a"(v) : "memory");
    if (sz == 2) __asm__ volatile("rep stosw" : "+D"(d), "+c"(c) : "a"(v) : "memory");
    if (sz == 4) __asm__ volatile("rep stosl" : "+D"(d), "+c"(c) : "a"(v) : "memory");
    if (sz == 8) __asm__ volatile("rep stosq" : "+D"(d), "+c"(c) : "a"(v) : "memory");
    put((u64)(d - b));
    digest(b, 400);
  }
  rt_printf("rep stos: %016lx\n", h);
  /* cmps / scas */
  h = FNV_INIT;
  for (int i = 0; i < 256; i++) b[i] = a[i];
  b[77] ^= 1;
  {
    u8 *s = a, *d = b;
    u64 c = 200, f;
    __asm__ volatile("repe cmpsb\n\tpushfq\n\tpop %[f]" : "+D"(d), "+S"(s), "+c"(c), [f] "=r"(f) : : "cc", "memory");
    put((u64)(s - a)); put(c); put(f & 0x8d5);
    s = a; d = b; c = 20;
    __asm__ volatile("repe cmpsq\n\tpushfq\n\tpop %[f]" : "+D"(d), "+S"(s), "+c"(c), [f] "=r"(f) : : "cc", "memory");
    put((u64)(s - a)); put(c); put(f & 0x8d5);
    d = a; c = 4096;
    __asm__ volatile("repne scasb\n\tpushfq\n\tpop %[f]" : "+D"(d), "+c"(c), [f] "=r"(f) : "a"(a[1234]) : "cc", "memory");
    put((u64)(d - a)); put(c); put(f & 0x8d5);
    d = a; c = 100;
    __asm__ volatile("repe scasw\n\tpushfq\n\tpop %[f]" : "+D"(d), "+c"(c), [f] "=r"(f) : "a"(0x0000) : "cc", "memory");
    put((u64)(d - a)); put(c); put(f & 0x8d5);
    s = a + 10; u64 v = 0;
    __asm__ volatile("lodsb\n\tlodsw\n\tlodsl\n\tlodsq" : "+S"(s), "+a"(v) : : "memory");
    put((u64)(s - a)); put(v);
  }
  rt_printf("cmps/scas/lods: %016lx\n", h);
  /* string output to the UART */
  {
    static const char msg[] = "rep outsb: hello from string I/O\n";
    const char *s = msg;
    u64 c = sizeof(msg) - 1;
    __asm__ volatile("rep outsb" : "+S"(s), "+c"(c) : "d"(0x3f8) : "memory");
  }
  /* compiler-generated copies (structure assignment, loops gcc vectorises) */
  h = FNV_INIT;
  struct big { u64 v[37]; } x, y;
  for (int i = 0; i < 37; i++) x.v[i] = i * 0x0101010101010101UL;
  y = x;
  for (int i = 0; i < 37; i++) put(y.v[i]);
  u32 sum = 0;
  for (int i = 0; i < 4096; i++) sum += a[i] ^ b[i & 255];
  put(sum);
  rt_printf("compiler copies: %016lx\n", h);
  return 0;
}

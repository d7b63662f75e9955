/* SSE/SSE2 integer and move instructions as compilers use them, with FXSAVE/FXRSTOR and
 * XSAVE/XRSTOR/XGETBV/XSETBV round trips. Results are digested per instruction group. */
#include "rt.h"
typedef long long v2di __attribute__((vector_size(16)));

static u8 buf[256] __attribute__((aligned(64)));
static u64 h;
static void put(u64 v) { h = mix(h, v); }
static void putx(v2di v) { put((u64)v[0]); put((u64)v[1]); }

#define OPX(name, insn)                                                                            \
  static v2di name(v2di a, v2di b) { __asm__(insn " %1, %0" : "+x"(a) : "x"(b)); return a; }
OPX(pxor, "pxor") OPX(por, "por") OPX(pand, "pand") OPX(pandn, "pandn") OPX(paddb, "paddb") OPX(paddw, "paddw")
OPX(paddd, "paddd") OPX(paddq, "paddq") OPX(psubb, "psubb") OPX(psubw, "psubw") OPX(psubd, "psubd") OPX(psubq, "psubq")
OPX(pcmpeqb, "pcmpeqb") OPX(pcmpeqw, "pcmpeqw") OPX(pcmpeqd, "pcmpeqd") OPX(pcmpgtb, "pcmpgtb") OPX(pcmpgtw, "pcmpgtw")
OPX(pcmpgtd, "pcmpgtd") OPX(punpcklbw, "punpcklbw") OPX(punpcklwd, "punpcklwd") OPX(punpckldq, "punpckldq")
OPX(punpcklqdq, "punpcklqdq") OPX(punpckhbw, "punpckhbw") OPX(punpckhwd, "punpckhwd") OPX(punpckhdq, "punpckhdq")
OPX(punpckhqdq, "punpckhqdq") OPX(packsswb, "packsswb") OPX(packuswb, "packuswb") OPX(packssdw, "packssdw")
OPX(pminub, "pminub") OPX(pmaxub, "pmaxub") OPX(pminsw, "pminsw") OPX(pmaxsw, "pmaxsw") OPX(psubusb, "psubusb")
OPX(psubusw, "psubusw") OPX(paddusb, "paddusb") OPX(paddusw, "paddusw") OPX(paddsb, "paddsb") OPX(paddsw, "paddsw")
OPX(psubsb, "psubsb") OPX(psubsw, "psubsw") OPX(pavgb, "pavgb") OPX(pavgw, "pavgw") OPX(pmullw, "pmullw")
OPX(pmuludq, "pmuludq") OPX(psadbw, "psadbw") OPX(psrlw, "psrlw") OPX(psrld, "psrld") OPX(psrlq, "psrlq")
OPX(psllw, "psllw") OPX(pslld, "pslld") OPX(psllq, "psllq") OPX(psraw, "psraw") OPX(psrad, "psrad")
OPX(xorps, "xorps") OPX(andps, "andps") OPX(orps, "orps") OPX(unpcklps, "unpcklps") OPX(unpckhps, "unpckhps")
typedef v2di (*xfn)(v2di, v2di);
static const xfn ops[] = { pxor, por, pand, pandn, paddb, paddw, paddd, paddq, psubb, psubw, psubd, psubq, pcmpeqb,
  pcmpeqw, pcmpeqd, pcmpgtb, pcmpgtw, pcmpgtd, punpcklbw, punpcklwd, punpckldq, punpcklqdq, punpckhbw, punpckhwd,
  punpckhdq, punpckhqdq, packsswb, packuswb, packssdw, pminub, pmaxub, pminsw, pmaxsw, psubusb, psubusw, paddusb,
  paddusw, paddsb, paddsw, psubsb, psubsw, pavgb, pavgw, pmullw, pmuludq, psadbw, psrlw, psrld, psrlq, psllw, pslld,
  psllq, psraw, psrad, xorps, andps, orps, unpcklps, unpckhps };
static const char *const names[] = { "pxor", "por", "pand", "pandn", "paddb", "paddw", "paddd", "paddq", "psubb",
  "psubw", "psubd", "psubq", "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd", "punpcklbw",
  "punpcklwd", "punpckldq", "punpcklqdq", "punpckhbw", "punpckhwd", "punpckhdq", "punpckhqdq", "packsswb",
  "packuswb", "packssdw", "pminub", "pmaxub", "pminsw", "pmaxsw", "psubusb", "psubusw", "paddusb", "paddusw",
  "paddsb", "paddsw", "psubsb", "psubsw", "pavgb", "pavgw", "pmullw", "pmuludq", "psadbw", "psrlw", "psrld",
  "psrlq", "psllw", "pslld", "psllq", "psraw", "psrad", "xorps", "andps", "orps", "unpcklps", "unpckhps" };

static const v2di vals[] = {
  { 0, 0 }, { -1, -1 }, { 0x0123456789abcdefLL, (long long)0xfedcba9876543210ULL },
  { 0x7f807fff80007fffLL, (long long)0x8000000080000000ULL }, { 0x0000000000000003LL, 0x11LL },
  { (long long)0xff00ff00ff00ff00ULL, 0x00ff00ff00ff00ffLL }, { 0x40, 0 }, { 0x0101010101010101LL, 0x7f7f7f7f7f7f7f7fLL },
};
#define NV (sizeof(vals) / sizeof(vals[0]))

#define IMM(name, insn)                                                                            \
  static v2di name(v2di a) { __asm__(insn : "+x"(a)); return a; }
IMM(psrlw3, "psrlw $3, %0") IMM(psraw9, "psraw $9, %0") IMM(psllw15, "psllw $15, %0") IMM(psrld7, "psrld $7, %0")
IMM(psrad31, "psrad $31, %0") IMM(pslld1, "pslld $1, %0") IMM(psrlq33, "psrlq $33, %0") IMM(psllq4, "psllq $4, %0")
IMM(psrldq5, "psrldq $5, %0") IMM(pslldq11, "pslldq $11, %0") IMM(pshufd1b, "pshufd $0x1b, %0, %0")
IMM(pshuflwe4, "pshuflw $0xe4, %0, %0") IMM(pshufhw1b, "pshufhw $0x1b, %0, %0") IMM(psrlw40, "psrlw $40, %0")

int test_main(void) {
  rt_puts("t-sse\n");
  for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
    h = FNV_INIT;
    for (unsigned i = 0; i < NV; i++)
      for (unsigned j = 0; j < NV; j++) putx(ops[o](vals[i], vals[j]));
    rt_printf("%s: %016lx\n", names[o], h);
  }
  static v2di (*const imms[])(v2di) = { psrlw3, psraw9, psllw15, psrld7, psrad31, pslld1, psrlq33, psllq4, psrldq5,
                                         pslldq11, pshufd1b, pshuflwe4, pshufhw1b, psrlw40 };
  h = FNV_INIT;
  for (unsigned o = 0; o < sizeof(imms) / sizeof(imms[0]); o++)
    for (unsigned i = 0; i < NV; i++) putx(imms[o](vals[i]));
  rt_printf("immediate shifts/shuffles: %016lx\n", h);
  /* moves */
  h = FNV_INIT;
  for (int i = 0; i < 256; i++) buf[i] = (u8)(i * 13 + 1);
  for (unsigned i = 0; i < NV; i++) {
    v2di v = vals[i], w;
    u64 g;
    u32 m;
    __asm__ volatile("movdqu %1, %0" : "=x"(w) : "m"(buf[3 + i])); putx(w);
    __asm__ volatile("movdqa %1, %0" : "=x"(w) : "m"(buf[16 * i])); putx(w);
    __asm__ volatile("movups %1, %0" : "=m"(buf[100 + i]) : "x"(v)); 
    __asm__ volatile("movaps %1, %0" : "=m"(buf[160]) : "x"(v));
    __asm__ volatile("movq %1, %0" : "=r"(g) : "x"(v)); put(g);
    __asm__ volatile("movd %1, %k0" : "=r"(g) : "x"(v)); put(g);
    __asm__ volatile("movq %1, %0" : "=x"(w) : "r"((u64)i * 0x1234567)); putx(w);
    __asm__ volatile("movd %k1, %0" : "=x"(w) : "r"((u64)i * 0x1234567 + 0xffffffff00000000UL)); putx(w);
    __asm__ volatile("movq %1, %0" : "=x"(w) : "m"(buf[7 + i])); putx(w);
    __asm__ volatile("movq %1, %0" : "=m"(buf[200 + i]) : "x"(v));
    w = v; __asm__ volatile("movq %0, %0" : "+x"(w)); putx(w);
    __asm__ volatile("pmovmskb %1, %0" : "=r"(m) : "x"(v)); put(m);
    __asm__ volatile("movmskps %1, %0" : "=r"(m) : "x"(v)); put(m);
    __asm__ volatile("movmskpd %1, %0" : "=r"(m) : "x"(v)); put(m);
    w = vals[(i + 1) % NV]; __asm__ volatile("movlps %1, %0" : "+x"(w) : "m"(buf[40])); putx(w);
    w = vals[(i + 1) % NV]; __asm__ volatile("movhps %1, %0" : "+x"(w) : "m"(buf[41])); putx(w);
    __asm__ volatile("movhps %1, %0" : "=m"(buf[220]) : "x"(v));
    w = vals[(i + 2) % NV]; __asm__ volatile("shufps $0x4e, %1, %0" : "+x"(w) : "x"(v)); putx(w);
    w = vals[(i + 3) % NV]; __asm__ volatile("shufpd $1, %1, %0" : "+x"(w) : "x"(v)); putx(w);
    __asm__ volatile("pextrw $5, %1, %0" : "=r"(m) : "x"(v)); put(m);
    w = v; __asm__ volatile("pinsrw $2, %1, %0" : "+x"(w) : "r"(0xbeef + i)); putx(w);
    w = vals[(i + 1) % NV]; __asm__ volatile("movss %1, %0" : "+x"(w) : "x"(v)); putx(w);
    w = vals[(i + 1) % NV]; __asm__ volatile("movsd %1, %0" : "+x"(w) : "x"(v)); putx(w);
    __asm__ volatile("movss %1, %0" : "=x"(w) : "m"(buf[60])); putx(w);
    __asm__ volatile("movsd %1, %0" : "=x"(w) : "m"(buf[61])); putx(w);
    __asm__ volatile("movntdq %1, %0" : "=m"(buf[176]) : "x"(v));
    __asm__ volatile("movnti %1, %0" : "=m"(*(u64 *)&buf[240]) : "r"(g));
  }
  for (int i = 0; i < 256; i++) put(buf[i]);
  rt_printf("moves: %016lx\n", h);
  /* FXSAVE/FXRSTOR, XSAVE/XRSTOR round trips with XCR0 = x87|SSE */
  static u8 area[1024] __attribute__((aligned(64)));
  h = FNV_INIT;
  v2di x0 = vals[2], x7 = vals[3], y0, y7;
  __asm__ volatile("movdqa %0, %%xmm0\n\tmovdqa %1, %%xmm7" : : "x"(x0), "x"(x7) : "xmm0", "xmm7");
  __asm__ volatile("fxsave %0" : "=m"(area) : : "memory");
  put(*(u32 *)&area[24]);  /* MXCSR */
  put(*(u16 *)&area[0]);   /* FCW */
  for (int i = 160; i < 160 + 128; i++) put(area[i]);
  __asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm7, %%xmm7" : : : "xmm0", "xmm7");
  __asm__ volatile("fxrstor %0" : : "m"(area) : "memory");
  __asm__ volatile("movdqa %%xmm0, %0\n\tmovdqa %%xmm7, %1" : "=x"(y0), "=x"(y7));
  putx(y0); putx(y7);
  write_cr4(read_cr4() | (1 << 18)); /* OSXSAVE */
  u32 lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  put(lo); put(hi);
  __asm__ volatile("xsetbv" : : "a"(3), "d"(0), "c"(0));
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  rt_printf("xcr0 after xsetbv: %x\n", lo);
  for (int i = 0; i < 1024; i++) area[i] = 0;
  __asm__ volatile("xsave %0" : "+m"(area) : "a"(3), "d"(0) : "memory");
  put(*(u64 *)&area[512]); /* XSTATE_BV */
  for (int i = 160; i < 160 + 128; i++) put(area[i]);
  __asm__ volatile("pxor %%xmm0, %%xmm0" : : : "xmm0");
  __asm__ volatile("xrstor %0" : : "m"(area), "a"(3), "d"(0) : "memory");
  __asm__ volatile("movdqa %%xmm0, %0" : "=x"(y0));
  putx(y0);
  *(u64 *)&area[512] = 1; /* SSE state "init": xrstor clears xmm registers */
  __asm__ volatile("xrstor %0" : : "m"(area), "a"(3), "d"(0) : "memory");
  __asm__ volatile("movdqa %%xmm0, %0" : "=x"(y0));
  putx(y0);
  u32 mx;
  __asm__ volatile("stmxcsr %0" : "=m"(mx));
  put(mx);
  rt_printf("fxsave/xsave: %016lx\n", h);
  return 0;
}

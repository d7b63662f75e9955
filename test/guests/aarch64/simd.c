// FP/SIMD: the vector loads/stores/moves and integer vector operations of memcpy/memset/string/checksum code,
// and scalar floating point with FPSR flags. Results are printed as raw bits.
#include "lib.h"

typedef uint8_t v16u8 __attribute__((vector_size(16)));
static uint8_t src[256] __attribute__((aligned(16)));
static uint8_t dst[256] __attribute__((aligned(16)));
static uint64_t out[8] __attribute__((aligned(16)));

static void pv(const char *name) {
  printf("%s %016lx %016lx\n", name, out[1], out[0]);
}

#define V1(name, insn) do { __asm__ volatile("ldr q0, [%1]\n\tldr q1, [%1, #16]\n\tldr q2, [%1, #32]\n\t" insn "\n\tstr q3, [%0]" \
    :: "r"(out), "r"(src) : "v0", "v1", "v2", "v3", "memory"); pv(name); } while (0)

static uint64_t hash(const uint8_t *p, int n) {
  uint64_t h = 0;
  for (int i = 0; i < n; i++) { h ^= p[i]; h = (h << 5) | (h >> 59); }
  return h;
}

__attribute__((noinline)) static void my_memset(uint8_t *p, int v, int n) { for (int i = 0; i < n; i++) p[i] = (uint8_t)v; }
__attribute__((noinline)) static void my_memcpy(uint8_t *d, const uint8_t *s, int n) { for (int i = 0; i < n; i++) d[i] = s[i]; }
__attribute__((noinline)) static unsigned sum_bytes(const uint8_t *p, int n) { unsigned s = 0; for (int i = 0; i < n; i++) s += p[i]; return s; }
__attribute__((noinline)) static unsigned max_bytes(const uint8_t *p, int n) { unsigned m = 0; for (int i = 0; i < n; i++) m = p[i] > m ? p[i] : m; return m; }

static uint64_t fbits(double d) { union { double d; uint64_t u; } x = { d }; return x.u; }
static uint32_t sbits(float f) { union { float f; uint32_t u; } x = { f }; return x.u; }

int main(void) {
  puts("simd: start\n");
  for (int i = 0; i < 256; i++) src[i] = (uint8_t)(i * 29 + 7);
  src[40] = 0; // a NUL for the string search

  V1("orr", "orr v3.16b, v0.16b, v1.16b");
  V1("and", "and v3.16b, v0.16b, v1.16b");
  V1("eor", "eor v3.16b, v0.16b, v1.16b");
  V1("bic", "bic v3.16b, v0.16b, v1.16b");
  V1("orn", "orn v3.16b, v0.16b, v1.16b");
  V1("bsl", "mov v3.16b, v2.16b\n\tbsl v3.16b, v0.16b, v1.16b");
  V1("bit", "mov v3.16b, v2.16b\n\tbit v3.16b, v0.16b, v1.16b");
  V1("not", "not v3.16b, v0.16b");
  V1("add_b", "add v3.16b, v0.16b, v1.16b");
  V1("add_h", "add v3.8h, v0.8h, v1.8h");
  V1("sub_s", "sub v3.4s, v0.4s, v1.4s");
  V1("add_d", "add v3.2d, v0.2d, v1.2d");
  V1("sub_d", "sub v3.2d, v0.2d, v1.2d");
  V1("mul_h", "mul v3.8h, v0.8h, v1.8h");
  V1("cmeq_b", "cmeq v3.16b, v0.16b, v2.16b");
  V1("cmeq0", "cmeq v3.16b, v2.16b, #0");
  V1("cmhi_b", "cmhi v3.16b, v0.16b, v1.16b");
  V1("cmgt_h", "cmgt v3.8h, v0.8h, v1.8h");
  V1("cmge_s", "cmge v3.4s, v0.4s, v1.4s");
  V1("cmhs_d", "cmhs v3.2d, v0.2d, v1.2d");
  V1("cmtst", "cmtst v3.16b, v0.16b, v1.16b");
  V1("umax_b", "umax v3.16b, v0.16b, v1.16b");
  V1("smin_h", "smin v3.8h, v0.8h, v1.8h");
  V1("addp_b", "addp v3.16b, v0.16b, v1.16b");
  V1("addp_s", "addp v3.4s, v0.4s, v1.4s");
  V1("umaxp", "umaxp v3.16b, v0.16b, v1.16b");
  V1("uminp_h", "uminp v3.8h, v0.8h, v1.8h");
  V1("addv_b", "addv b3, v0.16b");
  V1("addv_s", "addv s3, v0.4s");
  V1("umaxv", "umaxv b3, v0.16b");
  V1("uminv_h", "uminv h3, v0.8h");
  V1("smaxv", "smaxv b3, v1.16b");
  V1("uaddlv", "uaddlv h3, v0.16b");
  V1("addp_d", "addp d3, v0.2d");
  V1("cnt", "cnt v3.16b, v0.16b");
  V1("neg_s", "neg v3.4s, v0.4s");
  V1("abs_b", "abs v3.16b, v0.16b");
  V1("rev64_b", "rev64 v3.16b, v0.16b");
  V1("rev32_h", "rev32 v3.8h, v0.8h");
  V1("rev16_b", "rev16 v3.16b, v0.16b");
  V1("ext", "ext v3.16b, v0.16b, v1.16b, #5");
  V1("ext8", "ext v3.8b, v0.8b, v1.8b, #3");
  V1("tbl1", "movi v4.16b, #0x0f\n\tand v4.16b, v1.16b, v4.16b\n\ttbl v3.16b, {v0.16b}, v4.16b");
  V1("tbl2", "tbl v3.16b, {v0.16b, v1.16b}, v2.16b");
  V1("tbx", "mov v3.16b, v1.16b\n\ttbx v3.16b, {v0.16b}, v2.16b");
  V1("zip1", "zip1 v3.16b, v0.16b, v1.16b");
  V1("zip2_h", "zip2 v3.8h, v0.8h, v1.8h");
  V1("uzp1_s", "uzp1 v3.4s, v0.4s, v1.4s");
  V1("trn2", "trn2 v3.16b, v0.16b, v1.16b");
  V1("dup_gen", "mov x9, #0x1234\n\tdup v3.8h, w9");
  V1("dup_x", "mov x9, #-3\n\tdup v3.2d, x9");
  V1("dup_el", "dup v3.4s, v0.s[2]");
  V1("dup_8b", "dup v3.8b, v1.b[9]");
  V1("ins", "mov v3.16b, v0.16b\n\tmov x9, #0x77\n\tmov v3.b[5], w9\n\tmov v3.d[1], v1.d[0]");
  V1("umov", "umov w9, v0.h[3]\n\tsmov x10, v0.b[1]\n\tmov x11, v1.d[1]\n\tfmov d3, x9\n\tmov v3.d[1], x10\n\teor x11, x11, x9");
  V1("movi", "movi v3.4s, #0xab, lsl #16");
  V1("movi_msl", "movi v3.4s, #0x12, msl #8");
  V1("mvni", "mvni v3.8h, #0x34, lsl #8");
  V1("movi_d", "movi v3.2d, #0xff00ff0000ff00ff");
  V1("movi_b", "movi v3.8b, #0x5a");
  V1("orr_imm", "mov v3.16b, v0.16b\n\torr v3.4s, #0x80, lsl #24");
  V1("bic_imm", "mov v3.16b, v0.16b\n\tbic v3.8h, #0xff");
  V1("fmov_v", "fmov v3.4s, #-1.5");
  V1("shl", "shl v3.8h, v0.8h, #3");
  V1("ushr", "ushr v3.4s, v0.4s, #7");
  V1("sshr", "sshr v3.16b, v0.16b, #2");
  V1("ushr_d", "ushr v3.2d, v0.2d, #13");
  V1("uxtl", "uxtl v3.8h, v0.8b");
  V1("sxtl2", "sxtl2 v3.4s, v0.8h");
  V1("xtn", "xtn v3.8b, v0.8h\n\txtn2 v3.16b, v1.8h");
  V1("shrn", "shrn v3.8b, v0.8h, #4");
  V1("ldp_q", "ldp q3, q4, [%1, #48]\n\teor v3.16b, v3.16b, v4.16b");
  V1("ld_post", "mov x9, %1\n\tldr q3, [x9, #64]!\n\tldr q4, [x9], #16\n\tsub x9, x9, %1\n\tdup v4.2d, x9\n\tadd v3.2d, v3.2d, v4.2d");
  V1("ldr_d", "ldr d3, [%1, #8]");
  V1("ldr_s", "ldr s3, [%1, #12]");
  V1("ldur_h", "ldur h3, [%1, #3]");
  V1("ldr_b", "mov x9, #17\n\tldr b3, [%1, x9]");

  V1("ld1x4", "ld1 {v4.16b-v7.16b}, [%1]\n\teor v3.16b, v4.16b, v7.16b\n\tadd v3.16b, v3.16b, v5.16b\n\tsub v3.16b, v3.16b, v6.16b");
  V1("ld1x2_post", "mov x9, %1\n\tld1 {v4.8h, v5.8h}, [x9], #32\n\tld1 {v6.2s}, [x9], x9\n\teor v3.16b, v4.16b, v5.16b\n\teor v3.16b, v3.16b, v6.16b");
  V1("ld2", "ld2 {v4.8h, v5.8h}, [%1]\n\tsub v3.8h, v4.8h, v5.8h");
  V1("ld4", "ld4 {v4.4s-v7.4s}, [%1]\n\tadd v3.4s, v4.4s, v7.4s");
  V1("ld1r", "add x9, %1, #5\n\tld1r {v3.8h}, [x9]");
  V1("ld1_lane", "mov v3.16b, v1.16b\n\tld1 {v3.s}[2], [%1]\n\tadd x9, %1, #9\n\tld1 {v3.b}[15], [x9]");
  V1("st1", "mov x9, %0\n\tst1 {v0.16b, v1.16b}, [x9]\n\tst1 {v2.d}[1], [x9]\n\tldr q3, [x9, #16]\n\tldr q4, [x9]\n\teor v3.16b, v3.16b, v4.16b");
  V1("umull", "umull v3.8h, v0.8b, v1.8b");
  V1("smull2", "smull2 v3.4s, v0.8h, v1.8h");
  V1("umlal", "mov v3.16b, v2.16b\n\tumlal v3.2d, v0.2s, v1.2s");
  V1("uaddl2", "uaddl2 v3.8h, v0.16b, v1.16b");
  V1("usubw", "usubw v3.4s, v0.4s, v1.4h");
  V1("uaddlp", "uaddlp v3.8h, v0.16b");
  V1("uadalp", "mov v3.16b, v2.16b\n\tuadalp v3.4s, v0.8h");
  V1("saddlp", "saddlp v3.2d, v0.4s");
  V1("fadd_v", "scvtf v4.4s, v0.4s\n\tscvtf v5.4s, v1.4s\n\tfadd v3.4s, v4.4s, v5.4s");
  V1("fmul_v2d", "scvtf v4.2d, v0.2d\n\tucvtf v5.2d, v1.2d\n\tfmul v3.2d, v4.2d, v5.2d");
  V1("fmla_v", "scvtf v4.4s, v0.4s\n\tscvtf v5.4s, v1.4s\n\tmov v3.16b, v5.16b\n\tfmla v3.4s, v4.4s, v5.4s");
  V1("fdiv_v", "scvtf v4.4s, v0.4s\n\tscvtf v5.4s, v1.4s\n\tfdiv v3.4s, v4.4s, v5.4s\n\tfcvtzs v3.4s, v3.4s");
  V1("mul_el", "mul v3.8h, v0.8h, v1.h[5]");
  V1("mla_el", "mov v3.16b, v2.16b\n\tmla v3.4s, v0.4s, v1.s[3]");
  V1("smull_el", "smull v3.4s, v0.4h, v1.h[2]");
  V1("umlal2_el", "mov v3.16b, v2.16b\n\tumlal2 v3.2d, v0.4s, v1.s[1]");
  V1("fmul_el", "scvtf v4.4s, v0.4s\n\tscvtf v5.4s, v1.4s\n\tfmul v3.4s, v4.4s, v5.s[2]");
  V1("fmla_el_d", "scvtf v4.2d, v0.2d\n\tscvtf v5.2d, v1.2d\n\tmov v3.16b, v4.16b\n\tfmla v3.2d, v4.2d, v5.d[1]");
  V1("fabs_fneg", "scvtf v4.4s, v0.4s\n\tfabs v5.4s, v4.4s\n\tfneg v3.4s, v4.4s\n\teor v3.16b, v3.16b, v5.16b");
  V1("fsqrt_v", "ucvtf v4.2d, v0.2d\n\tfsqrt v3.2d, v4.2d");
  V1("fcvtl_n", "scvtf v4.4s, v0.4s\n\tfcvtl2 v5.2d, v4.4s\n\tfcvtn v3.2s, v5.2d\n\tfcvtl v6.2d, v4.2s\n\tfcvtn2 v3.4s, v6.2d");
  V1("faddp", "scvtf v4.4s, v0.4s\n\tscvtf v5.4s, v1.4s\n\tfaddp v3.4s, v4.4s, v5.4s");

  // stores
  __asm__ volatile("ldr q0, [%1]\n\tstr q0, [%0, #16]\n\tstp q0, q0, [%0, #32]\n\tstr d0, [%0, #80]\n\tstr s0, [%0, #100]\n\tstur h0, [%0, #111]\n\tstr b0, [%0, #120]"
                   :: "r"(dst), "r"(src + 96) : "v0", "memory");
  printf("stores %lx\n", hash(dst, 128));

  // compiled string/memory code
  my_memset(dst, 0x5a, 200);
  printf("memset %lx\n", hash(dst, 256));
  my_memcpy(dst + 3, src + 11, 190);
  printf("memcpy %lx\n", hash(dst, 256));
  printf("sum %u max %u\n", sum_bytes(src, 250), max_bytes(src, 250));

  // scalar FP
  volatile double a = 1.0 / 3.0, b = -2.5e10, z = 0.0;
  volatile float fa = 3.14159f, fb = -0.001f;
  uint64_t fpsr;
  __asm__ volatile("msr fpsr, xzr");
  printf("fadd %lx fsub %lx fmul %lx fdiv %lx\n", fbits(a + b), fbits(a - b), fbits(a * b), fbits(a / b));
  printf("fsqrt %lx fabs %lx fneg %lx\n", fbits(__builtin_sqrt(a)), fbits(__builtin_fabs(b)), fbits(-a));
  printf("fmadd %lx fnmsub %lx\n", fbits(__builtin_fma(a, b, 1.0)), fbits(__builtin_fma(a, 3.0, -1.0)));
  printf("single %x %x %x %x %x\n", sbits(fa + fb), sbits(fa * fb), sbits(fa / fb), sbits(__builtin_sqrtf(fa)), sbits(__builtin_fmaf(fa, fb, 1.0f)));
  printf("cvt %lx %x\n", fbits((double)fa), sbits((float)b));
  printf("fcvtzs %ld %ld %d fcvtzu %lu\n", (long)b, (long)(a * 1e18), (int)(fb * 1000.0f), (unsigned long)(a * 1e19));
  printf("scvtf %lx ucvtf %lx %x\n", fbits((double)(long)-123456789012345LL), fbits((double)0xfedcba9876543210UL), sbits((float)0x7fffffffU));
  printf("rint %lx %lx %lx %lx\n", fbits(__builtin_floor(b / 7)), fbits(__builtin_ceil(a)), fbits(__builtin_trunc(-a * 10)), fbits(__builtin_round(2.5)));
  printf("cmp %d %d %d %d\n", a < b, a > b, a == a, z != z);
  printf("minmax %lx %lx\n", fbits(__builtin_fmax(a, b)), fbits(__builtin_fmin(a, b)));
  __asm__ volatile("mrs %0, fpsr" : "=r"(fpsr));
  printf("fpsr ixc after conversions %lu\n", (fpsr >> 4) & 1);
  __asm__ volatile("msr fpsr, xzr");
  volatile double r = a / z;
  __asm__ volatile("mrs %0, fpsr" : "=r"(fpsr));
  printf("div by zero %lx fpsr %lx\n", fbits(r), fpsr);
  __asm__ volatile("msr fpsr, xzr");
  volatile long bad = (long)(b * 1e20);
  __asm__ volatile("mrs %0, fpsr" : "=r"(fpsr));
  printf("saturate %lx fpsr %lx\n", (uint64_t)bad, fpsr);
  double imm;
  __asm__ volatile("fmov %d0, #-0.125" : "=w"(imm));
  printf("fmov imm %lx\n", fbits(imm));
  uint64_t flags;
  __asm__ volatile("fcmp %d1, %d2\n\tmrs %0, nzcv" : "=r"(flags) : "w"(a), "w"(b));
  printf("fcmp nzcv %lx\n", flags);
  __asm__ volatile("fcmp %d1, #0.0\n\tmrs %0, nzcv" : "=r"(flags) : "w"(z));
  printf("fcmp0 nzcv %lx\n", flags);
  double nan = z / z;
  __asm__ volatile("fcmp %d1, %d2\n\tmrs %0, nzcv" : "=r"(flags) : "w"(nan), "w"(a));
  printf("fcmp nan nzcv %lx\n", flags);
  double sel;
  __asm__ volatile("cmp %1, #5\n\tfcsel %d0, %d2, %d3, gt" : "=w"(sel) : "r"(7L), "w"(a), "w"(b));
  printf("fcsel %lx\n", fbits(sel));
  __asm__ volatile("msr fpsr, xzr");
  puts("simd: done\n");
  return 0;
}

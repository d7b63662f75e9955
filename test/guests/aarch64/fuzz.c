// Random differential testing: a seeded generator makes random encodings, patches each into fuzz_slot, runs it
// on random register values and flags, and folds the results (or the fact that it was UNDEFINED) into a hash
// printed every 1000 instructions. Phase 1 draws from the whole "data processing (immediate)" and "(register)"
// classes; phase 2 from templates of the Advanced SIMD operations the model implements, with random sizes,
// Q bits, registers and immediates (so reserved combinations must be UNDEFINED on both sides). QEMU and our
// model must print the same lines: every result, flag and UNDEFINED decision must agree.
#include "lib.h"
#include "exc.h"

extern uint32_t fuzz_slot[];
extern void fuzz_run(uint64_t *state);
extern char vectors_el2[];

// exception frames (pushed on SP = state while the slot runs) land in the room below the state block
static uint64_t area[512 + 64] __attribute__((aligned(16)));
static uint64_t *const state = area + 512;
static uint64_t big[512 + 200] __attribute__((aligned(16)));
static uint64_t *const vstate = big + 512;
static volatile int undefined_seen;
#ifndef SEED
#define SEED 0x9e3779b97f4a7c15ULL
#endif
#ifndef INT_ITERS
#define INT_ITERS 10000
#endif
#ifndef SIMD_ITERS
#define SIMD_ITERS 6000
#endif
static uint64_t rng = SEED;

static uint64_t next(void) {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return rng;
}

static const uint64_t edge[] = { 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
                                 0xffffffffffffffffULL, 63, 64, 31, 32 };

void exc_handler(struct frame *f, unsigned long kind, unsigned long el) {
  uint64_t esr = READ_SYSREG(esr_el2);
  if ((esr >> 26) != 0) { printf("unexpected exception esr %lx elr %lx\n", esr, f->elr); psci_off(); }
  undefined_seen = 1;
  f->elr += 4;
}

static uint64_t h;
static void mix(uint64_t v) { h ^= v; h = (h << 17) | (h >> 47); h += 0x632be59bd9b4e019ULL; }

// Advanced SIMD templates: fixed bits and the mask of bits drawn at random.
struct tmpl { uint32_t fixed, random; };
#define QSZ_RM_RN_RD ((1u << 30) | (3u << 22) | (31u << 16) | (31u << 5) | 31u)
#define QSZ_RN_RD ((1u << 30) | (3u << 22) | (31u << 5) | 31u)
#define THREE(u, opc) { 0x0e200400u | (u) << 29 | (opc) << 11, QSZ_RM_RN_RD }
#define MISC(u, opc) { 0x0e200800u | (u) << 29 | (opc) << 12, QSZ_RN_RD }
#define ACROSS(u, opc) { 0x0e300800u | (u) << 29 | (opc) << 12, QSZ_RN_RD }
static const struct tmpl simd[] = {
  THREE(0, 0x10), THREE(1, 0x10), THREE(0, 0x11), THREE(1, 0x11), THREE(0, 0x06), THREE(1, 0x06), THREE(0, 0x07),
  THREE(1, 0x07), THREE(0, 0x0c), THREE(1, 0x0c), THREE(0, 0x0d), THREE(1, 0x0d), THREE(0, 0x13), THREE(0, 0x12),
  THREE(1, 0x12), THREE(0, 0x17), THREE(0, 0x14), THREE(1, 0x14), THREE(0, 0x15), THREE(1, 0x15), THREE(1, 0x01),
  THREE(1, 0x05), THREE(1, 0x00), THREE(1, 0x02), THREE(1, 0x0e), THREE(0, 0x0e), THREE(0, 0x03), THREE(1, 0x03),
  MISC(0, 0x09), MISC(0, 0x08), MISC(1, 0x08), MISC(1, 0x09), MISC(0, 0x0a), MISC(0, 0x0b), MISC(1, 0x0b),
  MISC(0, 0x05), MISC(1, 0x05), MISC(1, 0x04), MISC(0, 0x00), MISC(1, 0x00), MISC(0, 0x01), MISC(0, 0x12),
  MISC(0, 0x02), MISC(1, 0x02), MISC(0, 0x06), MISC(1, 0x06),
  ACROSS(0, 0x1b), ACROSS(1, 0x0a), ACROSS(0, 0x0a), ACROSS(1, 0x1a), ACROSS(0, 0x1a), ACROSS(1, 0x03),
  { 0x2e000000u, (1u << 30) | (31u << 16) | (15u << 11) | (31u << 5) | 31u },              // EXT
  { 0x0e000000u, (1u << 30) | (31u << 16) | (7u << 12) | (31u << 5) | 31u },               // TBL/TBX
  { 0x0e001800u, QSZ_RM_RN_RD }, { 0x0e002800u, QSZ_RM_RN_RD }, { 0x0e003800u, QSZ_RM_RN_RD }, // UZP1 TRN1 ZIP1
  { 0x0e005800u, QSZ_RM_RN_RD }, { 0x0e006800u, QSZ_RM_RN_RD }, { 0x0e007800u, QSZ_RM_RN_RD }, // UZP2 TRN2 ZIP2
  { 0x0f005400u, (1u << 30) | (127u << 16) | (31u << 5) | 31u },                           // SHL
  { 0x2f000400u, (1u << 30) | (127u << 16) | (31u << 5) | 31u },                           // USHR
  { 0x0f000400u, (1u << 30) | (127u << 16) | (31u << 5) | 31u },                           // SSHR
  { 0x2f00a400u, (1u << 30) | (127u << 16) | (31u << 5) | 31u },                           // USHLL
  { 0x0f00a400u, (1u << 30) | (127u << 16) | (31u << 5) | 31u },                           // SSHLL
  { 0x0f008400u, (1u << 30) | (127u << 16) | (31u << 5) | 31u },                           // SHRN
  { 0x2f001400u, (1u << 30) | (127u << 16) | (31u << 5) | 31u },                           // USRA
  { 0x0e000400u, (1u << 30) | (31u << 16) | (31u << 5) | 31u },                            // DUP (element)
  { 0x0e000c00u, (1u << 30) | (31u << 16) | (31u << 5) | 31u },                            // DUP (general)
  { 0x4e001c00u, (31u << 16) | (31u << 5) | 31u },                                         // INS (general)
  { 0x6e000400u, (31u << 16) | (15u << 11) | (31u << 5) | 31u },                           // INS (element)
  { 0x0e003c00u, (1u << 30) | (31u << 16) | (31u << 5) | 30u },                            // UMOV
  { 0x0e002c00u, (1u << 30) | (31u << 16) | (31u << 5) | 30u },                            // SMOV
  { 0x0f000400u, (1u << 30) | (1u << 29) | (7u << 16) | (15u << 12) | (31u << 5) | 31u },  // MOVI family
  { 0x0e200000u, (1u << 29) | (15u << 12) | QSZ_RM_RN_RD },                                // three different
  { 0x0f000000u, (1u << 29) | (3u << 20) | (15u << 12) | (1u << 11) | QSZ_RM_RN_RD },      // by element
  { 0x0e202800u, (1u << 29) | (1u << 14) | QSZ_RN_RD },                                    // [US]ADDLP, [US]ADALP
};

static void simd_phase(void) {
  unsigned undef = 0;
  h = 0;
  for (int i = 1; i <= SIMD_ITERS; i++) {
    const struct tmpl *t = &simd[next() % (sizeof simd / sizeof simd[0])];
    uint32_t w = t->fixed | ((uint32_t)next() & t->random);
    // three-different and by-element: only the opcodes the model implements (bits 15:12)
    static const uint8_t three_diff_ops[] = { 0, 1, 2, 3, 5, 7, 8, 10, 12 };
    static const uint8_t by_elem_ops[] = { 0, 1, 2, 4, 5, 6, 8, 9, 10 };
    if (t->fixed == 0x0e200000u) w = (w & ~(15u << 12)) | (uint32_t)three_diff_ops[next() % 9] << 12;
    if (t->fixed == 0x0f000000u) w = (w & ~(15u << 12)) | (uint32_t)by_elem_ops[next() % 9] << 12;
#ifdef VERBOSE
    printf("w %08x\n", w);
#endif
    for (int r = 0; r < 31; r++) vstate[r] = next();
    vstate[31] = next() & 0xf0000000;
    for (int k = 64; k < 128; k++) {
      uint64_t v = next();
      if ((v & 7) == 0) v = edge[(v >> 8) % (sizeof edge / sizeof edge[0])];
      vstate[k] = v;
    }
    fuzz_slot[0] = w;
    __asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" :: "r"(fuzz_slot) : "memory");
    undefined_seen = 0;
#ifdef VERBOSE
    h = 0;
#endif
    fuzz_run(vstate);
    if (undefined_seen) { undef++; mix(w); } else { for (int k = 32; k < 64; k++) mix(vstate[k]); for (int k = 128; k < 192; k++) mix(vstate[k]); }
#ifdef VERBOSE
    printf("  -> %lx\n", h);
#endif
    if (i % 1000 == 0) { printf("fuzz-simd %d: hash %lx undefined %u\n", i, h, undef); }
  }
}

// Scalar floating point: every data-processing group (1-, 2-, 3-source, compare, conditional compare/select,
// FMOV immediate, conversions to/from integers) on operands rich in signed zeros, infinities, NaNs (quiet and
// signalling, with payloads), subnormals and integers. FPSR is compared except UFC and IDC (underflow and
// input-denormal flags are not modelled).
#ifndef FP_ITERS
#define FP_ITERS 6000
#endif
static const struct tmpl fpt[] = {
  { 0x1e200800u, (1u << 22) | (31u << 16) | (15u << 12) | (31u << 5) | 31u },             // 2-source
  { 0x1f000000u, (1u << 22) | (1u << 21) | (31u << 16) | (1u << 15) | (31u << 10) | (31u << 5) | 31u }, // 3-source
  { 0x1e204000u, (1u << 22) | (15u << 15) | (31u << 5) | 31u },                            // 1-source
  { 0x1e202000u, (1u << 22) | (31u << 16) | (31u << 5) | (3u << 3) },                      // FCMP/FCMPE
  { 0x1e200400u, (1u << 22) | (31u << 16) | (15u << 12) | (31u << 5) | (1u << 4) | 15u },  // FCCMP/FCCMPE
  { 0x1e200c00u, (1u << 22) | (31u << 16) | (15u << 12) | (31u << 5) | 31u },              // FCSEL
  { 0x1e201000u, (1u << 22) | (255u << 13) | 31u },                                         // FMOV (immediate)
  { 0x1e200000u, (1u << 31) | (1u << 22) | (3u << 19) | (7u << 16) | (31u << 5) | 30u },   // conversions
};

static uint64_t fp_special(void) {
  static const uint64_t d[] = { 0, 0x8000000000000000ULL, 0x7ff0000000000000ULL, 0xfff0000000000000ULL,
    0x7ff8000000000000ULL, 0x7ff4000000000123ULL, 0xfff8000000abcdefULL, 0x0000000000000001ULL, 0x000fffffffffffffULL,
    0x3ff0000000000000ULL, 0xbff8000000000000ULL, 0x43e0000000000000ULL, 0xc3e0000000000000ULL, 0x41dfffffffc00000ULL,
    0x7fefffffffffffffULL, 0x4330000000000001ULL };
  static const uint32_t f[] = { 0, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7fa00012u, 0xffc12345u, 1u,
    0x007fffffu, 0x3f800000u, 0xbfc00000u, 0x5f000000u, 0xdf000000u, 0x4f000000u, 0x7f7fffffu, 0x4b000001u };
  uint64_t r = next();
  switch (r & 3) {
    case 0: return d[(r >> 8) % 16];
    case 1: return (next() & 0xffffffff00000000ULL) | f[(r >> 8) % 16];
    default: return next();
  }
}

static void fp_phase(void) {
  unsigned undef = 0;
  h = 0;
  for (int i = 1; i <= FP_ITERS; i++) {
    const struct tmpl *t = &fpt[next() % (sizeof fpt / sizeof fpt[0])];
    uint32_t w = t->fixed | ((uint32_t)next() & t->random);
#ifdef VERBOSE
    printf("w %08x\n", w);
#endif
    for (int r = 0; r < 31; r++) vstate[r] = (next() & 1) ? fp_special() : next() >> (next() & 63);
    vstate[31] = next() & 0xf0000000;
    for (int k = 64; k < 128; k++) vstate[k] = fp_special();
    fuzz_slot[0] = w;
    __asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" :: "r"(fuzz_slot) : "memory");
    undefined_seen = 0;
#ifdef VERBOSE
    h = 0;
#endif
    fuzz_run(vstate);
    if (undefined_seen) { undef++; mix(w); } else {
      for (int k = 32; k < 64; k++) mix(vstate[k]);
      for (int k = 128; k < 192; k++) mix(vstate[k]);
#ifndef NOFPSR
      mix(vstate[192] & ~0x88ULL);
#endif
    }
#ifdef VERBOSE
    printf("  -> %lx\n", h);
    if ((w >> 24) == 0x1f || (w >> 24) == 0x1e) printf("  n %lx m %lx a %lx d %lx fpsr %lx\n", vstate[64 + 2 * ((w >> 5) & 31)], vstate[64 + 2 * ((w >> 16) & 31)],
                                   vstate[64 + 2 * ((w >> 10) & 31)], vstate[128 + 2 * (w & 31)], vstate[192]);
#endif
    if (i % 1000 == 0) { printf("fuzz-fp %d: hash %lx undefined %u\n", i, h, undef); }
  }
}

int main(void) {
  puts("fuzz: start\n");
  WRITE_SYSREG(vbar_el2, vectors_el2);
  unsigned undef = 0;
  for (int i = 1; i <= INT_ITERS; i++) {
    uint32_t w = (uint32_t)next();
    // alternate between the two data-processing classes: op0 = 100x (immediate) and x101 (register)
    if (i & 1) w = (w & ~(7u << 26)) | (4u << 26); else w = (w & ~(7u << 25)) | (5u << 25);
    if ((w & 31) == 31) w &= ~31u; // never write SP: the harness uses it as its base register
    for (int r = 0; r < 31; r++) {
      uint64_t v = next();
      if ((v & 3) == 0) v = edge[(v >> 8) % (sizeof edge / sizeof edge[0])];
      state[r] = v;
    }
    state[31] = next() & 0xf0000000;
    fuzz_slot[0] = w;
    __asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" :: "r"(fuzz_slot) : "memory");
    undefined_seen = 0;
    fuzz_run(state);
    if (undefined_seen) { undef++; mix(w); } else { for (int r = 32; r < 64; r++) mix(state[r]); }
    if (i % 1000 == 0) { printf("fuzz %d: hash %lx undefined %u\n", i, h, undef); }
  }
  simd_phase();
  fp_phase();
  puts("fuzz: done\n");
  return 0;
}

// Integer data processing: every instruction runs on all pairs of a set of edge-case operands, with every
// NZCV input for the conditional forms; results and output flags are folded into one hash per instruction.
// QEMU and our model must print the same hashes.
#include "lib.h"

static const uint64_t vals[] = {
  0, 1, 2, 3, 10, 31, 32, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000,
  0xffffffff, 0x100000000, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff,
  0xfffffffffffffffe, 0x123456789abcdef0, 0xfedcba9876543210, 0x5555555555555555, 0xaaaaaaaaaaaaaaaa,
  0x00000000fffffff0, 0xffffffff00000001,
};
#define N (sizeof vals / sizeof vals[0])

static uint64_t h;
static void mix(uint64_t v) {
  // hash without multiplication so a broken MUL cannot mask other results
  h ^= v;
  h = (h << 13) | (h >> 51);
  h += 0x9e3779b97f4a7c15ULL;
}

// %0 result, %1 flags out, %2 a, %3 b, %4 flags in
#define OP2F(name, insn) do {                                                            \
    h = 0;                                                                               \
    for (unsigned i = 0; i < N; i++)                                                     \
      for (unsigned j = 0; j < N; j++) {                                                 \
        uint64_t r = 0, f, a = vals[i], b = vals[j], fin = (uint64_t)((i * 7 + j) & 15) << 28; \
        __asm__ volatile("msr nzcv, %4\n\t" insn "\n\tmrs %1, nzcv"                      \
                         : "=&r"(r), "=&r"(f) : "r"(a), "r"(b), "r"(fin) : "cc");        \
        mix(r); mix(f);                                                                  \
      }                                                                                  \
    printf("%s %016lx\n", name, h);                                                      \
  } while (0)

// unary: %0 result, %1 flags, %2 a, %4 flags in (b unused)
#define OP1F(name, insn) OP2F(name, insn)

int main(void) {
  puts("alu: start\n");
  OP2F("adds", "adds %0, %2, %3");
  OP2F("adds_w", "adds %w0, %w2, %w3");
  OP2F("subs", "subs %0, %2, %3");
  OP2F("subs_w", "subs %w0, %w2, %w3");
  OP2F("adcs", "adcs %0, %2, %3");
  OP2F("adcs_w", "adcs %w0, %w2, %w3");
  OP2F("sbcs", "sbcs %0, %2, %3");
  OP2F("sbcs_w", "sbcs %w0, %w2, %w3");
  OP2F("adc", "adc %0, %2, %3");
  OP2F("sbc_w", "sbc %w0, %w2, %w3");
  OP2F("add_lsl", "add %0, %2, %3, lsl #7");
  OP2F("adds_asr", "adds %0, %2, %3, asr #33");
  OP2F("subs_lsr_w", "subs %w0, %w2, %w3, lsr #5");
  OP2F("add_sxtb", "add %0, %2, %w3, sxtb #2");
  OP2F("sub_uxth", "sub %0, %2, %w3, uxth #1");
  OP2F("adds_sxtw", "adds %0, %2, %w3, sxtw #4");
  OP2F("subs_uxtx", "subs %0, %2, %3, uxtx #3");
  OP2F("adds_w_uxtb", "adds %w0, %w2, %w3, uxtb");
  OP2F("add_imm", "add %0, %2, #0xabc");
  OP2F("adds_imm12", "adds %0, %2, #0x7ff, lsl #12");
  OP2F("subs_imm_w", "subs %w0, %w2, #1");
  OP2F("cmp_imm", "cmp %2, #0x55");
  OP2F("cmn", "cmn %w2, %w3");
  OP2F("neg", "neg %0, %3");
  OP2F("negs_w", "negs %w0, %w3");
  OP2F("ngcs", "ngcs %0, %3");
  OP2F("ands", "ands %0, %2, %3");
  OP2F("ands_w", "ands %w0, %w2, %w3, ror #7");
  OP2F("bics", "bics %0, %2, %3, lsl #3");
  OP2F("orr", "orr %0, %2, %3, lsr #60");
  OP2F("orn_w", "orn %w0, %w2, %w3, asr #31");
  OP2F("eor", "eor %0, %2, %3, ror #63");
  OP2F("eon", "eon %0, %2, %3");
  OP2F("tst", "tst %2, %3");
  OP2F("and_imm", "and %0, %2, #0x00ff00ff00ff00ff");
  OP2F("orr_imm", "orr %0, %2, #0xf00000000000000f");
  OP2F("eor_imm_w", "eor %w0, %w2, #0x3c3c3c3c");
  OP2F("ands_imm", "ands %0, %2, #0xfffffffffffffffe");
  OP2F("tst_imm_w", "tst %w2, #0x80000001");
  OP2F("movk", "mov %0, %2\n\tmovk %0, #0xbeef, lsl #32");
  OP2F("movn_w", "movn %w0, #0x1234, lsl #16");
  OP2F("movz", "movz %0, #0xcafe, lsl #48");
  OP2F("lslv", "lsl %0, %2, %3");
  OP2F("lsrv", "lsr %0, %2, %3");
  OP2F("asrv", "asr %0, %2, %3");
  OP2F("rorv", "ror %0, %2, %3");
  OP2F("lslv_w", "lsl %w0, %w2, %w3");
  OP2F("lsrv_w", "lsr %w0, %w2, %w3");
  OP2F("asrv_w", "asr %w0, %w2, %w3");
  OP2F("rorv_w", "ror %w0, %w2, %w3");
  OP2F("lsl_imm", "lsl %0, %2, #17");
  OP2F("lsr_imm_w", "lsr %w0, %w2, #9");
  OP2F("asr_imm", "asr %0, %2, #40");
  OP2F("ror_imm", "ror %0, %2, #21");
  OP2F("ubfx", "ubfx %0, %2, #12, #20");
  OP2F("sbfx", "sbfx %0, %2, #30, #8");
  OP2F("sbfx_w", "sbfx %w0, %w2, #3, #27");
  OP2F("ubfiz", "ubfiz %0, %2, #36, #9");
  OP2F("sbfiz_w", "sbfiz %w0, %w2, #5, #9");
  OP2F("bfi", "mov %0, %3\n\tbfi %0, %2, #8, #16");
  OP2F("bfxil", "mov %0, %3\n\tbfxil %0, %2, #40, #20");
  OP2F("bfi_w", "mov %0, %3\n\tbfi %w0, %w2, #28, #4");
  OP2F("sxtb", "sxtb %0, %w2");
  OP2F("sxth_w", "sxth %w0, %w2");
  OP2F("sxtw", "sxtw %0, %w2");
  OP2F("uxtb", "uxtb %w0, %w2");
  OP2F("extr", "extr %0, %2, %3, #13");
  OP2F("extr_w", "extr %w0, %w2, %w3, #31");
  OP2F("mul", "mul %0, %2, %3");
  OP2F("mul_w", "mul %w0, %w2, %w3");
  OP2F("madd", "madd %0, %2, %3, %2");
  OP2F("msub_w", "msub %w0, %w2, %w3, %w3");
  OP2F("mneg", "mneg %0, %2, %3");
  OP2F("smull", "smull %0, %w2, %w3");
  OP2F("umull", "umull %0, %w2, %w3");
  OP2F("smaddl", "smaddl %0, %w2, %w3, %2");
  OP2F("umsubl", "umsubl %0, %w2, %w3, %3");
  OP2F("smulh", "smulh %0, %2, %3");
  OP2F("umulh", "umulh %0, %2, %3");
  OP2F("udiv", "udiv %0, %2, %3");
  OP2F("sdiv", "sdiv %0, %2, %3");
  OP2F("udiv_w", "udiv %w0, %w2, %w3");
  OP2F("sdiv_w", "sdiv %w0, %w2, %w3");
  OP2F("clz", "clz %0, %2");
  OP2F("clz_w", "clz %w0, %w2");
  OP2F("cls", "cls %0, %2");
  OP2F("cls_w", "cls %w0, %w2");
  OP2F("rbit", "rbit %0, %2");
  OP2F("rbit_w", "rbit %w0, %w2");
  OP2F("rev", "rev %0, %2");
  OP2F("rev_w", "rev %w0, %w2");
  OP2F("rev16", "rev16 %0, %2");
  OP2F("rev32", "rev32 %0, %2");
  OP2F("csel", "csel %0, %2, %3, lt");
  OP2F("csinc", "csinc %0, %2, %3, hi");
  OP2F("csinv_w", "csinv %w0, %w2, %w3, vs");
  OP2F("csneg", "csneg %0, %2, %3, ge");
  OP2F("cset_eq", "cset %0, eq");
  OP2F("cset_ne", "cset %0, ne");
  OP2F("cset_cs", "cset %0, cs");
  OP2F("cset_cc", "cset %0, cc");
  OP2F("cset_mi", "cset %0, mi");
  OP2F("cset_pl", "cset %0, pl");
  OP2F("cset_vs", "cset %0, vs");
  OP2F("cset_vc", "cset %0, vc");
  OP2F("cset_hi", "cset %0, hi");
  OP2F("cset_ls", "cset %0, ls");
  OP2F("cset_ge", "cset %0, ge");
  OP2F("cset_lt", "cset %0, lt");
  OP2F("cset_gt", "cset %0, gt");
  OP2F("cset_le", "cset %0, le");
  OP2F("csetm_al", "csinv %0, xzr, xzr, al");
  OP2F("ccmp", "ccmp %2, %3, #5, ne");
  OP2F("ccmn_w", "ccmn %w2, %w3, #10, cs");
  OP2F("ccmp_imm", "ccmp %2, #17, #3, gt");
  OP2F("ccmn_imm", "ccmn %w2, #31, #15, le");
  OP2F("crc32b", "crc32b %w0, %w2, %w3");
  OP2F("crc32h", "crc32h %w0, %w2, %w3");
  OP2F("crc32w", "crc32w %w0, %w2, %w3");
  OP2F("crc32x", "crc32x %w0, %w2, %3");
  OP2F("crc32cb", "crc32cb %w0, %w2, %w3");
  OP2F("crc32cx", "crc32cx %w0, %w2, %3");
  OP2F("bcond", "cmp %2, %3\n\tmov %0, #0\n\tb.le 1f\n\tmov %0, #1\n\tb.vs 1f\n\tmov %0, #2\n1:");
  OP2F("cbz", "mov %0, #3\n\tcbz %w2, 1f\n\tmov %0, #4\n\tcbnz %3, 1f\n\tmov %0, #5\n1:");
  OP2F("tbz", "mov %0, #3\n\ttbz %2, #63, 1f\n\tmov %0, #4\n\ttbnz %w3, #4, 1f\n\tmov %0, #5\n1:");
  puts("alu: done\n");
  return 0;
}

/* Alignment of legacy-SSE memory operands (SDM vol. 1, 11.4.1 and 11.6.1; vol. 2 per instruction): a 128-bit
 * memory operand of MOVAPS/MOVAPD/MOVDQA, of MOVNTDQ/MOVNTPS and of the packed arithmetic, logic and compare
 * forms must be 16-byte aligned, else #GP(0); MOVUPS/MOVUPD/MOVDQU and the scalar and 64-bit forms
 * (MOVSD/MOVSS/MOVQ/MOVLPS/MOVHPD ...) take any address. Each case runs at an aligned and a misaligned
 * address (+8 and +4) and prints the vector and error code or "ok". QEMU 7.2 does not check the bitwise PS/PD forms
 * (ANDPS, ORPD ...) nor CVTDQ2PS, which the SDM requires: those are unit tests (test/cpu-x86_64/unit.test.ts). */
#include "rt.h"

static u8 buf[96] __attribute__((aligned(16)));

static void report(const char *what, long off, long r) {
  if (r) rt_printf("%s +%ld: vector %ld error %lx\n", what, off, r - 1, last_error);
  else rt_printf("%s +%ld: ok\n", what, off);
}

#define LOAD(name, insn)                                                                        \
  static void name(long off) { __asm__ volatile(insn " (%0), %%xmm1" : : "r"(buf + off) : "xmm1"); }
#define STORE(name, insn)                                                                       \
  static void name(long off) { __asm__ volatile(insn " %%xmm2, (%0)" : : "r"(buf + 32 + off) : "memory"); }

LOAD(l_movaps, "movaps")
LOAD(l_movapd, "movapd")
LOAD(l_movdqa, "movdqa")
LOAD(l_movups, "movups")
LOAD(l_movdqu, "movdqu")
LOAD(l_paddd, "paddd")
LOAD(l_pxor, "pxor")
LOAD(l_pcmpeqb, "pcmpeqb")
LOAD(l_punpcklbw, "punpcklbw")
LOAD(l_pshufd, "pshufd $0x1b,")
LOAD(l_addps, "addps")
LOAD(l_mulpd, "mulpd")
LOAD(l_pand, "pand")
LOAD(l_cmpps, "cmpps $1,")
LOAD(l_movsd, "movsd")
LOAD(l_movss, "movss")
LOAD(l_movq, "movq")
LOAD(l_movlps, "movlps")
LOAD(l_movhpd, "movhpd")
LOAD(l_addsd, "addsd")
LOAD(l_cvtps2pd, "cvtps2pd")
STORE(s_movaps, "movaps")
STORE(s_movdqa, "movdqa")
STORE(s_movntdq, "movntdq")
STORE(s_movntps, "movntps")
STORE(s_movups, "movups")
STORE(s_movdqu, "movdqu")
STORE(s_movsd, "movsd")
STORE(s_movq, "movq")

struct test_case { const char *name; void (*fn)(long); };
static const struct test_case cases[] = {
  {"movaps load", l_movaps}, {"movapd load", l_movapd}, {"movdqa load", l_movdqa}, {"movups load", l_movups},
  {"movdqu load", l_movdqu}, {"paddd", l_paddd}, {"pxor", l_pxor}, {"pcmpeqb", l_pcmpeqb},
  {"punpcklbw", l_punpcklbw}, {"pshufd", l_pshufd}, {"addps", l_addps}, {"mulpd", l_mulpd}, {"pand", l_pand},
  {"cmpps", l_cmpps},
  {"movsd load", l_movsd}, {"movss load", l_movss}, {"movq load", l_movq},
  {"movlps load", l_movlps}, {"movhpd load", l_movhpd}, {"addsd", l_addsd}, {"cvtps2pd", l_cvtps2pd},
  {"movaps store", s_movaps}, {"movdqa store", s_movdqa}, {"movntdq store", s_movntdq},
  {"movntps store", s_movntps}, {"movups store", s_movups}, {"movdqu store", s_movdqu},
  {"movsd store", s_movsd}, {"movq store", s_movq},
};

int test_main(void) {
  rt_puts("t-ssealign\n");
  for (int i = 0; i < 96; i++) buf[i] = (u8)(i * 7 + 1);
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    report(cases[i].name, 0, try_call(cases[i].fn, 0));
    report(cases[i].name, 8, try_call(cases[i].fn, 8));
    report(cases[i].name, 4, try_call(cases[i].fn, 4));
  }
  return 0;
}

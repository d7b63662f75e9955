// Exception model: synchronous exceptions at EL2, EL1 and from EL0 (BRK, UDF, unallocated system registers,
// SVC, HVC, trapped SMC), ESR/ELR/SPSR/FAR contents, ERET to EL1 and EL0, virtual IRQ injection through
// HCR_EL2.VI, and the generic timers (virtual, EL1 physical, EL2 physical, CNTVOFF) polled via ISTATUS.
#include "lib.h"
#include "exc.h"

extern char vectors_el2[], vectors_el1[];
static uint8_t el1_stack[8192] __attribute__((aligned(16)));
static uint8_t el0_stack[4096] __attribute__((aligned(16)));
static volatile int virq_seen;
void el1_main(void);
void el0_main(void);
void el1_after_el0(void);

#define HCR_RW (1UL << 31)
#define HCR_IMO (1UL << 4)
#define HCR_VI (1UL << 7)
#define HCR_TSC (1UL << 19)

void exc_handler(struct frame *f, unsigned long kind, unsigned long el) {
  uint64_t esr = el == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
  unsigned ec = (unsigned)(esr >> 26) & 0x3f;
  if ((kind & 3) == 1) {
    printf("EL%lu IRQ kind %lu elr %lx spsr %lx\n", el, kind, f->elr, f->spsr);
    virq_seen = 1;
    __asm__ volatile("mov x0, #1\n\thvc #1" ::: "x0", "memory"); // ask EL2 to drop HCR_EL2.VI
    return;
  }
  printf("EL%lu sync kind %lu ec %x il %lu iss %lx elr %lx spsr %lx\n", el, kind, ec, (unsigned long)(esr >> 25) & 1,
         (unsigned long)(esr & 0x1ffffff), f->elr, f->spsr);
  if (el == 2 && ec == 0x16) {
    unsigned long fn = f->x[0];
    if (fn == 1) WRITE_SYSREG(hcr_el2, READ_SYSREG(hcr_el2) & ~HCR_VI);
    if (fn == 2) WRITE_SYSREG(hcr_el2, f->x[1]);
    if (fn == 3) { puts("exc: done\n"); psci_off(); }
    return;
  }
  if (el == 1 && ec == 0x15 && kind >= 8 && (esr & 0xffff) == 0x99) {
    // EL0 asks to leave: resume EL1 at el1_after_el0 with interrupts masked
    f->elr = (uint64_t)el1_after_el0;
    f->spsr = 0x3c5;
    return;
  }
  if (ec != 0x15 && ec != 0x16) f->elr += 4; // skip the faulting instruction
}

static void timers(void) {
  uint64_t t0 = READ_SYSREG(cntvct_el0);
  WRITE_SYSREG(cntv_cval_el0, t0 + 2000);
  WRITE_SYSREG(cntv_ctl_el0, 1);
  unsigned long ctl, polls = 0;
  while (!((ctl = READ_SYSREG(cntv_ctl_el0)) & 4)) polls++;
  printf("vtimer fired ctl %lx tval negative %d\n", ctl, (int)(int32_t)READ_SYSREG(cntv_tval_el0) <= 0);
  WRITE_SYSREG(cntv_ctl_el0, 3); // masked: ISTATUS still reports the condition
  printf("vtimer masked ctl %lx\n", READ_SYSREG(cntv_ctl_el0));
  WRITE_SYSREG(cntv_tval_el0, 100000000);
  WRITE_SYSREG(cntv_ctl_el0, 0);
  WRITE_SYSREG(cntp_tval_el0, 1500);
  WRITE_SYSREG(cntp_ctl_el0, 1);
  while (!(READ_SYSREG(cntp_ctl_el0) & 4)) { }
  printf("ptimer fired ctl %lx\n", READ_SYSREG(cntp_ctl_el0));
  WRITE_SYSREG(cntp_ctl_el0, 0);
  (void)polls;
}

int main(void) {
  puts("exc: start\n");
  WRITE_SYSREG(vbar_el2, vectors_el2);
  printf("CurrentEL %lu\n", READ_SYSREG(CurrentEL) >> 2);
  __asm__ volatile("brk #0x123");
  __asm__ volatile(".word 0x00000007"); // UDF #7
  __asm__ volatile("mrs x0, s3_6_c1_c0_0" ::: "x0"); // SCTLR_EL3: no EL3, UNDEFINED
  __asm__ volatile("svc #0x2a");
  __asm__ volatile("msr daifclr, #2\n\tmsr daifset, #2");

  // EL2 physical timer and CNTVOFF
  WRITE_SYSREG(cnthp_tval_el2, 1234);
  WRITE_SYSREG(cnthp_ctl_el2, 1);
  while (!(READ_SYSREG(cnthp_ctl_el2) & 4)) { }
  printf("hyp timer fired ctl %lx\n", READ_SYSREG(cnthp_ctl_el2));
  WRITE_SYSREG(cnthp_ctl_el2, 0);
  WRITE_SYSREG(cntvoff_el2, 0x100000);
  uint64_t v = READ_SYSREG(cntvct_el0), p = READ_SYSREG(cntpct_el0);
  printf("cntvoff applied %d\n", p - v >= 0x100000 && p - v < 0x100000 + 10000000);
  WRITE_SYSREG(cnthctl_el2, 3);

  // what EL1 sees as MIDR/MPIDR comes from VPIDR_EL2/VMPIDR_EL2
  WRITE_SYSREG(vpidr_el2, 0x410fd034);
  WRITE_SYSREG(vmpidr_el2, 0x80000102);
  // drop to EL1h
  WRITE_SYSREG(hcr_el2, HCR_RW);
  WRITE_SYSREG(vbar_el1, vectors_el1);
  WRITE_SYSREG(sp_el1, el1_stack + sizeof el1_stack);
  WRITE_SYSREG(spsr_el2, 0x3c5);
  WRITE_SYSREG(elr_el2, el1_main);
  __asm__ volatile("eret");
  return 0;
}

void el1_main(void) {
  printf("EL1: CurrentEL %lu SPSel %lu\n", READ_SYSREG(CurrentEL) >> 2, READ_SYSREG(SPSel));
  printf("EL1: midr %lx mpidr %lx\n", READ_SYSREG(midr_el1), READ_SYSREG(mpidr_el1));
  __asm__ volatile("svc #0x42");
  __asm__ volatile("mov x0, #0\n\thvc #0x17" ::: "x0");
  __asm__ volatile("mrs x0, hcr_el2" ::: "x0"); // EL2 register at EL1: UNDEFINED
  __asm__ volatile("brk #1");
  // trapped SMC (HCR_EL2.TSC)
  __asm__ volatile("mov x0, #2\n\tmov x1, %0\n\thvc #0" :: "r"(HCR_RW | HCR_TSC) : "x0", "x1");
  __asm__ volatile("smc #0x33");
  // virtual IRQ: routed physical IRQs to EL2 (IMO) make HCR_EL2.VI an IRQ at EL1
  __asm__ volatile("mov x0, #2\n\tmov x1, %0\n\thvc #0" :: "r"(HCR_RW | HCR_IMO | HCR_VI) : "x0", "x1");
  puts("virq pending, still masked\n");
  __asm__ volatile("msr daifclr, #2\n\tisb\n\tnop\n\tmsr daifset, #2" ::: "memory");
  printf("after unmask: virq_seen %d\n", virq_seen);
  __asm__ volatile("mov x0, #2\n\tmov x1, %0\n\thvc #0" :: "r"(HCR_RW) : "x0", "x1");
  timers();
  // SP_EL0 / SPSel
  WRITE_SYSREG(sp_el0, el0_stack + sizeof el0_stack);
  printf("sp_el0 ok %d\n", READ_SYSREG(sp_el0) == (uint64_t)(el0_stack + sizeof el0_stack));
  // to EL0
  WRITE_SYSREG(spsr_el1, 0);
  WRITE_SYSREG(elr_el1, el0_main);
  __asm__ volatile("eret");
}

void el0_main(void) {
  puts("EL0: hello\n");
  __asm__ volatile("mrs x0, sctlr_el1" ::: "x0"); // EL1 register at EL0: UNDEFINED, taken to EL1
  __asm__ volatile("mrs x0, CurrentEL" ::: "x0");
  __asm__ volatile("mov x0, #5\n\tmsr nzcv, x0\n\tmrs x1, nzcv\n\tsvc #0x5" ::: "x0", "x1"); // SPSR shows flags
  __asm__ volatile("hvc #0" ::: "x0"); // HVC at EL0: UNDEFINED
  __asm__ volatile("svc #0x99");
  puts("EL0: not reached\n");
  for (;;) { }
}

void el1_after_el0(void) {
  printf("EL1 again: CurrentEL %lu\n", READ_SYSREG(CurrentEL) >> 2);
  __asm__ volatile("mov x0, #3\n\thvc #0" ::: "x0");
}

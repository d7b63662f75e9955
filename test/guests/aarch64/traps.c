// Traps of system register and system instruction accesses to EL2 and EL1: HCR_EL2.TID3/TVM/TRVM/TACR/
// TSW/TTLB, CNTHCTL_EL2.EL1PCTEN/EL1PCEN, CNTKCTL_EL1 (EL0 counter access), with the EC 0x18 syndrome.
#include "lib.h"
#include "exc.h"

extern char vectors_el2[], vectors_el1[];
static uint8_t el1_stack[8192] __attribute__((aligned(16)));
static uint8_t el0_stack[4096] __attribute__((aligned(16)));
void el1_main(void);
void el0_main(void);
void el1_back(void);

void exc_handler(struct frame *f, unsigned long kind, unsigned long el) {
  uint64_t esr = el == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
  unsigned ec = (unsigned)(esr >> 26);
  if (el == 2 && ec == 0x16) { puts("traps: done\n"); psci_off(); }
  unsigned long iss = esr & 0x1ffffff;
  printf("EL%lu kind %lu ec %x op0 %lu op2 %lu op1 %lu crn %lu rt %lu crm %lu read %lu\n", el, kind, ec, iss >> 20 & 3,
         iss >> 17 & 7, iss >> 14 & 7, iss >> 10 & 15, iss >> 5 & 31, iss >> 1 & 15, iss & 1);
  if (ec == 0x15 && el == 1) { f->elr = (uint64_t)el1_back; f->spsr = 0x3c5; return; }
  if (ec == 0x18 && (iss & 1)) f->x[iss >> 5 & 31] = 0x5a5a; // emulate a read
  f->elr += 4;
}

int main(void) {
  puts("traps: start\n");
  WRITE_SYSREG(vbar_el2, vectors_el2);
  // RW | TID3 | TACR | TSW | TTLB | TVM
  WRITE_SYSREG(hcr_el2, 1UL << 31 | 1UL << 18 | 1UL << 21 | 1UL << 22 | 1UL << 25 | 1UL << 26);
  WRITE_SYSREG(cnthctl_el2, 0);
  WRITE_SYSREG(vbar_el1, vectors_el1);
  WRITE_SYSREG(sp_el1, el1_stack + sizeof el1_stack);
  WRITE_SYSREG(spsr_el2, 0x3c5);
  WRITE_SYSREG(elr_el2, el1_main);
  __asm__ volatile("eret");
  return 0;
}

void el1_main(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(v));
  printf("id_aa64mmfr0 emulated %lx\n", v);
  __asm__ volatile("mrs x3, id_aa64isar0_el1" ::: "x3");
  __asm__ volatile("mrs %0, sctlr_el1" : "=r"(v)); // TRVM clear: no trap
  printf("sctlr read ok %lu\n", v & 1);
  __asm__ volatile("msr sctlr_el1, %0" :: "r"(v));  // TVM: trapped
  __asm__ volatile("msr ttbr0_el1, xzr");
  __asm__ volatile("mrs x4, actlr_el1" ::: "x4");
  __asm__ volatile("dc cisw, xzr");
  __asm__ volatile("tlbi vmalle1");
  __asm__ volatile("mrs x5, cntpct_el0" ::: "x5");
  __asm__ volatile("mrs x6, cntp_ctl_el0" ::: "x6");
  __asm__ volatile("mrs x7, cntvct_el0" ::: "x7"); // virtual counter: not trapped
  puts("cntvct ok\n");
  WRITE_SYSREG(cntkctl_el1, 0);
  WRITE_SYSREG(sp_el0, el0_stack + sizeof el0_stack);
  WRITE_SYSREG(spsr_el1, 0);
  WRITE_SYSREG(elr_el1, el0_main);
  __asm__ volatile("eret");
}

void el0_main(void) {
  __asm__ volatile("mrs x8, cntvct_el0" ::: "x8"); // CNTKCTL_EL1.EL0VCTEN = 0: trapped to EL1
  __asm__ volatile("mrs x9, ctr_el0" ::: "x9");    // SCTLR_EL1.UCT = 0: trapped to EL1
  __asm__ volatile("svc #0");
}

void el1_back(void) {
  WRITE_SYSREG(cntkctl_el1, 2);
  puts("back in EL1\n");
  __asm__ volatile("hvc #0");
}

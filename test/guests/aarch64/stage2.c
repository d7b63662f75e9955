// Stage-2 translation (HCR_EL2.VM): a 40-bit IPA space with two concatenated level-1 tables, blocks and
// pages, S2AP read-only / no-access, XN, a remapped page, and stage-2 faults reported to EL2 with ESR
// (including the instruction syndrome ISV/SAS/SSE/SRT/SF/AR), FAR_EL2 and HPFAR_EL2; finally a stage-2
// fault during a stage-1 table walk (S1PTW).
#include "lib.h"
#include "exc.h"

#define PAGE 4096UL
#define S2_NORMAL (1UL << 10 | 3UL << 8 | 0xfUL << 2)  // AF, inner shareable, MemAttr normal WB
#define S2_DEVICE (1UL << 10 | 0x0UL << 2)
#define S2AP_R (1UL << 6)
#define S2AP_W (1UL << 7)
#define XN (1UL << 54)
#define REGION 0x40400000UL

static uint64_t s2_l1[1024] __attribute__((aligned(8192)));
static uint64_t s2_l2[512] __attribute__((aligned(4096)));
static uint64_t s2_l3[512] __attribute__((aligned(4096)));
static uint8_t el1_stack[8192] __attribute__((aligned(16)));
static volatile uint64_t marker = 0xabcdef0123456789ULL;
extern char vectors_el2[];
void el1_main(void);

void exc_handler(struct frame *f, unsigned long kind, unsigned long el) {
  uint64_t esr = READ_SYSREG(esr_el2);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x16) { puts("stage2: done\n"); psci_off(); }
  unsigned long iss = esr & 0x1ffffff;
  // For a stage-2 fault on a stage-1 walk (S1PTW) QEMU 7.2 reports the stage-1 walk level where the Arm ARM
  // asks for the level of the stage-2 fault; print only the fault type there.
  if (iss >> 7 & 1) iss &= ~3UL;
  printf("EL2 kind %lu ec %x isv %lu sas %lu sse %lu srt %lu sf %lu ar %lu s1ptw %lu wnr %lu fsc %lx far %lx hpfar %lx\n",
         kind, ec, iss >> 24 & 1, iss >> 22 & 3, iss >> 21 & 1, iss >> 16 & 31, iss >> 15 & 1, iss >> 14 & 1,
         iss >> 7 & 1, iss >> 6 & 1, iss & 0x3f, READ_SYSREG(far_el2), READ_SYSREG(hpfar_el2));
  if (ec == 0x20 && (iss >> 7 & 1)) { puts("stage2: done\n"); psci_off(); }

  if (ec == 0x20) { f->elr = f->x[30]; return; }
  f->elr += 4;
}

int main(void) {
  puts("stage2: start\n");
  WRITE_SYSREG(vbar_el2, vectors_el2);
  for (int i = 0; i < 512; i++) s2_l2[i] = (0x40000000UL + i * 0x200000UL) | S2_NORMAL | S2AP_R | S2AP_W | 1;
  for (int i = 0; i < 512; i++) s2_l3[i] = (REGION + i * PAGE) | S2_NORMAL | S2AP_R | S2AP_W | 3;
  s2_l3[1] &= ~S2AP_W;               // read-only
  s2_l3[2] &= ~(S2AP_R | S2AP_W);    // no access
  s2_l3[3] = 0;                      // invalid
  s2_l3[4] |= XN;
  s2_l3[5] = (REGION + 6 * PAGE) | S2_NORMAL | S2AP_R | S2AP_W | 3;
  s2_l2[(REGION - 0x40000000UL) >> 21] = (uint64_t)s2_l3 | 3;
  s2_l1[0] = 0 | S2_DEVICE | S2AP_R | S2AP_W | 1;
  s2_l1[1] = (uint64_t)s2_l2 | 3;
  s2_l1[512] = 0x40000000UL | S2_NORMAL | S2AP_R | S2AP_W | 1; // IPA 2^39 (second concatenated table) -> RAM
  WRITE_SYSREG(vtcr_el2, 24 | 1 << 6 | 1 << 8 | 1 << 10 | 3 << 12 | 2 << 16 | 1UL << 31);
  WRITE_SYSREG(vttbr_el2, s2_l1);
  WRITE_SYSREG(hcr_el2, 1UL << 31 | 1);
  __asm__ volatile("isb\n\ttlbi vmalls12e1\n\tdsb sy\n\tisb");
  // AT S12E1R from EL2: EL1 stage 1 is off, so the IPA is the VA, then stage 2
  uint64_t par;
  __asm__ volatile("at s12e1r, %1\n\tisb\n\tmrs %0, par_el1" : "=r"(par) : "r"(REGION + 5 * PAGE + 0x123));
  printf("AT S12E1R remapped: f %lu pa %lx\n", par & 1, par & 0xfffffffff000UL);
  __asm__ volatile("at s12e1w, %1\n\tisb\n\tmrs %0, par_el1" : "=r"(par) : "r"(REGION + PAGE));
  printf("AT S12E1W read-only: f %lu fst %lx s %lu\n", par & 1, (par >> 1) & 0x3f, (par >> 9) & 1);
  __asm__ volatile("at s1e1r, %1\n\tisb\n\tmrs %0, par_el1" : "=r"(par) : "r"(REGION + 5 * PAGE));
  printf("AT S1E1R (IPA only): f %lu pa %lx\n", par & 1, par & 0xfffffffff000UL);
  WRITE_SYSREG(sp_el1, el1_stack + sizeof el1_stack);
  WRITE_SYSREG(spsr_el2, 0x3c5);
  WRITE_SYSREG(elr_el2, el1_main);
  __asm__ volatile("eret");
  return 0;
}

void el1_main(void) {
  puts("EL1 under stage 2\n");
  *(volatile uint64_t *)(REGION + 6 * PAGE + 16) = 0x6666666666666666ULL;
  printf("remapped %lx\n", *(volatile uint64_t *)(REGION + 5 * PAGE + 16));
  printf("concatenated %lx\n", *(volatile uint64_t *)((uint64_t)&marker - 0x40000000UL + 0x8000000000UL));
  printf("read-only read %lx\n", *(volatile uint64_t *)(REGION + PAGE));
  uint64_t v = 0;
  __asm__ volatile("str w6, [%0]" :: "r"(REGION + PAGE + 8) : "x6", "memory");
  __asm__ volatile("ldrsh x7, [%0]" :: "r"(REGION + 2 * PAGE + 2) : "x7", "memory");
  __asm__ volatile("ldrb w9, [%0, #5]" :: "r"(REGION + 3 * PAGE) : "x9", "memory");
  __asm__ volatile("ldrsw x10, [%0, %1, lsl #2]" :: "r"(REGION + 2 * PAGE), "r"(3UL) : "x10", "memory");
  __asm__ volatile("ldp x11, x12, [%0]" :: "r"(REGION + 3 * PAGE) : "x11", "x12", "memory");
  __asm__ volatile("mov x13, %0\n\tstr x14, [x13], #8" :: "r"(REGION + PAGE) : "x13", "x14", "memory");
  __asm__ volatile("stlrh w15, [%0]" :: "r"(REGION + PAGE + 32) : "x15", "memory");
  __asm__ volatile("ldar x16, [%0]" :: "r"(0x80001000UL) : "x16", "memory");
  __asm__ volatile("ldr w17, [%0]" :: "r"(0x09000018UL) : "x17", "memory"); // device IPA (UART FR): no fault
  (void)v;
  *(volatile uint32_t *)(REGION + 4 * PAGE) = 0xd65f03c0; // ret
  __asm__ volatile("dc cvau, %0\n\tic ivau, %0\n\tdsb ish\n\tisb" :: "r"(REGION + 4 * PAGE));
  ((void (*)(void))(REGION + 4 * PAGE))();
  puts("after xn\n");
  // stage-1 tables placed in an IPA that stage 2 leaves invalid: the walk faults (S1PTW)
  WRITE_SYSREG(mair_el1, 0xff00);
  WRITE_SYSREG(tcr_el1, 25UL | 1UL << 23 | 2UL << 30 | 2UL << 32);
  WRITE_SYSREG(ttbr0_el1, REGION + 3 * PAGE);
  __asm__ volatile("isb");
  WRITE_SYSREG(sctlr_el1, 0x30d00800UL | 1);
  __asm__ volatile("isb");
  puts("not reached\n");
}

// Stage-1 translation at EL2 with the 64 KiB granule (39-bit VA, start level 2): 512 MiB blocks, 64 KiB
// pages, a read-only page, an invalid page, a block alias, AT results.
#include "lib.h"
#include "exc.h"

#define PAGE64 0x10000UL
#define ATTR_NORMAL (1UL << 10 | 3UL << 8 | 1UL << 2)
#define ATTR_DEVICE (1UL << 10)
#define AP_RO (1UL << 7)

static uint64_t l2[1024] __attribute__((aligned(65536)));
static uint64_t l3[8192] __attribute__((aligned(65536)));
static volatile uint64_t probe = 0x0123456789abcdefULL;
extern char vectors_el2[];

void exc_handler(struct frame *f, unsigned long kind, unsigned long el) {
  uint64_t esr = READ_SYSREG(esr_el2);
  printf("EL2 kind %lu ec %lx fsc %lx wnr %lu far %lx\n", kind, esr >> 26, esr & 0x3f, (esr >> 6) & 1, READ_SYSREG(far_el2));
  f->elr += 4;
}

static uint64_t at(uint64_t va) { __asm__ volatile("at s1e2r, %0\n\tisb" :: "r"(va)); return READ_SYSREG(par_el1); }

int main(void) {
  puts("granule64: start\n");
  WRITE_SYSREG(vbar_el2, vectors_el2);
  for (int i = 0; i < 8192; i++) l3[i] = (0x40000000UL + i * PAGE64) | ATTR_NORMAL | 3;
  l3[0x41] |= AP_RO;   // 0x40410000
  l3[0x42] = 0;        // 0x40420000
  l2[0] = 0 | ATTR_DEVICE | 1;
  l2[2] = (uint64_t)l3 | 3;
  l2[3] = 0x40000000UL | ATTR_NORMAL | 1; // 0x60000000 aliases RAM (512 MiB block)
  WRITE_SYSREG(mair_el2, 0xff00);
  WRITE_SYSREG(tcr_el2, 25 | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 14 | 2 << 16 | 1UL << 23 | 1UL << 31);
  WRITE_SYSREG(ttbr0_el2, l2);
  __asm__ volatile("dsb sy\n\ttlbi alle2\n\tdsb sy\n\tisb");
  WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1 | 1 << 2 | 1 << 12);
  __asm__ volatile("isb");
  printf("mmu on, alias %lx\n", *(volatile uint64_t *)((uint64_t)&probe + 0x20000000UL));
  printf("ro read %lx\n", *(volatile uint64_t *)0x40410008UL);
  *(volatile uint64_t *)0x40410010UL = 5;
  printf("invalid read %lx\n", *(volatile uint64_t *)0x40420000UL);
  uint64_t p = at(0x6041ffffUL);
  printf("AT alias f %lu pa %lx\n", p & 1, p & 0xfffffffff000UL);
  p = at(0x40425000UL);
  printf("AT invalid f %lu fst %lx\n", p & 1, (p >> 1) & 0x3f);
  puts("granule64: done\n");
  return 0;
}

/*
 * Stage-1 translation for EL1&0: 4 KiB granule, 39-bit VA (walk starts at level 1), identity map of the
 * first 4 GiB (device memory below 1 GiB, normal write-back RAM above), and one 2 MiB window at
 * USER_BASE with level-3 pages for the root task, mapped where its ELF image already lies.
 */
#include "kernel.h"

#define DESC_TABLE 3UL
#define DESC_BLOCK 1UL
#define DESC_PAGE 3UL
#define ATTR_IDX(i) ((u64)(i) << 2)
#define ATTR_DEVICE 0 /* MAIR attr0: Device-nGnRnE */
#define ATTR_NORMAL 1 /* MAIR attr1: Normal, inner/outer write-back */
#define AP_EL0_RW (1UL << 6)
#define AP_EL0_RO (3UL << 6)
#define SH_INNER (3UL << 8)
#define AF (1UL << 10)
#define PXN (1UL << 53)
#define UXN (1UL << 54)

static u64 l1[512] __attribute__((aligned(4096)));
static u64 l2_low[512] __attribute__((aligned(4096)));
static u64 l3_user[512] __attribute__((aligned(4096)));

extern char __kernel_start[], __kernel_end[];

static void dcache_invalidate(u64 start, u64 end) {
  u64 line = 4UL << ((READ_SYSREG(ctr_el0) >> 16) & 0xf);
  for (u64 a = ALIGN_DOWN(start, line); a < end; a += line) __asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
  __asm__ volatile("dsb sy" ::: "memory");
}

void mmu_init(void) {
  l1[0] = (u64)l2_low | DESC_TABLE;
  for (u64 i = 0; i < 512; i++) l2_low[i] = (i << 21) | AF | ATTR_IDX(ATTR_DEVICE) | DESC_BLOCK | PXN | UXN;
  l2_low[USER_BASE >> 21] = (u64)l3_user | DESC_TABLE;
  for (u64 i = 1; i < 4; i++) l1[i] = (i << 30) | AF | SH_INNER | ATTR_IDX(ATTR_NORMAL) | DESC_BLOCK | UXN;

  /* Lines left in the caches by an earlier owner of this memory must not shadow what we wrote uncached. */
  dcache_invalidate((u64)__kernel_start, (u64)__kernel_end);

  u64 parange = READ_SYSREG(id_aa64mmfr0_el1) & 0xf;
  if (parange > 5) parange = 5;
  u64 tcr = 25 /* T0SZ: 39-bit */ | (1UL << 8) | (1UL << 10) | (3UL << 12) /* WB, inner shareable walks */ |
            (1UL << 23) /* EPD1: no TTBR1 walks */ | (parange << 32);
  WRITE_SYSREG(mair_el1, 0x00UL | (0xffUL << 8));
  WRITE_SYSREG(tcr_el1, tcr);
  WRITE_SYSREG(ttbr0_el1, (u64)l1);
  __asm__ volatile("dsb sy; tlbi vmalle1; dsb sy; isb" ::: "memory");
  u64 sctlr = READ_SYSREG(sctlr_el1);
  sctlr |= (1UL << 0) | (1UL << 2) | (1UL << 12);
  sctlr &= ~(1UL << 1); /* no alignment faults */
  WRITE_SYSREG(sctlr_el1, sctlr);
  __asm__ volatile("isb; ic iallu; dsb sy; isb" ::: "memory");
}

int mmu_map_user(u64 va, u64 pa, int writable, int executable) {
  if (va < USER_BASE || va >= USER_LIMIT || (va & 0xfff) || (pa & 0xfff)) return 0;
  u64 desc = pa | AF | SH_INNER | ATTR_IDX(ATTR_NORMAL) | DESC_PAGE | PXN | (writable ? AP_EL0_RW : AP_EL0_RO);
  if (!executable) desc |= UXN;
  l3_user[(va >> 12) & 511] = desc;
  return 1;
}

int mmu_map_device(u64 lo, u64 hi) {
  if (hi <= (1UL << 30)) return 1; /* the first GiB is device memory already */
  if (lo < (4UL << 30) || hi > (512UL << 30)) return 0;
  for (u64 gib = lo >> 30; gib < ALIGN_UP(hi, 1UL << 30) >> 30; gib++)
    l1[gib] = (gib << 30) | AF | ATTR_IDX(ATTR_DEVICE) | DESC_BLOCK | PXN | UXN;
  mmu_flush();
  return 1;
}

void mmu_flush(void) { __asm__ volatile("dsb ishst; tlbi vmalle1; dsb ish; ic iallu; dsb ish; isb" ::: "memory"); }

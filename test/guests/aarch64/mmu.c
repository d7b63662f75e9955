// Stage-1 translation at EL2 (TTBR0_EL2) and EL1&0 (TTBR0/TTBR1_EL1), 4 KiB granule, 39-bit VAs: block and
// page descriptors, aliases, permission / access-flag / translation faults with ESR and FAR, execute-never,
// AT, TLBI by VA after a page and a block remap, DC ZVA, EL0 vs EL1 permissions and a higher-half (TTBR1) mapping executed from.
#include "lib.h"
#include "exc.h"

#define PAGE 4096UL
#define BLOCK_ATTR_NORMAL (1UL << 10 | 3UL << 8 | 1UL << 2 | 1) // AF, inner shareable, AttrIndx 1, block
#define BLOCK_ATTR_DEVICE (1UL << 10 | 1)                          // AF, AttrIndx 0, block
#define PAGE_NORMAL (1UL << 10 | 3UL << 8 | 1UL << 2 | 3)
#define AP_RO (1UL << 7)
#define AP_EL0 (1UL << 6)
#define XN (1UL << 54)
#define PXN (1UL << 53)

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[512] __attribute__((aligned(4096)));
static uint64_t e1_l1[512] __attribute__((aligned(4096)));
static uint64_t e1_l2[512] __attribute__((aligned(4096)));
static uint64_t e1_l3[512] __attribute__((aligned(4096)));
static uint64_t hi_l1[512] __attribute__((aligned(4096)));
static uint8_t el1_stack[8192] __attribute__((aligned(16)));
static uint8_t el0_stack[4096] __attribute__((aligned(4096)));
static uint8_t kernel_only[4096] __attribute__((aligned(4096)));
static volatile uint64_t probe_var = 0x1234abcd5678ef00ULL;
extern char vectors_el2[], vectors_el1[], __text_end[];
void el1_entry(void);
void el0_entry(void);
void el1_back(void);

#define TEST_REGION 0x40400000UL // 2 MiB region mapped with 4 KiB pages

void exc_handler(struct frame *f, unsigned long kind, unsigned long el) {
  uint64_t esr = el == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1);
  uint64_t far = el == 2 ? READ_SYSREG(far_el2) : READ_SYSREG(far_el1);
  unsigned ec = (unsigned)(esr >> 26);
  if (ec == 0x16 && el == 2) { puts("mmu: done\n"); psci_off(); }
  printf("EL%lu kind %lu ec %x fsc %lx wnr %lu cm %lu far %lx\n", el, kind, ec, (unsigned long)(esr & 0x3f),
         (unsigned long)(esr >> 6) & 1, (unsigned long)(esr >> 8) & 1, far);
  if (ec == 0x15 && (esr & 0xffff) == 0x99) { f->elr = (uint64_t)el1_back; f->spsr = 0x3c5; return; }
  if (ec == 0x20 || ec == 0x21) { f->elr = f->x[30]; return; } // instruction abort: return from the call
  f->elr += 4;
}

static uint64_t load(uint64_t va) { uint64_t v; __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(va) : "memory"); return v; }
static void store(uint64_t va, uint64_t v) { __asm__ volatile("str %0, [%1]" :: "r"(v), "r"(va) : "memory"); }
static uint64_t at_s1e2r(uint64_t va) { __asm__ volatile("at s1e2r, %0\n\tisb" :: "r"(va)); return READ_SYSREG(par_el1); }
static void print_par(const char *what, uint64_t par) {
  if (par & 1) printf("AT %s: fault fst %lx\n", what, (par >> 1) & 0x3f);
  else printf("AT %s: pa %lx attr %lx\n", what, par & 0xfffffffff000UL, par >> 56);
}

static void el2_tests(void) {
  for (int i = 0; i < 512; i++) l2[i] = (0x40000000UL + i * 0x200000UL) | BLOCK_ATTR_NORMAL;
  for (int i = 0; i < 512; i++) l3[i] = (TEST_REGION + i * PAGE) | PAGE_NORMAL;
  l3[1] |= AP_RO;
  l3[2] &= ~(1UL << 10);       // access flag clear
  l3[3] = 0;                   // invalid
  l3[4] = (TEST_REGION + 5 * PAGE) | PAGE_NORMAL; // alias of page 5
  l3[6] |= XN;
  l2[(TEST_REGION - 0x40000000UL) >> 21] = (uint64_t)l3 | 3;
  l1[0] = 0 | BLOCK_ATTR_DEVICE;
  l1[1] = (uint64_t)l2 | 3;
  l1[2] = 0x40000000UL | BLOCK_ATTR_NORMAL; // 0x80000000 aliases RAM
  WRITE_SYSREG(mair_el2, 0xff00);
  WRITE_SYSREG(tcr_el2, 25 | 1 << 8 | 1 << 10 | 3 << 12 | 2 << 16 | 1UL << 23 | 1UL << 31);
  WRITE_SYSREG(ttbr0_el2, l1);
  __asm__ volatile("dsb sy\n\ttlbi alle2\n\tdsb sy\n\tisb");
  WRITE_SYSREG(sctlr_el2, READ_SYSREG(sctlr_el2) | 1 | 1 << 2 | 1 << 12);
  __asm__ volatile("isb");
  printf("EL2 MMU on, sctlr.M %lu\n", READ_SYSREG(sctlr_el2) & 1);

  uint64_t alias = (uint64_t)&probe_var - 0x40000000UL + 0x80000000UL;
  printf("alias read %lx\n", load(alias));
  store(TEST_REGION + 5 * PAGE + 8, 0x5555aaaa5555aaaaULL);
  printf("page alias read %lx\n", load(TEST_REGION + 4 * PAGE + 8));
  printf("ro read %lx\n", load(TEST_REGION + 1 * PAGE));
  store(TEST_REGION + 1 * PAGE + 16, 1);   // permission fault
  load(TEST_REGION + 2 * PAGE + 24);       // access flag fault
  load(TEST_REGION + 3 * PAGE + 32);       // translation fault, level 3
  load(0x7000000000UL);                    // beyond the 39-bit range: translation fault, level 0/1
  load(0x00c0000000UL);                    // L1 entry 3 invalid: level 1
  print_par("ok", at_s1e2r(TEST_REGION + 7 * PAGE + 5));
  print_par("alias", at_s1e2r(0x80000000UL + 0x123456));
  print_par("invalid", at_s1e2r(TEST_REGION + 3 * PAGE));
  print_par("noaf", at_s1e2r(TEST_REGION + 2 * PAGE));

  // remap page 4 to page 7 and invalidate
  store(TEST_REGION + 7 * PAGE + 8, 0x7777777777777777ULL);
  l3[4] = (TEST_REGION + 7 * PAGE) | PAGE_NORMAL;
  __asm__ volatile("dsb ishst\n\ttlbi vae2is, %0\n\tdsb ish\n\tisb" :: "r"((TEST_REGION + 4 * PAGE) >> 12));
  printf("after remap %lx\n", load(TEST_REGION + 4 * PAGE + 8));

  // remap a 2 MiB block and invalidate by the VA of its first page only: that drops the whole block entry,
  // so the block's second page, read before the remap, now reads through the new mapping
  uint64_t blk = 0x47000000UL, other = 0x47200000UL;
  store(blk + PAGE + 8, 0x1111);
  store(other + PAGE + 8, 0x2222);
  load(blk + 8);
  printf("block before %lx\n", load(blk + PAGE + 8));
  l2[(blk - 0x40000000UL) >> 21] = other | BLOCK_ATTR_NORMAL;
  __asm__ volatile("dsb ishst\n\ttlbi vae2is, %0\n\tdsb ish\n\tisb" :: "r"(blk >> 12));
  printf("block after %lx\n", load(blk + PAGE + 8));
  l2[(blk - 0x40000000UL) >> 21] = blk | BLOCK_ATTR_NORMAL;
  __asm__ volatile("dsb ishst\n\ttlbi vale2is, %0\n\tdsb ish\n\tisb" :: "r"(blk >> 12));
  printf("block restored %lx\n", load(blk + PAGE + 8));

  // execute-never: copy "ret" to the XN page and call it
  *(volatile uint32_t *)(TEST_REGION + 6 * PAGE) = 0xd65f03c0;
  *(volatile uint32_t *)(TEST_REGION + 8 * PAGE) = 0xd65f03c0;
  __asm__ volatile("dc cvau, %0\n\tic ivau, %0\n\tdsb ish\n\tisb" :: "r"(TEST_REGION + 8 * PAGE));
  ((void (*)(void))(TEST_REGION + 8 * PAGE))();
  puts("exec ok\n");
  ((void (*)(void))(TEST_REGION + 6 * PAGE))();
  puts("after xn\n");

  // DC ZVA zeroes one 64-byte block; on a read-only page it is a write fault
  for (int i = 0; i < 32; i++) *(volatile uint32_t *)(TEST_REGION + 9 * PAGE + i * 4) = 0xffffffff;
  __asm__ volatile("dc zva, %0" :: "r"(TEST_REGION + 9 * PAGE + 70) : "memory");
  printf("zva %x %x %x\n", *(volatile uint32_t *)(TEST_REGION + 9 * PAGE + 60), *(volatile uint32_t *)(TEST_REGION + 9 * PAGE + 64),
         *(volatile uint32_t *)(TEST_REGION + 9 * PAGE + 124));
  printf("dczid %lx\n", READ_SYSREG(dczid_el0));
  __asm__ volatile("dc zva, %0" :: "r"(TEST_REGION + 1 * PAGE) : "memory");
}

static void el1_tables(void) {
  // EL1&0 regime: first 2 MiB of RAM with pages: text read-only for both ELs, data EL0-accessible
  // (so not executable at EL1), one kernel-only page; the rest of RAM as EL1 blocks.
  for (int i = 0; i < 512; i++) {
    uint64_t pa = 0x40000000UL + i * PAGE;
    e1_l3[i] = pa < (uint64_t)__text_end ? (pa | PAGE_NORMAL | AP_RO | AP_EL0) : (pa | PAGE_NORMAL | AP_EL0 | XN);
  }
  e1_l3[((uint64_t)kernel_only - 0x40000000UL) / PAGE] = (uint64_t)kernel_only | PAGE_NORMAL | XN;
  for (int i = 0; i < 512; i++) e1_l2[i] = (0x40000000UL + i * 0x200000UL) | BLOCK_ATTR_NORMAL;
  e1_l2[0] = (uint64_t)e1_l3 | 3;
  e1_l1[0] = 0 | BLOCK_ATTR_DEVICE;
  e1_l1[1] = (uint64_t)e1_l2 | 3;
  hi_l1[1] = 0x40000000UL | BLOCK_ATTR_NORMAL; // 0xffffff8040000000 -> RAM
  WRITE_SYSREG(mair_el1, 0xff00);
  WRITE_SYSREG(tcr_el1, 25UL | 1 << 8 | 1 << 10 | 3 << 12 | 25UL << 16 | 1UL << 24 | 1UL << 26 | 3UL << 28 | 2UL << 30 | 2UL << 32);
  WRITE_SYSREG(ttbr0_el1, e1_l1);
  WRITE_SYSREG(ttbr1_el1, hi_l1);
}

#define HI(p) ((uint64_t)(p) - 0x40000000UL + 0xffffff8040000000UL)

void hi_function(void) {
  uint64_t pc;
  __asm__ volatile("adr %0, ." : "=r"(pc));
  printf("running high: pc top %lx\n", pc >> 39);
}

int main(void) {
  puts("mmu: start\n");
  WRITE_SYSREG(vbar_el2, vectors_el2);
  el2_tests();
  el1_tables();
  WRITE_SYSREG(hcr_el2, 1UL << 31);
  WRITE_SYSREG(vbar_el1, vectors_el1);
  WRITE_SYSREG(sp_el1, el1_stack + sizeof el1_stack);
  WRITE_SYSREG(sctlr_el1, 0x30d00800UL | 1 | 1 << 2 | 1 << 12);
  WRITE_SYSREG(spsr_el2, 0x3c5);
  WRITE_SYSREG(elr_el2, el1_entry);
  __asm__ volatile("isb\n\teret");
  return 0;
}

void el1_entry(void) {
  printf("EL1 with MMU: sctlr.M %lu\n", READ_SYSREG(sctlr_el1) & 1);
  printf("high alias read %lx\n", load(HI(&probe_var)));
  ((void (*)(void))HI(hi_function))();
  uint64_t par;
  __asm__ volatile("at s1e1r, %0\n\tisb" :: "r"(HI(&probe_var)));
  par = READ_SYSREG(par_el1);
  print_par("s1e1r high", par);
  __asm__ volatile("at s1e0r, %0\n\tisb" :: "r"(kernel_only));
  print_par("s1e0r kernel page", READ_SYSREG(par_el1));
  __asm__ volatile("at s1e0w, %0\n\tisb" :: "r"((uint64_t)__text_end - 8));
  print_par("s1e0w text", READ_SYSREG(par_el1));
  load(0x0000007000000000UL);  // unmapped (translation fault level 1)
  store((uint64_t)vectors_el1, 0); // text is read-only at EL1 too
  WRITE_SYSREG(sp_el0, el0_stack + sizeof el0_stack);
  WRITE_SYSREG(spsr_el1, 0);
  WRITE_SYSREG(elr_el1, el0_entry);
  __asm__ volatile("eret");
}

void el0_entry(void) {
  store((uint64_t)&probe_var, 0x99);      // user data: fine
  load((uint64_t)kernel_only);            // kernel-only page: permission fault from EL0
  store((uint64_t)vectors_el1, 0);        // read-only text
  load(HI(&probe_var));                   // EL1-only high mapping
  __asm__ volatile("svc #0x99");
  for (;;) { }
}

void el1_back(void) {
  printf("back at EL1, probe %lx\n", probe_var);
  __asm__ volatile("hvc #0");
}

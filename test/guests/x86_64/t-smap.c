/* SMAP (CR4.SMAP) and STAC/CLAC: CPUID enumeration; supervisor data reads and writes of user pages fault
 * with SMAP unless EFLAGS.AC is set (by STAC or POPF) for an explicit access; the TLB does not keep a
 * permission STAC granted after CLAC; supervisor pages and user-mode accesses are unaffected; CR0.WP still
 * applies; an implicit supervisor access (a descriptor read from an LDT on a user page) faults at CPL 0
 * with AC=0 and at CPL 3 whatever AC is, and so do the stack pushes of an event delivered from CPL 3 (AC=1)
 * to a RSP0 on a user page; STAC/CLAC are #UD at CPL 3; SMEP together with SMAP. */
#include "rt.h"

#define VA_BASE 0x100000000UL /* PDPT slot 4: user pages built here */
#define ALIAS 0x180000000UL   /* PDPT slot 6: a user-accessible 1 GiB alias of physical 0 (user code) */
#define CR4_SMEP (1UL << 20)
#define CR4_SMAP (1UL << 21)
#define AC (1UL << 18)

static u64 pd4[512] __attribute__((aligned(4096)));
static u64 pt4[512] __attribute__((aligned(4096)));
static u8 frames[6][4096] __attribute__((aligned(4096)));
static u64 gdt2[16] __attribute__((aligned(16)));
static struct { u16 limit; u64 base; } __attribute__((packed)) gdtr_boot, gdtr2;

static volatile u8 *va(int page) { return (volatile u8 *)(VA_BASE + page * 4096UL); }
#define LDT_VA (VA_BASE + 3 * 4096UL)
#define USTACK (VA_BASE + 5 * 4096UL)

/* User-mode code: registers only (it runs through the alias, where the kernel's data is out of reach),
 * ends with SYSCALL 0 (exit with RDI). */
__asm__(
    ".section .text\n"
    ".globl u_read, u_ldt, u_ldt_ac, u_stac, u_clac, u_int3\n"
    "u_read:\n"
    "  movabs $0x100000000, %rax\n"
    "  movzbl 3(%rax), %edi\n"
    "  xor %eax, %eax\n"
    "  syscall\n"
    "u_ldt:\n"
    "  mov $0x0f, %eax\n"
    "  mov %eax, %ds\n"
    "  mov $1, %edi\n"
    "  xor %eax, %eax\n"
    "  syscall\n"
    "u_ldt_ac:\n"
    "  pushfq\n"
    "  orl $0x40000, (%rsp)\n"
    "  popfq\n"
    "  mov $0x0f, %eax\n"
    "  mov %eax, %ds\n"
    "  mov $2, %edi\n"
    "  xor %eax, %eax\n"
    "  syscall\n"
    "u_stac:\n"
    "  stac\n"
    "  mov $3, %edi\n"
    "  xor %eax, %eax\n"
    "  syscall\n"
    "u_int3:\n"
    "  pushfq\n"
    "  orl $0x40000, (%rsp)\n"
    "  popfq\n"
    "  int3\n"
    "  mov $5, %edi\n"
    "  xor %eax, %eax\n"
    "  syscall\n"
    "u_clac:\n"
    "  clac\n"
    "  mov $4, %edi\n"
    "  xor %eax, %eax\n"
    "  syscall\n");
extern char u_read[], u_ldt[], u_ldt_ac[], u_stac[], u_clac[], u_int3[];

static inline void stac(void) { __asm__ volatile("stac" ::: "memory"); }
static inline void clac(void) { __asm__ volatile("clac" ::: "memory"); }
static inline u64 rflags(void) { u64 f; __asm__ volatile("pushfq; pop %0" : "=r"(f)); return f; }
static inline void set_rflags(u64 f) { __asm__ volatile("push %0; popfq" : : "r"(f) : "memory", "cc"); }

static void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d) {
  __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static void rd(long p) { (void)*va(p); }
static void wr(long p) { *va(p) = 0x5a; }
static void ex(long p) { ((void (*)(void))va(p))(); }
static void rd_stac(long p) { stac(); rt_printf("(read %x) ", *va(p)); clac(); }
static void wr_stac(long p) { stac(); *va(p) = 0x66; clac(); }
static void ldt_load(long x) {
  (void)x;
  __asm__ volatile("mov $0x0c, %%eax; mov %%eax, %%ds; mov $0x10, %%eax; mov %%eax, %%ds" ::: "rax", "memory");
}

static void report(const char *what, long r) {
  if (r) rt_printf("%s: fault vector %ld error %lx cr2 %lx\n", what, r - 1, last_error, r - 1 == 14 ? last_cr2 : 0UL);
  else rt_printf("%s: ok\n", what);
}

static void (*cur_user)(void);
static long cur_result;
static void run_it(long x) { (void)x; cur_result = run_user(cur_user, (void *)USTACK); }
static void user(const char *name, char *fn) {
  cur_user = (void (*)(void))(ALIAS + (u64)fn);
  cur_result = -1;
  long r = try_call(run_it, 0);
  /* the user code may leave AC set and DS pointing into the LDT: the kernel resets both */
  clac();
  __asm__ volatile("mov $0x10, %%eax; mov %%eax, %%ds" ::: "rax", "memory");
  if (r) rt_printf("%s: fault vector %ld error %lx cr2 %lx cs %lx\n", name, r - 1, last_error, r - 1 == 14 ? last_cr2 : 0UL, last_cs);
  else rt_printf("%s: exit %ld\n", name, cur_result);
}

/* INT3 from CPL 3 (AC=1) with RSP0 on a user page: the pushes of the privilege-raising delivery are
 * implicit supervisor accesses, so SMAP refuses them whatever AC is; the #PF runs on IST1. */
static void int3_user_rsp0(const char *name) {
  set_gate(3, isr_address(3), 3, 0, 0);
  set_gate(14, isr_address(14), 0, 1, 0);
  u64 rsp0 = *(u64 *)(tss + 4);
  *(u64 *)(tss + 4) = VA_BASE + 4 * 4096 + 0x800;
  user(name, u_int3);
  *(u64 *)(tss + 4) = rsp0;
  set_gate(3, isr_address(3), 0, 0, 0);
  set_gate(14, isr_address(14), 0, 0, 0);
}

int test_main(void) {
  rt_puts("t-smap\n");
  u32 a, b, c, d;
  cpuid(7, 0, &a, &b, &c, &d);
  int smap = (b >> 20) & 1, smep = (b >> 7) & 1;
  rt_printf("cpuid 7.0: ebx.smap=%u ebx.smep=%u\n", smap, smep);
  if (!smap || !smep) {
    rt_puts("SMAP/SMEP not reported: nothing to test\n");
    return 1;
  }
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 4096; j++) frames[i][j] = (u8)(i * 16 + j);
  frames[5][0] = 0xc3; /* ret */
  pdpt[4] = (u64)pd4 | 0x7;
  pdpt[6] = 0x87;
  pd4[0] = (u64)pt4 | 0x7;
  pt4[0] = (u64)frames[0] | 0x7; /* user, writable */
  pt4[1] = (u64)frames[1] | 0x5; /* user, read-only */
  pt4[2] = (u64)frames[2] | 0x3; /* supervisor */
  pt4[3] = (u64)frames[3] | 0x7; /* user: the LDT */
  pt4[4] = (u64)frames[4] | 0x7; /* user: the user stack */
  pt4[5] = (u64)frames[5] | 0x7; /* user: "ret" */
  /* the kernel image (first 2 MiB) becomes supervisor-only, so SMAP leaves the kernel's own data alone */
  pd[0] &= ~4UL;
  write_cr3(read_cr3());

  /* an LDT on a user page with one DPL-3 data descriptor (accessed bit preset: no descriptor write) */
  *(volatile u64 *)(frames[3] + 8) = 0x00cff3000000ffffUL;
  __asm__ volatile("sgdt %0" : "=m"(gdtr_boot));
  for (unsigned i = 0; i <= gdtr_boot.limit / 8; i++) gdt2[i] = ((u64 *)gdtr_boot.base)[i];
  u64 ldt = LDT_VA, lim = 15;
  gdt2[10] = lim | ((ldt & 0xffffff) << 16) | (0x82UL << 40) | (((ldt >> 24) & 0xff) << 56);
  gdt2[11] = ldt >> 32;
  gdtr2.limit = sizeof(gdt2) - 1;
  gdtr2.base = (u64)gdt2;
  __asm__ volatile("lgdt %0; lldt %w1" : : "m"(gdtr2), "r"(0x50) : "memory");

  rt_printf("SMAP off: kernel read of a user page %x\n", *va(0));
  report("SMAP off: kernel LDT load", try_call(ldt_load, 0));
  user("SMAP off: user LDT load", u_ldt);
  int3_user_rsp0("SMAP off: user INT3 (AC=1), RSP0 on a user page");

  write_cr4(read_cr4() | CR4_SMAP);
  rt_printf("cr4.smap=%lx rflags.ac=%lx\n", (read_cr4() >> 21) & 1, (rflags() & AC) >> 18);
  report("kernel read user page (AC=0)", try_call(rd, 0));
  report("kernel write user page (AC=0)", try_call(wr, 0));
  rt_printf("kernel read supervisor page %x\n", *va(2));
  stac();
  rt_printf("after STAC rflags.ac=%lx\n", (rflags() & AC) >> 18);
  rt_printf("kernel read user page (AC=1) %x\n", *va(0));
  *va(0) = 0x77;
  rt_printf("kernel write user page (AC=1): frame byte %x\n", frames[0][0]);
  clac();
  rt_printf("after CLAC rflags.ac=%lx\n", (rflags() & AC) >> 18);
  report("kernel read user page after CLAC (entry cached while AC=1)", try_call(rd, 0));
  report("read with STAC inside", try_call(rd_stac, 0));
  report("write with STAC inside", try_call(wr_stac, 0));
  rt_printf("frame byte %x\n", frames[0][0]);
  set_rflags(rflags() | AC);
  rt_printf("AC=1 by POPF: kernel read user page %x\n", *va(0));
  report("AC=1, WP=1: kernel write read-only user page", try_call(wr, 1));
  write_cr0(read_cr0() & ~0x10000UL);
  report("AC=1, WP=0: kernel write read-only user page", try_call(wr, 1));
  write_cr0(read_cr0() | 0x10000UL);
  clac();
  rt_printf("read-only frame byte %x\n", frames[1][0]);
  report("kernel execute user page (SMAP only)", try_call(ex, 5));
  report("kernel LDT load on a user page (implicit, AC=0)", try_call(ldt_load, 0));
  user("user read of a user page", u_read);
  user("user LDT load on a user page (implicit, AC=0)", u_ldt);
  user("user LDT load on a user page (implicit, AC=1)", u_ldt_ac);
  int3_user_rsp0("user INT3 (AC=1), RSP0 on a user page");
  user("user STAC", u_stac);
  user("user CLAC", u_clac);

  write_cr4(read_cr4() | CR4_SMEP);
  report("SMEP+SMAP: kernel execute user page", try_call(ex, 5));
  report("SMEP+SMAP: kernel read user page", try_call(rd, 5));
  write_cr4(read_cr4() & ~(CR4_SMEP | CR4_SMAP));
  rt_printf("SMAP off again: kernel read user page %x\n", *va(0));

  __asm__ volatile("lldt %w0; lgdt %1" : : "r"(0), "m"(gdtr_boot) : "memory");
  pd[0] |= 4;
  pdpt[4] = 0;
  pdpt[6] = 0;
  write_cr3(read_cr3());
  return 0;
}

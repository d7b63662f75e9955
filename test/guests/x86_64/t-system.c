/* System instructions: MSR write/read-back (STAR, LSTAR, CSTAR, FMASK, FS/GS/KERNEL_GS base, PAT, MTRRs,
 * SYSENTER MSRs), descriptor-table stores, LDT segments, CR0.TS/CLTS with #NM, LMSW/SMSW, DR moves,
 * RDTSC monotonicity, XSETBV validation, cache-control no-ops. */
#include "rt.h"

static void report(const char *what, long r) {
  if (r) rt_printf("%s: vector %ld error %lx\n", what, r - 1, last_error);
  else rt_printf("%s: no fault\n", what);
}

static const u32 msrs[] = { 0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, 0xC0000100, 0xC0000101, 0xC0000102,
                            0x277, 0x200, 0x201, 0x2ff, 0x250, 0x174, 0x175, 0x176 };
static const u64 msrvals[] = { 0x0023001000000000UL, 0xffffffff81234560UL, 0x00007fff12345000UL, 0x47700,
                               0x7f0012345000UL, 0xffff888000001000UL, 0x1000, 0x0007010600070106UL, 0x6,
                               0xffff800800UL, 0xc06, 0x0606060606060606UL, 0x10, 0x123000, 0x456000 };

static u64 ldt[4];
static void do_sse_with_ts(long x) { (void)x; __asm__ volatile("pxor %%xmm1, %%xmm1" ::: "xmm1"); }
static void do_bad_xsetbv(long x) { (void)x; __asm__ volatile("xsetbv" : : "a"(2), "d"(0), "c"(0)); }
static void do_bad_xsetbv_ecx(long x) { (void)x; __asm__ volatile("xsetbv" : : "a"(3), "d"(0), "c"(1)); }
static void do_cache(long x) { (void)x; __asm__ volatile("wbinvd\n\tclflush (%0)\n\tlfence\n\tmfence\n\tsfence\n\tpause" : : "r"(ldt) : "memory"); }

int test_main(void) {
  rt_puts("t-system\n");
  for (unsigned i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
    u64 old = rdmsr(msrs[i]);
    wrmsr(msrs[i], msrvals[i]);
    rt_printf("msr %x: wrote %lx read %lx\n", msrs[i], msrvals[i], rdmsr(msrs[i]));
    if (msrs[i] >= 0xC0000100 && msrs[i] <= 0xC0000102) wrmsr(msrs[i], old);
  }
  wrmsr(0x277, 0x0007040600070406UL);
  /* descriptor tables */
  struct { u16 limit; u64 base; } __attribute__((packed)) g, i;
  __asm__ volatile("sgdt %0\n\tsidt %1" : "=m"(g), "=m"(i));
  rt_printf("gdt limit %x idt limit %x\n", g.limit, i.limit);
  u16 tr, ldtr;
  __asm__ volatile("str %0\n\tsldt %1" : "=r"(tr), "=r"(ldtr));
  rt_printf("tr %x ldtr %x\n", tr, ldtr);
  /* LDT: a 16-byte system descriptor in the GDT slot after the TSS is not available, so use 0x50 */
  extern u64 gdt_tss[2];
  u64 *gdt = (u64 *)g.base;
  ldt[1] = 0x00cf92000000ffffUL; /* flat data */
  ldt[2] = 0x00cf92001000ffffUL; /* data with base 0x10000... bits 16..39 = 0x001000 */
  u64 base = (u64)ldt, limit = sizeof(ldt) - 1;
  u16 ldt_sel = 0x58;
  gdt[11] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x82UL << 40) | (((base >> 24) & 0xff) << 56);
  gdt[12] = base >> 32;
  (void)gdt_tss;
  struct { u16 limit; u64 base; } __attribute__((packed)) g2 = { 13 * 8 - 1, g.base };
  __asm__ volatile("lgdt %0" : : "m"(g2));
  __asm__ volatile("lldt %0" : : "r"(ldt_sel));
  __asm__ volatile("sldt %0" : "=r"(ldtr));
  u16 fsel;
  __asm__ volatile("mov %1, %%fs\n\tmov %%fs, %0" : "=r"(fsel) : "r"(0x0c));
  rt_printf("ldtr %x, fs from LDT %x, accessed bit %lx\n", ldtr, fsel, (ldt[1] >> 40) & 1);
  __asm__ volatile("mov %0, %%fs" : : "r"(0x10));
  __asm__ volatile("lgdt %0" : : "m"(g));
  /* CR0.TS: SSE raises #NM until CLTS */
  write_cr0(read_cr0() | 8);
  report("sse with CR0.TS", try_call(do_sse_with_ts, 0));
  __asm__ volatile("clts");
  report("sse after clts", try_call(do_sse_with_ts, 0));
  u64 msw;
  __asm__ volatile("smsw %0" : "=r"(msw));
  rt_printf("smsw %lx\n", msw & 0xffff);
  __asm__ volatile("lmsw %0" : : "r"((u16)(msw | 8)));
  rt_printf("cr0 after lmsw TS %lx\n", read_cr0() & 0x8000000f);
  __asm__ volatile("clts");
  /* debug registers */
  u64 dr;
  __asm__ volatile("mov %1, %%dr0\n\tmov %%dr0, %0" : "=r"(dr) : "r"(0x123456UL));
  rt_printf("dr0 %lx\n", dr);
  /* time stamp counter */
  u32 a0, d0, a1, d1;
  __asm__ volatile("rdtsc" : "=a"(a0), "=d"(d0));
  for (volatile int k = 0; k < 100; k++) {}
  __asm__ volatile("rdtsc" : "=a"(a1), "=d"(d1));
  rt_printf("rdtsc advances: %d\n", (((u64)d1 << 32) | a1) > (((u64)d0 << 32) | a0));
  /* XCR0 */
  write_cr4(read_cr4() | (1 << 18));
  report("xsetbv without x87", try_call(do_bad_xsetbv, 0));
  report("xsetbv ecx=1", try_call(do_bad_xsetbv_ecx, 0));
  report("cache control and fences", try_call(do_cache, 0));
  rt_printf("cr4 %lx\n", read_cr4() & 0x406e0);
  /* x87 control/status: FNINIT, FNSTCW, FLDCW, FNSTSW, FNCLEX */
  u16 cw0 = 0, cw1 = 0, sw = 0xffff, swax;
  __asm__ volatile("fninit\n\tfnstcw %0" : "=m"(cw0));
  u16 newcw = 0x27f;
  __asm__ volatile("fldcw %1\n\tfnstcw %0\n\tfnstsw %2\n\tfnclex\n\tfnstsw %%ax" : "=m"(cw1), "+m"(newcw), "=m"(sw), "=a"(swax));
  rt_printf("x87: cw after fninit %x, after fldcw %x, sw %x, sw in ax %x\n", cw0, cw1, sw, swax);
  __asm__ volatile("fninit");
  return 0;
}

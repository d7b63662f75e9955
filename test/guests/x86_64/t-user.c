/* User mode: IRETQ to CPL 3, SYSCALL/SYSRET round trips, INT n through DPL 3 and DPL 0 gates, the TSS RSP0
 * stack switch, U/S and R/W page protection from CPL 3 (error codes), privileged instructions and port I/O
 * at CPL 3 (#GP), SWAPGS/KERNEL_GS_BASE, RDTSC/RDRAND at CPL 3. */
#include "rt.h"

static u8 user_stack[16384] __attribute__((aligned(16)));
#define USTACK (user_stack + sizeof(user_stack))

static inline long sys(long n, long a) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a) : "rcx", "r11", "r12", "memory");
  return r;
}
static void uputs(const char *s) { while (*s) sys(1, *s++); }
static void uhex(u64 v) { for (int i = 60; i >= 0; i -= 4) sys(1, "0123456789abcdef"[(v >> i) & 15]); }

static volatile u64 shared;
static void user_hello(void) {
  uputs("hello from user mode\n");
  u64 cs, ss;
  __asm__ volatile("mov %%cs, %0\n\tmov %%ss, %1" : "=r"(cs), "=r"(ss));
  uputs("cs="); uhex(cs); uputs(" ss="); uhex(ss); uputs("\n");
  u64 fl;
  __asm__ volatile("pushfq\n\tpop %0" : "=r"(fl));
  uputs("rflags after sysret path: "); uhex(fl & 0x3cffd7); uputs("\n");
  shared = 42;
  sys(0, 7);
}
static void user_int80(void) {
  __asm__ volatile("int $0x80" ::: "memory");
  __asm__ volatile("int $0x80" ::: "memory");
  sys(0, 1);
}
static void user_int81(void) { __asm__ volatile("int $0x81" ::: "memory"); sys(0, 2); }
static void user_hlt(void) { __asm__ volatile("hlt"); sys(0, 3); }
static void user_cli(void) { __asm__ volatile("cli"); sys(0, 3); }
static void user_out(void) { outb(0x80, 1); sys(0, 3); }
static void user_out80(void) { outb(0x80, 1); sys(0, 4); }
static void user_out_wide(void) { __asm__ volatile("outw %%ax, %%dx" : : "a"(0), "d"(0x7f)); sys(0, 4); }
static void user_cr3(void) { (void)read_cr3(); sys(0, 3); }
static void user_read_kernel_page(void) { (void)*(volatile u8 *)(18UL << 20); sys(0, 3); }
static void user_write_kernel_page(void) { *(volatile u8 *)(18UL << 20) = 1; sys(0, 3); }
static void user_write_ro_page(void) { *(volatile u8 *)(20UL << 20) = 1; sys(0, 3); }
static void user_rdtsc(void) {
  u32 lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  u64 r;
  u8 ok;
  __asm__ volatile("rdrand %0\n\tsetc %1" : "=r"(r), "=q"(ok));
  sys(0, 100 + ok);
}
static void user_swapgs(void) { __asm__ volatile("swapgs"); sys(0, 3); }
static void user_ud(void) { __asm__ volatile("ud2"); }

static void (*cur_user)(void);
static long cur_result;
static void run_it(long x) { (void)x; cur_result = run_user(cur_user, USTACK); }

static u64 seen_rsp, seen_cs;
static int hook(struct frame *f) {
  if (f->vector == 0x80) { irq_count[0x80]++; seen_rsp = (u64)f; seen_cs = f->cs; return 1; }
  return 0;
}

static void go(const char *name, void (*fn)(void)) {
  cur_user = fn;
  cur_result = -1;
  long r = try_call(run_it, 0);
  /* an IDT-referencing error code (bit 1) carries the vector: QEMU puts vector*16 there, the SDM vector*8;
   * print the vector-independent bits and compare the index separately */
  u64 err = last_error & 2 ? (last_error & 7) : last_error;
  if (r) rt_printf("%s: fault vector %ld error %lx from cs %lx\n", name, r - 1, err, last_cs);
  else rt_printf("%s: exit %ld\n", name, cur_result);
}

int test_main(void) {
  rt_puts("t-user\n");
  fault_hook = hook;
  set_gate(0x80, isr_address(0x80), 3, 0, 0);
  set_gate(0x81, isr_address(0x81), 0, 0, 0);
  pd[9] &= ~4UL;  /* 18..20 MiB: supervisor only */
  pd[10] &= ~2UL; /* 20..22 MiB: read only */
  write_cr3(read_cr3());
  go("hello", user_hello);
  rt_printf("shared=%lu\n", shared);
  go("int 0x80 (DPL 3)", user_int80);
  u64 rsp0 = *(u64 *)(tss + 4);
  rt_printf("int 0x80 count %u, frame on RSP0 stack %d, saved cs %lx\n", irq_count[0x80],
            seen_rsp < rsp0 && seen_rsp > rsp0 - 4096, seen_cs);
  go("int 0x81 (DPL 0)", user_int81);
  go("hlt", user_hlt);
  go("cli", user_cli);
  go("out", user_out);
  tss[104 + 0x80 / 8] &= ~(1 << (0x80 & 7)); /* I/O bitmap: allow port 0x80 only */
  go("out 0x80 allowed by the I/O bitmap", user_out80);
  go("outw 0x7f (port 0x80 allowed, 0x7f not)", user_out_wide);
  go("mov from cr3", user_cr3);
  go("read supervisor page", user_read_kernel_page);
  rt_printf("  cr2 %lx\n", last_cr2);
  go("write supervisor page", user_write_kernel_page);
  go("write read-only page", user_write_ro_page);
  go("rdtsc/rdrand", user_rdtsc);
  go("swapgs", user_swapgs);
  go("ud2", user_ud);
  /* SWAPGS at CPL 0 */
  wrmsr(0xC0000101, 0x1111000);
  wrmsr(0xC0000102, 0x2222000);
  __asm__ volatile("swapgs");
  rt_printf("swapgs: gs base %lx kernel gs base %lx\n", rdmsr(0xC0000101), rdmsr(0xC0000102));
  static u64 gsvar[2] = { 0x55, 0x66 };
  wrmsr(0xC0000101, (u64)gsvar);
  u64 v;
  __asm__ volatile("mov %%gs:8, %0" : "=r"(v));
  rt_printf("gs-relative load: %lx\n", v);
  fault_hook = 0;
  return 0;
}

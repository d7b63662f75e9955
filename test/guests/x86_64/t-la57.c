/* 5-level paging (CR4.LA57): CPUID enumeration, 48-bit vs 57-bit canonical checks, MOV to CR4 refusing to
 * toggle LA57 in long mode, the switch 4-level -> 5-level -> 4-level through compatibility mode with paging
 * off, reads through a PML5 entry (4 KiB, 2 MiB and 1 GiB pages; a higher-half alias), A/D bits at every
 * level, not-present / write / NX / U/S faults with error codes and CR2, INVLPG after
 * changing a PTE and a PML5 entry, and an FS base above 2^47 (57-bit canonical MSR check). */
#include "rt.h"

#define VA1 0x0001000000000000UL /* PML5 slot 1: non-canonical with 4-level paging */
#define VA2 0x0002000000000000UL /* PML5 slot 2: not present */
#define VAHI 0xfff0000000000000UL /* PML5 slot 496: an alias of the boot PML4 (higher half) */
#define NONCANON57 0x0100000000000000UL

static u64 pml5[512] __attribute__((aligned(4096)));
static u64 pml4b[512] __attribute__((aligned(4096)));
static u64 pdptb[512] __attribute__((aligned(4096)));
static u64 pdb[512] __attribute__((aligned(4096)));
static u64 ptb[512] __attribute__((aligned(4096)));
static u8 frames[6][4096] __attribute__((aligned(4096)));
static u8 user_stack[8192] __attribute__((aligned(16)));

/* set_paging(cr3, cr4): leaves long mode through compatibility mode, turns paging off, loads CR4 and CR3,
 * turns paging on again (EFER.LME stays set, so IA-32e mode resumes with the new paging mode). */
__asm__(
    ".section .text\n"
    ".globl set_paging\n"
    ".code64\n"
    "set_paging:\n"
    "  pushfq\n"
    "  cli\n"
    "  ljmpl *la57_compat_ptr(%rip)\n"
    ".code32\n"
    "la57_compat:\n"
    "  mov %cr0, %eax\n"
    "  and $0x7fffffff, %eax\n"
    "  mov %eax, %cr0\n"
    "  mov %esi, %cr4\n"
    "  mov %edi, %cr3\n"
    "  mov %cr0, %eax\n"
    "  or $0x80000000, %eax\n"
    "  mov %eax, %cr0\n"
    "  ljmp $0x08, $la57_back\n"
    ".code64\n"
    "la57_back:\n"
    "  popfq\n"
    "  ret\n"
    ".section .data\n"
    "la57_compat_ptr: .long la57_compat\n .word 0x40\n"
    ".section .text\n");
void set_paging(u64 cr3, u64 cr4);

static void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d) {
  __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static void rd(long a) { (void)*(volatile u8 *)a; }
static void wr(long a) { *(volatile u8 *)a = 0x5a; }
static void ex(long a) { ((void (*)(void))a)(); }
static void do_invlpg(long a) { invlpg((void *)a); }
static void toggle_la57(long x) { (void)x; write_cr4(read_cr4() ^ 0x1000); }
static void rd_fs(long x) {
  u8 v;
  (void)x;
  __asm__ volatile("movb %%fs:0, %0" : "=q"(v));
  rt_printf("fs:0 = %x\n", v);
}

static void report(const char *what, long r) {
  if (r) rt_printf("%s: fault vector %ld error %lx cr2 %lx\n", what, r - 1, last_error, r - 1 == 14 ? last_cr2 : 0UL);
  else rt_printf("%s: ok\n", what);
}

static inline long sys(long n, long a) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a) : "rcx", "r11", "r12", "memory");
  return r;
}
static void user_read_va1(void) { sys(0, *(volatile u8 *)(VA1 + 5 * 4096 + 1)); }
static long cur_result;
static void run_it(long x) { (void)x; cur_result = run_user(user_read_va1, user_stack + sizeof(user_stack)); }
static void user_test(const char *name) {
  cur_result = -1;
  long r = try_call(run_it, 0);
  if (r) rt_printf("%s: fault vector %ld error %lx cr2 %lx\n", name, r - 1, last_error, last_cr2);
  else rt_printf("%s: exit %ld\n", name, cur_result);
}

int test_main(void) {
  rt_puts("t-la57\n");
  u32 a, b, c, d;
  cpuid(7, 0, &a, &b, &c, &d);
  int la57 = (c >> 16) & 1;
  rt_printf("cpuid 7.0: ecx.la57=%u\n", la57);
  cpuid(0x80000008, 0, &a, &b, &c, &d);
  rt_printf("cpuid 80000008: linear address bits %u\n", (a >> 8) & 0xff);
  if (!la57) {
    rt_puts("LA57 not reported: nothing to test\n");
    return 1;
  }
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 4096; j++) frames[i][j] = (u8)(i * 16 + j);
  frames[3][0] = 0xc3; /* ret */

  u64 cr3_4 = read_cr3(), cr4_4 = read_cr4();
  rt_printf("4-level: cr4.la57=%lx\n", (cr4_4 >> 12) & 1);
  report("4-level: read 0x0001000000000000", try_call(rd, (long)(VA1 + 5)));
  report("4-level: read 0xfff0000000000000", try_call(rd, (long)VAHI));
  report("4-level: mov cr4 toggling LA57", try_call(toggle_la57, 0));
  report("4-level: invlpg 0x0001000000000000 (a no-op)", try_call(do_invlpg, (long)VA1));
  /* FS base 2^48: 57-bit canonical, accepted by WRMSR on an LA57 processor even with 4-level paging */
  wrmsr(0xC0000100, VA1 + 7);
  rt_printf("fs base %lx\n", rdmsr(0xC0000100));
  report("4-level: read fs:0", try_call(rd_fs, 0));

  /* the 5-level hierarchy: PML5[0] -> the boot PML4 (identity map stays), PML5[1] -> new tables */
  pml5[0] = (u64)pml4 | 0x7;
  pml5[1] = (u64)pml4b | 0x7;
  pml5[496] = (u64)pml4 | 0x7;
  pml4b[0] = (u64)pdptb | 0x7;
  pdptb[0] = (u64)pdb | 0x7;
  pdptb[1] = 0x83; /* 1 GiB page at physical 0 */
  pdb[0] = (u64)ptb | 0x7;
  u64 base2m = (u64)frames[0] & ~0x1fffffUL;
  pdb[1] = base2m | 0x83; /* 2 MiB page */
  ptb[0] = (u64)frames[0] | 0x3;
  ptb[1] = (u64)frames[1] | 0x1; /* read-only */
  ptb[2] = (u64)frames[2] | 0x3 | (1UL << 63); /* NX */
  ptb[3] = (u64)frames[3] | 0x3; /* "ret" */
  /* ptb[4] not present */
  ptb[5] = (u64)frames[4] | 0x7; /* user */

  set_paging((u64)pml5, cr4_4 | 0x1000);
  rt_printf("5-level: cr4.la57=%lx cr3 is pml5 %u\n", (read_cr4() >> 12) & 1, read_cr3() == (u64)pml5);
  report("5-level: mov cr4 clearing LA57", try_call(toggle_la57, 0));
  rt_printf("flags before: pml5[1] %lx pml4b[0] %lx pdptb[0] %lx pdb[0] %lx ptb[0] %lx\n", pml5[1] & 0xff,
            pml4b[0] & 0xff, pdptb[0] & 0xff, pdb[0] & 0xff, ptb[0] & 0xff);
  volatile u8 *p = (volatile u8 *)VA1;
  rt_printf("read 4K page: %x %x\n", p[5], p[4096 + 9]);
  rt_printf("flags after read: pml5[1] %lx pml4b[0] %lx pdptb[0] %lx pdb[0] %lx ptb[0] %lx\n", pml5[1] & 0xff,
            pml4b[0] & 0xff, pdptb[0] & 0xff, pdb[0] & 0xff, ptb[0] & 0xff);
  p[6] = 0x99;
  rt_printf("after write: frame byte %x, ptb[0] %lx\n", frames[0][6], ptb[0] & 0xff);
  u64 off2m = (u64)frames[2] - base2m;
  rt_printf("2M page read %x, pdb[1] %lx\n", *(volatile u8 *)(VA1 + 0x200000 + off2m + 3), pdb[1] & 0xff);
  rt_printf("1G page read %x, pdptb[1] %lx\n", *(volatile u8 *)(VA1 + 0x40000000 + (u64)frames[5] + 2), pdptb[1] & 0xff);
  rt_printf("higher-half alias read %x\n", *(volatile u8 *)(VAHI + (u64)frames[1] + 1));
  rt_printf("identity read %x\n", *(volatile u8 *)((u64)frames[1] + 1));

  report("5-level: read PML5 slot 2 (not present)", try_call(rd, (long)(VA2 + 0x123)));
  report("5-level: write PML5 slot 2 (not present)", try_call(wr, (long)(VA2 + 0x456)));
  /* (a PML5 entry with PS set: reserved-bit #PF, error code 9 per the SDM; QEMU 7.2 reports 8 without P,
   * so that case is a unit test) */
  report("5-level: read not-present PTE", try_call(rd, (long)(VA1 + 4 * 4096 + 1)));
  report("5-level: write read-only page", try_call(wr, (long)(VA1 + 4096)));
  report("5-level: execute NX page", try_call(ex, (long)(VA1 + 2 * 4096)));
  report("5-level: execute page", try_call(ex, (long)(VA1 + 3 * 4096)));
  report("5-level: read bit 56 set (non-canonical)", try_call(rd, (long)NONCANON57));
  report("5-level: read 0xfe00000000000000 (non-canonical)", try_call(rd, (long)0xfe00000000000000UL));
  report("5-level: invlpg 0x0100000000000000 (a no-op)", try_call(do_invlpg, (long)NONCANON57));

  /* NX in the PML5 entry covers the whole slot once the TLB forgets the page */
  pml5[1] |= 1UL << 63;
  invlpg((void *)(VA1 + 3 * 4096));
  report("5-level: execute page under an NX PML5 entry", try_call(ex, (long)(VA1 + 3 * 4096)));
  pml5[1] &= ~(1UL << 63);
  invlpg((void *)(VA1 + 3 * 4096));
  report("5-level: execute page again", try_call(ex, (long)(VA1 + 3 * 4096)));

  /* INVLPG through the extra level */
  ptb[0] = (u64)frames[5] | 0x3;
  invlpg((void *)VA1);
  rt_printf("after remap + invlpg: %x\n", p[5]);
  pml5[1] = (u64)pml4b | 0x3; /* supervisor-only at the top level */
  invlpg((void *)(VA1 + 5 * 4096));
  write_cr3(read_cr3());

  /* U/S through the PML5 entry: a user read of a user PTE under a supervisor PML5 entry faults */
  user_test("user read under a supervisor PML5 entry");
  pml5[1] |= 4;
  write_cr3(read_cr3());
  user_test("user read under a user PML5 entry");
  rt_printf("(user page byte %x)\n", frames[4][0]);

  /* FS base 2^48 + 7 now reaches PML5 slot 1 */
  rd_fs(0);

  /* back to 4-level paging: the same linear address is non-canonical again */
  set_paging(cr3_4, cr4_4);
  rt_printf("4-level again: cr4.la57=%lx\n", (read_cr4() >> 12) & 1);
  report("4-level again: read 0x0001000000000000", try_call(rd, (long)(VA1 + 5)));
  wrmsr(0xC0000100, 0);
  return 0;
}

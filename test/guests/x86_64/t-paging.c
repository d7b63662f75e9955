/* Paging: 4 KiB mappings in a fresh PD/PT, 2 MiB and 1 GiB pages, A/D bits, not-present / write /
 * NX faults with error codes and CR2, CR0.WP, INVLPG and CR3 reload, demand paging from the #PF handler. */
#include "rt.h"

#define VA_BASE 0x100000000UL /* PDPT slot 4: nothing mapped there at boot */
static u64 pd4[512] __attribute__((aligned(4096)));
static u64 pt4[512] __attribute__((aligned(4096)));
static u8 frames[8][4096] __attribute__((aligned(4096)));

static u64 pte_flags(int i) { return pt4[i] & 0xfff; }
static volatile u8 *va(int page) { return (volatile u8 *)(VA_BASE + page * 4096UL); }

static void rd(long p) { (void)*va(p); }
static void wr(long p) { *va(p) = 0x5a; }
static void exec(long p) { ((void (*)(void))va(p))(); }
static void wr_ro_kernel(long p) { *(volatile u8 *)p = 1; }

static int demand_faults;
static int demand_hook(struct frame *f) {
  u64 cr2 = read_cr2();
  if (f->vector == 14 && cr2 >= VA_BASE + 6 * 4096 && cr2 < VA_BASE + 7 * 4096 && !(pt4[6] & 1)) {
    pt4[6] = (u64)frames[6] | 0x3;
    demand_faults++;
    return 1; /* retry the instruction */
  }
  return 0;
}

static void report(const char *what, long r) {
  if (r) rt_printf("%s: fault vector %ld error %lx cr2 %lx\n", what, r - 1, last_error, last_cr2);
  else rt_printf("%s: ok\n", what);
}

int test_main(void) {
  rt_puts("t-paging\n");
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 4096; j++) frames[i][j] = (u8)(i * 16 + j);
  pdpt[4] = (u64)pd4 | 0x3;
  pd4[0] = (u64)pt4 | 0x3;
  pt4[0] = (u64)frames[0] | 0x3;                        /* RW */
  pt4[1] = (u64)frames[1] | 0x1;                        /* read-only */
  pt4[2] = (u64)frames[2] | 0x3 | (1UL << 63);          /* NX */
  pt4[3] = (u64)frames[3] | 0x3;                        /* executable: holds "ret" */
  frames[3][0] = 0xc3;
  /* pt4[4] not present */
  write_cr3(read_cr3());

  rt_printf("read p0 = %x, flags before %lx\n", *va(0), pte_flags(0));
  rt_printf("flags after read %lx (A)\n", pte_flags(0));
  *va(0) = 0x77;
  rt_printf("flags after write %lx (A|D), frame byte %x\n", pte_flags(0), frames[0][0]);
  report("read read-only page", try_call(rd, 1));
  report("write read-only page (WP=1)", try_call(wr, 1));
  write_cr0(read_cr0() & ~0x10000UL);
  report("write read-only page (WP=0)", try_call(wr, 1));
  write_cr0(read_cr0() | 0x10000UL);
  rt_printf("read-only frame byte now %x\n", frames[1][0]);
  report("read not-present page", try_call(rd, 4));
  report("write not-present page", try_call(wr, 4));
  report("execute NX page", try_call(exec, 2));
  report("execute page", try_call(exec, 3));
  report("read beyond the PT (PD entry not present)", try_call(rd, 600));
  report("non-canonical address", try_call(wr_ro_kernel, 0x0000800000000000L));

  /* remap page 0 to frame 5: visible after INVLPG */
  pt4[0] = (u64)frames[5] | 0x3;
  invlpg((void *)va(0));
  rt_printf("after remap + invlpg: %x\n", *va(0));
  pt4[0] = (u64)frames[7] | 0x3;
  write_cr3(read_cr3());
  rt_printf("after remap + cr3 reload: %x\n", *va(0));

  /* 2 MiB page A/D bits in the boot identity map (pd[8] covers 16..18 MiB) */
  pd[8] &= ~0x60UL;
  write_cr3(read_cr3());
  (void)*(volatile u8 *)(16UL << 20);
  rt_printf("2M page flags after read %lx\n", pd[8] & 0xff);
  *(volatile u8 *)((16UL << 20) + 8) = 1;
  rt_printf("2M page flags after write %lx\n", pd[8] & 0xff);

  /* 1 GiB page: PDPT slot 5 maps physical 0 */
  pdpt[5] = 0x83;
  write_cr3(read_cr3());
  rt_printf("1G page alias: %x %x\n", *(volatile u8 *)(0x140000000UL + (u64)frames[3]), *(volatile u8 *)(0x140000000UL + (u64)frames[2] + 5));
  rt_printf("1G page flags %lx\n", pdpt[5] & 0xff);

  /* demand paging from the #PF handler */
  fault_hook = demand_hook;
  for (int i = 0; i < 4; i++) *(volatile u32 *)(VA_BASE + 6 * 4096 + i * 64) = i;
  fault_hook = 0;
  rt_printf("demand faults %d, frame6 %x %x\n", demand_faults, frames[6][0], frames[6][64]);

  /* SMEP: the kernel image becomes supervisor-only, then a supervisor fetch from a user page faults */
  pd[0] &= ~4UL;
  pdpt[4] |= 4;
  pd4[0] |= 4;
  pt4[3] |= 4;
  write_cr3(read_cr3());
  write_cr4(read_cr4() | (1UL << 20));
  report("execute user page with SMEP", try_call(exec, 3));
  write_cr4(read_cr4() & ~(1UL << 20));
  report("execute user page without SMEP", try_call(exec, 3));
  /* (PCID/INVPCID are unit-tested: QEMU 7.2 TCG does not implement them) */
  pd[0] |= 4;
  write_cr3(read_cr3());

  /* supervisor write to a user page is allowed; user-page flag propagation is checked in t-user */
  pt4[0] |= 4;
  invlpg((void *)va(0));
  *va(0) = 1;
  rt_printf("flags user page %lx\n", pte_flags(0));
  return 0;
}

/*
 * Exceptions at EL1: the root task's system calls (SVC #0, x0 = call number) and every fault, which ends
 * the run with a register dump and a power-off instead of a hang.
 */
#include "kernel.h"
#include "sysregs.h"

enum { SYS_WRITE = 0, SYS_EXIT = 1 };

/* A switch, not a table of pointers: the kernel is position independent and has no relocations. */
static const char *kind_name(u64 kind) {
  switch (kind & 3) {
    case 0: return "sync";
    case 1: return "irq";
    case 2: return "fiq";
    default: return "serror";
  }
}

static void __attribute__((noreturn)) fatal(struct frame *f, u64 kind, const char *who) {
  u64 esr = READ_SYSREG(esr_el1), far = READ_SYSREG(far_el1);
  kprintf("%s: unexpected %s exception: ESR 0x%lx (EC 0x%lx) ELR 0x%lx FAR 0x%lx SPSR 0x%lx\n", who,
          kind_name(kind), esr, esr >> 26, f->elr, far, f->spsr);
  for (int i = 0; i < 31; i += 4) {
    kprintf("  ");
    for (int j = i; j < i + 4 && j < 31; j++) kprintf("x%02d=%016lx ", j, f->x[j]);
    kprintf("\n");
  }
  power_off();
}

static u64 sys_write(u64 buf, u64 len) {
  if (buf < USER_BASE || len > USER_LIMIT - USER_BASE || buf + len > USER_LIMIT) return (u64)-1;
  for (u64 i = 0; i < len; i++) kputc(((const volatile char *)buf)[i]);
  return len;
}

void exception(struct frame *f, u64 kind) {
  if (kind != 8) fatal(f, kind, "kernel");
  u64 esr = READ_SYSREG(esr_el1);
  if ((esr >> 26) != EC_SVC64) fatal(f, kind, "root");
  switch (f->x[0]) {
    case SYS_WRITE:
      f->x[0] = sys_write(f->x[1], f->x[2]);
      return;
    case SYS_EXIT:
      kprintf("root: exited with status 0x%lx\n", f->x[1] & 0xff);
      power_off();
    default:
      kprintf("root: unknown system call %lu\n", f->x[0]);
      f->x[0] = (u64)-1;
  }
}

/*
 * System calls from the root task: `int 0x80` (gate with DPL 3 in idt.c; the CPU switches to TSS.RSP0).
 * We use a software interrupt rather than SYSCALL because it shares the exception path (one frame layout,
 * one stack switch mechanism) and needs no MSR setup.
 *
 *   rax = SYS_WRITE (1), rdi = buffer, rsi = length  -> rax = bytes written, or -1 for a bad buffer
 *   rax = SYS_EXIT  (2), rdi = status                -> does not return; the run ends with that status
 *   anything else                                    -> rax = -1
 */
#include "kernel.h"

#define SYS_WRITE 1
#define SYS_EXIT 2
#define USER_TOP 0x0000800000000000ull /* end of the canonical lower half */
#define WRITE_MAX 4096

static int64_t sys_write(uint64_t buf, uint64_t len)
{
    /* Only the lower half belongs to the root task; refusing anything else keeps it from making the
       kernel print kernel memory. Unmapped user pages fault here and end the run with a dump. */
    if (len > WRITE_MAX || buf >= USER_TOP || len > USER_TOP - buf)
        return -1;
    const char *p = (const char *)(uintptr_t)buf;
    for (uint64_t i = 0; i < len; i++)
        serial_putc(p[i]);
    return (int64_t)len;
}

void syscall_dispatch(struct frame *f)
{
    switch (f->rax) {
    case SYS_WRITE:
        f->rax = (uint64_t)sys_write(f->rdi, f->rsi);
        return;
    case SYS_EXIT:
        kprintf("kernel: root task exited with status 0x%llx\n", (unsigned long long)(f->rdi & 0xff));
        end_run((uint8_t)f->rdi);
    default:
        f->rax = (uint64_t)-1;
        return;
    }
}

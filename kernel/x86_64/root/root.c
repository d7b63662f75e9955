/*
 * The root task: the first program in ring 3. It talks to the kernel only through `int 0x80`
 * (kernel/x86_64/syscall.c): write(buf, len) and exit(status).
 *
 * The message is assembled in .data on purpose: the kernel maps the root task's writable segment in
 * place onto the module's pages, and this shows that mapping works (a store, then the kernel reads it).
 * Built with -DROOT_FAULT_UD/_GP/_PF/_NX it faults instead of exiting (undefined instruction, privileged
 * instruction, write to its read-only segment, jump into its no-execute data), for the tests of the
 * kernel's fault path and of the permissions it maps the segments with.
 */
#include <stddef.h>
#include <stdint.h>

#define SYS_WRITE 1
#define SYS_EXIT 2
#define ROOT_SUCCESS 0x10

static long syscall2(long number, long a, long b)
{
    __asm__ volatile("int $0x80" : "+a"(number) : "D"(a), "S"(b) : "memory");
    return number;
}

static const char greeting[] = "ROOT: hello from user mode\n";
static char buffer[64] = { 0 }; /* .data, not .bss: the root rules forbid zero fill (Makefile: -fno-zero-initialized-in-bss) */

__attribute__((noreturn)) void root_main(void)
{
    size_t n = 0;
    while (greeting[n] && n < sizeof buffer) {
        buffer[n] = greeting[n];
        n++;
    }
    syscall2(SYS_WRITE, (long)buffer, (long)n);
#if defined(ROOT_FAULT_UD)
    __asm__ volatile("ud2");                       /* #UD */
#elif defined(ROOT_FAULT_GP)
    __asm__ volatile("hlt");                       /* privileged in ring 3: #GP(0) */
#elif defined(ROOT_FAULT_PF)
    *(volatile char *)greeting = 'X';              /* .rodata is mapped read-only: #PF, error 0x7 */
#elif defined(ROOT_FAULT_NX)
    ((void (*)(void))(uintptr_t)buffer)();         /* .data is mapped no-execute: #PF, error 0x15 */
#endif
    syscall2(SYS_EXIT, ROOT_SUCCESS, 0);
    for (;;)
        ;
}

/*
 * GDT and TSS. The descriptors themselves are in entry.S (the 32-bit code needs them to reach long mode);
 * here the TSS gets its descriptor: RSP0 is the stack the CPU switches to when ring 3 is interrupted,
 * IST1 a separate stack for #DF so a double fault caused by a broken kernel stack can still be reported.
 */
#include "kernel.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

extern uint64_t gdt[], gdt_end[], gdt_tss[];

static struct tss tss __attribute__((aligned(16)));
static uint8_t kernel_stack[16384] __attribute__((aligned(16)));
static uint8_t double_fault_stack[4096] __attribute__((aligned(16)));

void gdt_init(void)
{
    tss.rsp[0] = (uint64_t)(uintptr_t)(kernel_stack + sizeof kernel_stack);
    tss.ist[0] = (uint64_t)(uintptr_t)(double_fault_stack + sizeof double_fault_stack);
    tss.iomap_base = sizeof tss; /* no I/O permission bitmap: ring 3 gets no ports */

    uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;
    gdt_tss[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) /* present, 64-bit TSS */
                 | (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt_tss[1] = base >> 32;

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) gdtr = { (uint16_t)((uintptr_t)gdt_end - (uintptr_t)gdt - 1), (uint64_t)(uintptr_t)gdt };
    /* Reload GDTR with the higher-half address (the physical one goes away with the identity map),
       then CS through a far return, then the task register. */
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "lea 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "ltr %w2"
                     :
                     : "m"(gdtr), "i"(SEL_KCODE), "r"(SEL_TSS)
                     : "rax", "memory");
}

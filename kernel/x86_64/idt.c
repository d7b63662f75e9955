/*
 * IDT and the C side of interrupt handling. Exceptions end the run with a register dump (a misbehaving
 * guest must end with a clear verdict, never a hang); vector 0x80 is the system call gate, the only one
 * ring 3 may use; anything else is an external interrupt that can only come from firmware still running
 * (EFI boot services, keepbs build) and is acknowledged and ignored.
 */
#include "kernel.h"
#include "x86.h"

struct gate {
    uint16_t offset_low, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_high, reserved;
} __attribute__((packed));

#define GATE_INTERRUPT_DPL0 0x8e
#define GATE_INTERRUPT_DPL3 0xee
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_SYSCALL 0x80

extern const uint64_t vector_table[256]; /* vectors.S: entry stub of each vector */
static struct gate idt[256] __attribute__((aligned(16)));

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++) {
        uint64_t a = vector_table[v];
        idt[v] = (struct gate){
            .offset_low = (uint16_t)a,
            .selector = SEL_KCODE,
            .ist = v == VECTOR_DOUBLE_FAULT ? 1 : 0,
            .type = v == VECTOR_SYSCALL ? GATE_INTERRUPT_DPL3 : GATE_INTERRUPT_DPL0,
            .offset_mid = (uint16_t)(a >> 16),
            .offset_high = (uint32_t)(a >> 32),
        };
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) idtr = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range",
    "#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
    "#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check", "#MC machine check",
    "#XM SIMD error", "#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
    "reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
    "#VC VMM communication", "#SX security", "reserved 31",
};

__attribute__((noreturn)) void exception(struct frame *f)
{
    static bool in_exception;
    bool user = (f->cs & 3) == 3;
    if (in_exception) {
        kprintf("FAULT: nested exception (vector %llu) while reporting one\n", (unsigned long long)f->vector);
        end_run(STATUS_KERNEL_FAILURE);
    }
    in_exception = true;
    kprintf("FAULT: %s (vector %llu, error 0x%llx) in %s mode\n", exception_names[f->vector & 31],
            (unsigned long long)f->vector, (unsigned long long)f->error, user ? "user" : "kernel");
    kprintf("  rip=%016llx cs=%04llx rflags=%016llx\n", (unsigned long long)f->rip,
            (unsigned long long)f->cs, (unsigned long long)f->rflags);
    kprintf("  rsp=%016llx ss=%04llx cr2=%016llx cr3=%016llx\n", (unsigned long long)f->rsp,
            (unsigned long long)f->ss, (unsigned long long)read_cr2(), (unsigned long long)read_cr3());
    kprintf("  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n", (unsigned long long)f->rax,
            (unsigned long long)f->rbx, (unsigned long long)f->rcx, (unsigned long long)f->rdx);
    kprintf("  rsi=%016llx rdi=%016llx rbp=%016llx r8 =%016llx\n", (unsigned long long)f->rsi,
            (unsigned long long)f->rdi, (unsigned long long)f->rbp, (unsigned long long)f->r8);
    kprintf("  r9 =%016llx r10=%016llx r11=%016llx r12=%016llx\n", (unsigned long long)f->r9,
            (unsigned long long)f->r10, (unsigned long long)f->r11, (unsigned long long)f->r12);
    kprintf("  r13=%016llx r14=%016llx r15=%016llx\n", (unsigned long long)f->r13,
            (unsigned long long)f->r14, (unsigned long long)f->r15);
    kprintf("kernel: %s; ending the run with failure status 0x%x\n",
            user ? "root task faulted" : "kernel faulted", STATUS_KERNEL_FAILURE);
    end_run(STATUS_KERNEL_FAILURE);
}

/* External interrupt: acknowledge at both possible controllers. An EOI with nothing in service is
   ignored by the 8259 and the local APIC alike, so this is safe without knowing the source. */
static void acknowledge_unexpected_interrupt(void)
{
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    *(volatile uint32_t *)phys_to_virt(0xfee000b0) = 0; /* xAPIC EOI register */
}

void interrupt_dispatch(struct frame *f)
{
    if (f->vector < 32)
        exception(f);
    if (f->vector == VECTOR_SYSCALL && (f->cs & 3) == 3)
        syscall_dispatch(f);
    else
        acknowledge_unexpected_interrupt();
}

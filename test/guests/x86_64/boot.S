/*
 * Multiboot v1 entry for the CPU test guests: 32-bit protected mode -> long mode (PAE, 4-level tables with
 * 2 MiB identity pages over the first 4 GiB), then C. Also the exception entry stubs, try_call (run a
 * function and come back with the vector if it faults), user-mode entry and the SYSCALL entry point.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .section .text
    .code32
    .globl _start
_start:
    cli
    mov $boot_stack_top, %esp
    /* PML4[0] -> PDPT, PDPT[0..3] -> PD0..3, PD entries: 2 MiB pages P|RW|US|PS */
    mov $pml4, %edi
    lea pdpt + 0x7, %eax
    mov %eax, (%edi)
    mov $pdpt, %edi
    mov $pd + 0x7, %eax
    mov $4, %ecx
1:  mov %eax, (%edi)
    movl $0, 4(%edi)
    add $0x1000, %eax
    add $8, %edi
    loop 1b
    mov $pd, %edi
    mov $0x87, %eax
    xor %edx, %edx
    mov $2048, %ecx
2:  mov %eax, (%edi)
    mov %edx, 4(%edi)
    add $0x200000, %eax
    adc $0, %edx
    add $8, %edi
    loop 2b

    lgdt gdt_ptr
    mov %cr4, %eax
    or $0x620, %eax             /* PAE | OSFXSR | OSXMMEXCPT */
    mov %eax, %cr4
    mov $pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx
    rdmsr
    or $0x901, %eax             /* SCE | LME | NXE */
    wrmsr
    mov %cr0, %eax
    and $~0x4, %eax             /* EM off */
    or $0x80010002, %eax        /* PG | WP | MP */
    mov %eax, %cr0
    ljmp $0x08, $long_entry

    .code64
long_entry:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov $boot_stack_top, %rsp
    call rt_init
    call test_main
    mov %eax, %edi
    call rt_exit
3:  hlt
    jmp 3b

/* ---- exception/interrupt entry: one stub per vector ---- */
    .macro STUB v
    .align 16
isr_\v:
    .if (\v == 8 || (\v >= 10 && \v <= 14) || \v == 17 || \v == 21 || \v == 29 || \v == 30)
    .else
    pushq $0
    .endif
    pushq $\v
    jmp isr_common
    .endm

    .align 16
    .globl isr_table_start
isr_table_start:
    .altmacro
    .set i, 0
    .rept 256
    STUB %i
    .set i, i + 1
    .endr

isr_common:
    push %rax
    push %rcx
    push %rdx
    push %rbx
    push %rbp
    push %rsi
    push %rdi
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    cld
    call isr_dispatch
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rdi
    pop %rsi
    pop %rbp
    pop %rbx
    pop %rdx
    pop %rcx
    pop %rax
    add $16, %rsp
    iretq

/* long try_call(void (*fn)(long), long arg): 0 when fn returned, else the fault vector + 1 */
    .globl try_call
try_call:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, try_rsp(%rip)
    mov %rdi, %rax
    mov %rsi, %rdi
    call *%rax
    xor %eax, %eax
    jmp 4f
    .globl try_landing
try_landing:
    mov try_result(%rip), %rax
4:  movq $0, try_rsp(%rip)
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

/* long run_user(void (*fn)(void), void *user_stack): runs fn at CPL 3 until it calls sys_exit (syscall 0) */
    .globl run_user
run_user:
    push %rbx
    push %rbp
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, user_return_rsp(%rip)
    pushq $0x23                 /* SS: user data, RPL 3 */
    push %rsi                   /* RSP */
    pushq $0x202                /* RFLAGS: IF */
    pushq $0x2b                 /* CS: 64-bit user code, RPL 3 */
    push %rdi                   /* RIP */
    iretq

/* SYSCALL entry: rax = number. 0: exit to run_user's caller with rdi; 1: putc(rdi); else -1 */
    .globl syscall_entry
syscall_entry:
    cmp $0, %rax
    je 5f
    cmp $1, %rax
    jne 6f
    push %rcx
    push %r11
    push %rdi
    push %rsi
    push %rdx
    push %r8
    push %r9
    push %r10
    mov %rsp, %r12
    mov syscall_stack_top_ptr(%rip), %rsp
    call rt_putc
    mov %r12, %rsp
    pop %r10
    pop %r9
    pop %r8
    pop %rdx
    pop %rsi
    pop %rdi
    pop %r11
    pop %rcx
    xor %eax, %eax
    sysretq
6:  mov $-1, %rax
    sysretq
5:  mov %rdi, %rax
    mov user_return_rsp(%rip), %rsp
    mov $0x10, %cx
    mov %cx, %ss
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbp
    pop %rbx
    ret

    .section .data
    .align 16
gdt:
    .quad 0                      /* 0x00 */
    .quad 0x00af9a000000ffff     /* 0x08 kernel code 64 */
    .quad 0x00cf92000000ffff     /* 0x10 kernel data */
    .quad 0x00cffa000000ffff     /* 0x18 user code 32 (STAR base) */
    .quad 0x00cff2000000ffff     /* 0x20 user data */
    .quad 0x00affa000000ffff     /* 0x28 user code 64 */
    .globl gdt_tss
gdt_tss:
    .quad 0, 0                   /* 0x30 TSS (filled by rt_init) */
    .quad 0x00cf9a000000ffff     /* 0x40 kernel code 32 (compatibility mode) */
    .quad 0x00009a000000ffff     /* 0x48 kernel code 16 */
gdt_end:
    .globl gdt_ptr
gdt_ptr:
    .word gdt_end - gdt - 1
    .quad gdt
    .globl try_rsp, try_result, user_return_rsp, syscall_stack_top_ptr
try_rsp: .quad 0
try_result: .quad 0
user_return_rsp: .quad 0
syscall_stack_top_ptr: .quad 0

    .section .bss
    .align 4096
    .globl pml4, pdpt, pd
pml4: .skip 4096
pdpt: .skip 4096
pd:   .skip 4096 * 4
boot_stack: .skip 65536
boot_stack_top:
    .section .note.GNU-stack, "", @progbits

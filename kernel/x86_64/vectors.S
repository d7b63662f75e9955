/*
 * The 256 interrupt entry stubs, the common save/restore path and the drop to ring 3.
 *
 * vector_table[v] holds the address of stub v for idt.c. Stubs push a dummy error code where the CPU
 * does not push one, so that struct frame (kernel.h) has one layout for all vectors.
 */
    .altmacro                            /* lets "STUB %v" pass the value of v, not its name */
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23

.macro STUB v
    .text
    .balign 16
stub_\v:
    /* the CPU pushes an error code for #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX */
    .if (\v == 8) | (\v == 10) | (\v == 11) | (\v == 12) | (\v == 13) | (\v == 14) | (\v == 17) | (\v == 21) | (\v == 29) | (\v == 30)
    .else
    pushq $0
    .endif
    pushq $\v
    jmp interrupt_common
    .section .rodata
    .quad stub_\v
.endm

    .section .rodata
    .balign 8
    .globl vector_table
vector_table:
    .set v, 0
    .rept 256
    STUB %v
    .set v, v + 1
    .endr

    .text

interrupt_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    cld
    mov %rsp, %rdi                       /* struct frame * */
    mov %rsp, %rbx
    and $-16, %rsp                       /* SysV ABI alignment, whatever the interrupted code had */
    call interrupt_dispatch
    mov %rbx, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp                        /* vector and error code */
    iretq

/* enter_user(rip, rsp): build the frame IRETQ expects and leave with no kernel values in registers. */
    .globl enter_user
enter_user:
    pushq $SEL_UDATA                     /* ss */
    push %rsi                            /* rsp */
    pushq $0x2                           /* rflags: IF clear, nothing in this system raises interrupts */
    pushq $SEL_UCODE                     /* cs */
    push %rdi                            /* rip */
    xor %eax, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %fs
    mov %eax, %gs
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %edi, %edi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    iretq

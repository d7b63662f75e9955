/* Multiboot v1 entry (32-bit protected mode, paging off): own GDT, stack, then main(). Interrupt stubs push
 * the vector and call irq_dispatch(vector); exceptions end the run through isa-debug-exit with status 0x7f. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003

    .section .multiboot, "a"
    .align 4
    .long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

    .text
    .code32
    .globl _start
_start:
    cli
    lgdt gdt_ptr
    ljmp $0x08, $1f
1:  mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov $stack_top, %esp
    call main
    cli
2:  hlt
    jmp 2b

    .globl lidt_
lidt_:
    mov 4(%esp), %eax
    lidt (%eax)
    ret

    .macro irq_stub vec
    .globl irq_stub_\vec
irq_stub_\vec:
    pusha
    push $\vec
    call irq_dispatch
    add $4, %esp
    popa
    iret
    .endm
    irq_stub 0x30
    irq_stub 0x31
    irq_stub 0x34
    irq_stub 0xff

    .globl exception_stub
exception_stub:
    mov $0x7f, %al
    out %al, $0xf4
3:  hlt
    jmp 3b

    .section .rodata
    .align 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08: code, flat 32-bit */
    .quad 0x00cf92000000ffff    /* 0x10: data, flat */
gdt_ptr:
    .word gdt_ptr - gdt - 1
    .long gdt

    .section .note.GNU-stack, "", @progbits

/* A plain ELF64 whose entry point is 64-bit code: for the test loader's long-mode entry (not a Multiboot
 * image; QEMU does not boot it). Prints a line and the CPL/CS it runs with, then exits through port 0xf4. */
    .code64
    .section .text
    .globl _start
_start:
    lea msg(%rip), %rsi
    mov $0x3f8, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  mov %cs, %ax
    add $'0', %al
    out %al, %dx
    mov $'\n', %al
    out %al, %dx
    xor %eax, %eax
    out %al, $0xf4
3:  hlt
    jmp 3b
    .section .rodata
msg: .asciz "long64: entered in 64-bit mode, cs=0x0"
    .section .note.GNU-stack, "", @progbits

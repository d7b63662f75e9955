/* Entry of the test Multiboot2 loader: QEMU -kernel starts this bare ELF at EL2 with the MMU off. */
        .section .text.start, "ax"
        .globl  _start
_start:
        adrp    x0, stack_top
        add     x0, x0, :lo12:stack_top
        mov     sp, x0
        bl      loader_main
        b       .

/* void jump(u64 entry, u64 magic, u64 mbi) */
        .text
        .globl  jump
jump:
        mov     x3, x0
        mov     x0, x1
        mov     x1, x2
        mov     x2, xzr
        br      x3

        .bss
        .balign 16
        .space  8192
stack_top:

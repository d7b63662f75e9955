/* Root task entry: the kernel leaves RSP 16-byte aligned at the top of the user stack; C expects the
   alignment a call produces, so enter main through a call. main never returns (it calls exit). */
    .section .text.start, "ax"
    .globl _start
_start:
    call root_main
    ud2

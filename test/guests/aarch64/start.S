// Common entry: QEMU (virt, virtualization=on) and our test loader enter here at EL2 with the MMU off.
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x0, =__stack_top
    mov     sp, x0
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  bl      main
    .global psci_off
psci_off:
    // PSCI SYSTEM_OFF; with virtualization=on QEMU's conduit is SMC.
    movz    w0, #0x0008
    movk    w0, #0x8400, lsl #16
    smc     #0
3:  wfi
    b       3b

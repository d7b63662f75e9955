// Entry at EL2, MMU off: stack, bss, EL2 vector table, physical IRQ/FIQ routed to EL2, then main();
// power off through PSCI SYSTEM_OFF over SMC (QEMU's conduit with virtualization=on).
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
2:  adr     x0, vectors
    msr     vbar_el2, x0
    mrs     x0, hcr_el2
    orr     x0, x0, #(3 << 3)       // FMO | IMO: interrupts are taken to EL2
    msr     hcr_el2, x0
    isb
    bl      main
    movz    w0, #0x0008
    movk    w0, #0x8400, lsl #16
    smc     #0
3:  wfi
    b       3b

    .macro  unexpected
    .balign 128
    movz    w0, #0x0008
    movk    w0, #0x8400, lsl #16
    smc     #0
    .endm

    .balign 2048
vectors:
    unexpected                      // current EL, SP0: sync
    unexpected                      // irq
    unexpected                      // fiq
    unexpected                      // serror
    unexpected                      // current EL, SPx: sync
    .balign 128                     // current EL, SPx: irq
    stp     x29, x30, [sp, #-16]!
    stp     x0, x1, [sp, #-16]!
    stp     x2, x3, [sp, #-16]!
    stp     x4, x5, [sp, #-16]!
    stp     x6, x7, [sp, #-16]!
    stp     x8, x9, [sp, #-16]!
    stp     x10, x11, [sp, #-16]!
    stp     x12, x13, [sp, #-16]!
    stp     x14, x15, [sp, #-16]!
    stp     x16, x17, [sp, #-16]!
    stp     x18, xzr, [sp, #-16]!
    bl      irq_handler
    ldp     x18, xzr, [sp], #16
    ldp     x16, x17, [sp], #16
    ldp     x14, x15, [sp], #16
    ldp     x12, x13, [sp], #16
    ldp     x10, x11, [sp], #16
    ldp     x8, x9, [sp], #16
    ldp     x6, x7, [sp], #16
    ldp     x4, x5, [sp], #16
    ldp     x2, x3, [sp], #16
    ldp     x0, x1, [sp], #16
    ldp     x29, x30, [sp], #16
    eret

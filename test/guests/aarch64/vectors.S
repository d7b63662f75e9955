// Exception vector tables for EL2 and EL1. Every entry saves x0-x30, ELR and SPSR in a frame on the
// current stack and calls exc_handler(frame, kind, el) in C; the handler may change frame->elr/spsr.
// kind = vector offset / 0x80 (0-3 current EL SP0, 4-7 current EL SPx, 8-11 lower EL AArch64).

// Each vector entry has 32 instructions of room: it saves x0/x1, puts its kind in x1 and branches to the
// common code of its EL.
.macro ENTRY kind, el
    .balign 128
    sub     sp, sp, #272
    stp     x0, x1, [sp, #0]
    mov     x1, #\kind
    b       common_el\el
.endm

.macro COMMON el
common_el\el:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    mrs     x3, elr_el\el
    mrs     x4, spsr_el\el
    stp     x3, x4, [sp, #256]
    mov     x0, sp
    mov     x2, #\el
    bl      exc_handler
    ldp     x0, x1, [sp, #256]
    msr     elr_el\el, x0
    msr     spsr_el\el, x1
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #272
    eret
.endm

.macro TABLE el
    .balign 2048
    .global vectors_el\el
vectors_el\el:
    .irp kind, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    ENTRY \kind, \el
    .endr
    COMMON \el
.endm

    .text
    TABLE 2
    TABLE 1

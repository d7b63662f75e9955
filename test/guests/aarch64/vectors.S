// Exception vector tables for EL2 and EL1. Every entry saves x0-x30, ELR and SPSR in a frame on the
// current stack and calls exc_handler(frame, kind, el) in C; the handler may change frame->elr/spsr.
// kind = vector offset / 0x80 (0-3 current EL SP0, 4-7 current EL SPx, 8-11 lower EL AArch64).
#include "lib/gpr-pairs.h"

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
    GPR_PAIRS_X2_X29 stp, 0
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
    GPR_PAIRS_X2_X29 ldp, 0
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

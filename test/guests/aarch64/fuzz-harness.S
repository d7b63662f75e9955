// Executes one patched instruction with all general registers, NZCV and the SIMD registers loaded from a
// state block and stores the results back. Called as fuzz_run(state) with state laid out as
// 0: x0..x30 in, 248: nzcv in, 256: x0..x30 out, 504: nzcv out, 512: q0..q31 in, 1024: q0..q31 out, 1536: fpsr.
// The slot lives on a code page of its own that fuzz.c rewrites before each call (with cache maintenance).
#include "lib/gpr-pairs.h"
    .section .text.fuzz, "ax"
    .balign 4096
    .global fuzz_run
    .global fuzz_slot
fuzz_run:
    stp     x29, x30, [sp, #-96]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mov     x1, sp
    msr     tpidr_el2, x1           // our stack pointer, restored at the end
    mov     sp, x0                  // SP = state block while the slot runs
    add     x1, sp, #512
    ld1     {v0.16b-v3.16b}, [x1], #64
    ld1     {v4.16b-v7.16b}, [x1], #64
    ld1     {v8.16b-v11.16b}, [x1], #64
    ld1     {v12.16b-v15.16b}, [x1], #64
    ld1     {v16.16b-v19.16b}, [x1], #64
    ld1     {v20.16b-v23.16b}, [x1], #64
    ld1     {v24.16b-v27.16b}, [x1], #64
    ld1     {v28.16b-v31.16b}, [x1], #64
    msr     fpsr, xzr
    msr     fpcr, xzr
    ldr     x1, [sp, #248]
    msr     nzcv, x1
    ldp     x0, x1, [sp, #0]
    GPR_PAIRS_X2_X29 ldp, 0
    ldr     x30, [sp, #240]
fuzz_slot:
    nop
    stp     x0, x1, [sp, #256]
    GPR_PAIRS_X2_X29 stp, 256
    str     x30, [sp, #496]
    mrs     x0, nzcv
    str     x0, [sp, #504]
    add     x1, sp, #1024
    st1     {v0.16b-v3.16b}, [x1], #64
    st1     {v4.16b-v7.16b}, [x1], #64
    st1     {v8.16b-v11.16b}, [x1], #64
    st1     {v12.16b-v15.16b}, [x1], #64
    st1     {v16.16b-v19.16b}, [x1], #64
    st1     {v20.16b-v23.16b}, [x1], #64
    st1     {v24.16b-v27.16b}, [x1], #64
    st1     {v28.16b-v31.16b}, [x1], #64
    mrs     x0, fpsr
    str     x0, [sp, #1536]
    mrs     x1, tpidr_el2
    mov     sp, x1
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #96
    ret
    .balign 4096

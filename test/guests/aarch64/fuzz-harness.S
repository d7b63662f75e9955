// Executes one patched instruction with all general registers, NZCV and the SIMD registers loaded from a
// state block and stores the results back. Called as fuzz_run(state) with state laid out as
// 0: x0..x30 in, 248: nzcv in, 256: x0..x30 out, 504: nzcv out, 512: q0..q31 in, 1024: q0..q31 out, 1536: fpsr.
// The slot lives on a code page of its own that fuzz.c rewrites before each call (with cache maintenance).
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
fuzz_slot:
    nop
    stp     x0, x1, [sp, #256]
    stp     x2, x3, [sp, #272]
    stp     x4, x5, [sp, #288]
    stp     x6, x7, [sp, #304]
    stp     x8, x9, [sp, #320]
    stp     x10, x11, [sp, #336]
    stp     x12, x13, [sp, #352]
    stp     x14, x15, [sp, #368]
    stp     x16, x17, [sp, #384]
    stp     x18, x19, [sp, #400]
    stp     x20, x21, [sp, #416]
    stp     x22, x23, [sp, #432]
    stp     x24, x25, [sp, #448]
    stp     x26, x27, [sp, #464]
    stp     x28, x29, [sp, #480]
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

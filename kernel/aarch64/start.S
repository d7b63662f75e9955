/*
 * Entry of the aarch64 reference kernel.
 *
 * Entered with the MMU off at EL2 or EL1 (NOVA's aarch64 launch): X0 = 0x36d76289 and X1 = Multiboot2
 * information, or the legacy launch X0 = FDT and X1 = root task ELF. At EL2 the kernel drops to EL1 (an
 * ARMv8.0 core has no VHE, and EL0 code needs the EL1&0 translation regime).
 */
#include "sysregs.h"
#include "lib/gpr-pairs.h"

        /* Multiboot2 header with NOVA's tags: module alignment (6) and relocatable (10). */
        .section .mb2header, "a"
        .balign 8
mb2_header:
        .long   0xe85250d6                    /* magic */
        .long   0                             /* architecture: NOVA uses 0 on both architectures */
        .long   mb2_header_end - mb2_header
        .long   -(0xe85250d6 + 0 + (mb2_header_end - mb2_header))
        .balign 8
        .short  6, 0                          /* module alignment: page-aligned modules */
        .long   8
#ifndef FIXED_ADDRESS
        .balign 8
        .short  10, 0                         /* relocatable */
        .long   24
        .long   0x00200000                    /* min_addr */
        .long   0xffffffff                    /* max_addr */
        .long   0x00200000                    /* align: 2 MiB */
        .long   2                             /* preference: high */
#endif
#ifdef KEEP_BOOT_SERVICES
        .balign 8
        .short  7, 0
        .long   8
#endif
        .balign 8
        .short  0, 0                          /* end */
        .long   8
mb2_header_end:

        .section .text.start, "ax"
        .globl  _start
_start:
        msr     daifset, #0xf
        mov     x19, x0                       /* boot argument 0 */
        mov     x20, x1                       /* boot argument 1 */
        mrs     x21, CurrentEL
        lsr     x21, x21, #2                  /* entry exception level */

        adrp    x0, boot_stack_top
        add     x0, x0, :lo12:boot_stack_top
        mov     sp, x0

        /* Zero .bss (the MMU is off: Device memory, so aligned 8-byte stores only). */
        adrp    x0, __bss_start
        add     x0, x0, :lo12:__bss_start
        adrp    x1, __bss_end
        add     x1, x1, :lo12:__bss_end
1:      cmp     x0, x1
        b.hs    2f
        str     xzr, [x0], #8
        b       1b
2:
        cmp     x21, #2
        b.eq    from_el2
        cmp     x21, #1
        b.eq    at_el1
        b       .                             /* EL3 entry is not supported: nothing can report it */

from_el2:
        /* EL1 runs AArch64, no stage 2, no traps of timers, FP/SIMD or cache maintenance. */
        mov     x0, #HCR_RW
        msr     hcr_el2, x0
        mrs     x0, cnthctl_el2
        orr     x0, x0, #3                    /* EL1PCTEN | EL1PCEN */
        msr     cnthctl_el2, x0
        msr     cntvoff_el2, xzr
        msr     vttbr_el2, xzr
        mov     x0, #0x33ff                   /* CPTR_EL2: RES1 bits, no traps */
        msr     cptr_el2, x0
        mrs     x0, midr_el1
        msr     vpidr_el2, x0
        mrs     x0, mpidr_el1
        msr     vmpidr_el2, x0
        ldr     x0, =SCTLR_EL1_RES1
        msr     sctlr_el1, x0
        mov     x0, #SPSR_EL1H_MASKED
        msr     spsr_el2, x0
        adr     x0, at_el1
        msr     elr_el2, x0
        mov     x0, sp
        msr     sp_el1, x0
        isb
        eret

at_el1:
        ldr     x0, =SCTLR_EL1_RES1
        msr     sctlr_el1, x0
        mov     x0, #(3 << 20)                /* CPACR_EL1.FPEN: no FP/SIMD traps */
        msr     cpacr_el1, x0
        adrp    x0, vectors
        add     x0, x0, :lo12:vectors
        msr     vbar_el1, x0
        isb
        mov     x0, x19
        mov     x1, x20
        mov     x2, x21
        bl      kmain
        b       .

/* void enter_el0(u64 entry, u64 sp): leaves the kernel stack as it is; exceptions come back on SP_EL1. */
        .text
        .globl  enter_el0
enter_el0:
        msr     elr_el1, x0
        msr     sp_el0, x1
        /* EL0t with D, A, I, F masked: the kernel handles no interrupts, and a firmware that kept its boot
           services (Multiboot2 tag 7) may still have a timer armed. */
        mov     x2, #0x3c0
        msr     spsr_el1, x2
        mov     x0, xzr
        mov     x1, xzr
        mov     x2, xzr
        mov     x30, xzr
        isb
        eret

/* u64 psci_call(u64 fid, u64 a1, u64 a2, u64 a3, u64 use_hvc) */
        .globl  psci_call
psci_call:
        cbnz    x4, 1f
        smc     #0
        ret
1:      hvc     #0
        ret

/*
 * Exception vectors. Every entry saves x0-x30, ELR and SPSR into a frame on SP_EL1 and calls
 * exception(frame, kind); the handler returns to eret or never returns.
 */
.macro VECTOR kind
        .balign 0x80
        sub     sp, sp, #(34 * 8)
        stp     x0, x1, [sp, #0]
        mov     x0, #\kind
        b       save_and_handle
.endm

        .balign 0x800
        .globl  vectors
vectors:
        VECTOR  0   /* current EL, SP_EL0: sync */
        VECTOR  1   /* irq */
        VECTOR  2   /* fiq */
        VECTOR  3   /* serror */
        VECTOR  4   /* current EL, SP_ELx: sync */
        VECTOR  5
        VECTOR  6
        VECTOR  7
        VECTOR  8   /* lower EL AArch64: sync (SVC from the root task) */
        VECTOR  9
        VECTOR  10
        VECTOR  11
        VECTOR  12  /* lower EL AArch32 */
        VECTOR  13
        VECTOR  14
        VECTOR  15

save_and_handle:
        GPR_PAIRS_X2_X29 stp, 0
        mrs     x2, elr_el1
        mrs     x3, spsr_el1
        stp     x30, x2, [sp, #240]
        str     x3, [sp, #256]
        mov     x1, x0                        /* kind (the guest's x0/x1 are already in the frame) */
        mov     x0, sp
        bl      exception
        ldp     x30, x2, [sp, #240]
        ldr     x3, [sp, #256]
        msr     elr_el1, x2
        msr     spsr_el1, x3
        ldp     x0, x1, [sp, #0]
        GPR_PAIRS_X2_X29 ldp, 0
        add     sp, sp, #(34 * 8)
        eret

        .section .bss
        .balign 16
boot_stack:
        .space  16384
boot_stack_top:

/*
 * Entry points of the aarch64 loader stub. The stub starts with a jump table at fixed offsets (recorded for
 * the composer in stub-symbols.json): +0 Linux Image entry (X0 = FDT), +4 Multiboot2 entry (X0 = 0x36d76289,
 * X1 = MBI), +8 UEFI entry (X0 = ImageHandle, X1 = SystemTable, AAPCS64). Then stub_info.
 */
        .section .text.head, "ax"
        .globl  stub_header, stub_info
stub_header:
        b       entry_linux
        b       entry_mb2
        b       entry_efi
        nop
stub_info:                                    /* struct stub_info, patched by the composer */
        .ascii  "NOVASTUB"
        .long   1                             /* version */
        .long   0, 0, 0, 0, 0                 /* stub_offset catalog_offset catalog_size file_size flags */

        .text
entry_linux:
        mov     x1, x0                        /* FDT */
        mov     x2, xzr
        mov     x0, #1                        /* PATH_LINUX */
        b       common
entry_mb2:
        mov     x2, x1                        /* MBI */
        mov     x1, x0                        /* magic */
        mov     x0, #2                        /* PATH_MB2 */
        b       common
common:
        msr     daifset, #0xf
        adrp    x3, stack_top
        add     x3, x3, :lo12:stack_top
        mov     sp, x3
        bl      stub_main                     /* stub_main(path, x0, x1) */
        b       .

entry_efi:
        /* Keep the firmware's registers for the return path: UEFI may call us back only through returns. */
        stp     x29, x30, [sp, #-16]!
        mov     x29, sp
        adrp    x3, stack_top
        add     x3, x3, :lo12:stack_top
        mov     x4, sp
        mov     sp, x3
        str     x4, [sp, #-16]!
        bl      efi_main
        ldr     x4, [sp], #16
        mov     sp, x4
        ldp     x29, x30, [sp], #16
        ret

/*
 * void launch(u64 entry, u64 x0, u64 x1): caches were cleaned to PoC by the caller. Turns the MMU and caches
 * off at the current EL (a no-op on the paths that entered with them off) and jumps, touching no memory.
 */
        .globl  launch
launch:
        msr     daifset, #0xf
        mov     x19, x0
        mov     x20, x1
        mov     x21, x2
        mov     x5, #0x1005                   /* SCTLR: I | C | M */
        mrs     x3, CurrentEL
        cmp     x3, #(2 << 2)
        b.ne    1f
        mrs     x4, sctlr_el2
        bic     x4, x4, x5
        msr     sctlr_el2, x4
        isb
        b       2f
1:      mrs     x4, sctlr_el1
        bic     x4, x4, x5
        msr     sctlr_el1, x4
        isb
2:      ic      iallu
        dsb     sy
        isb
        mov     x0, x20
        mov     x1, x21
        mov     x2, xzr
        mov     x3, xzr
        br      x19

/* u64 psci_system_off(u64 use_hvc): PSCI SYSTEM_OFF (0x84000008) over SMC or HVC. */
        .globl  psci_system_off
psci_system_off:
        mov     x1, x0
        ldr     x0, =0x84000008
        cbnz    x1, 1f
        smc     #0
        ret
1:      hvc     #0
        ret

/* void dcache_clean_inval(u64 lo, u64 hi): DC CIVAC over [lo, hi), to the point of coherency. */
        .globl  dcache_clean_inval
dcache_clean_inval:
        mrs     x3, ctr_el0
        ubfx    x3, x3, #16, #4
        mov     x2, #4
        lsl     x2, x2, x3                    /* smallest D-cache line */
        sub     x3, x2, #1
        bic     x0, x0, x3
1:      cmp     x0, x1
        b.hs    2f
        dc      civac, x0
        add     x0, x0, x2
        b       1b
2:      dsb     sy
        ret

        .section .bss.stack, "aw", %nobits
        .balign 16
stack:
        .space  32768
stack_top:

/*
 * Entry-state probe for the arm64 Image protocol (Documentation/arch/arm64/booting.rst): a minimal Image that
 * prints, on the PL011 at 0x09000000, the registers and state a loader handed it, then powers off through
 * PSCI SYSTEM_OFF (SMC when entered at EL2, HVC at EL1, as QEMU's virt offers). The same file runs under
 * `qemu-system-aarch64 -M virt -kernel` and on our virt board; test/boot-virt compares the two outputs.
 *
 * Printed: x0..x3, CurrentEL, DAIF, SPSel, SCTLR of the entry EL masked to M, C, I (MMU and caches off),
 * the load address (PC-relative), the FDT magic at x0, CNTFRQ_EL0 and MIDR_EL1.
 */
#ifndef TEXT_OFFSET
#define TEXT_OFFSET 0
#endif
#define UART 0x09000000
#define PSCI_SYSTEM_OFF 0x84000008

  .section .head, "ax"
  .globl _head
_head:
  b start                       /* code0 */
  .word 0                       /* code1 */
  .quad TEXT_OFFSET             /* text_offset */
  .quad _end - _head            /* image_size */
  .quad 0xa                     /* flags: little-endian, 4 KiB pages, physical placement anywhere */
  .quad 0, 0, 0                 /* res2..res4 */
  .ascii "ARM\x64"              /* magic */
  .word 0                       /* res5 */

  .text
start:
  mov x19, x0
  mov x20, x1
  mov x21, x2
  mov x22, x3
  mrs x23, CurrentEL
  mrs x24, DAIF
  mrs x25, SPSel
  lsr x0, x23, #2
  cmp x0, #2
  b.ne 1f
  mrs x26, SCTLR_EL2
  b 2f
1:mrs x26, SCTLR_EL1
2:
  adr x0, s_x0
  mov x1, x19
  bl field
  adr x0, s_x1
  mov x1, x20
  bl field
  adr x0, s_x2
  mov x1, x21
  bl field
  adr x0, s_x3
  mov x1, x22
  bl field
  adr x0, s_el
  lsr x1, x23, #2
  bl field
  adr x0, s_daif
  lsr x1, x24, #6
  bl field
  adr x0, s_spsel
  mov x1, x25
  bl field
  adr x0, s_sctlr
  mov x2, #0x1005
  and x1, x26, x2
  bl field
  adr x0, s_base
  adr x1, _head
  bl field
  adr x0, s_magic
  ldr w1, [x19]
  rev w1, w1
  bl field
  adr x0, s_cntfrq
  mrs x1, CNTFRQ_EL0
  bl field
  adr x0, s_midr
  mrs x1, MIDR_EL1
  bl field
  ldr x0, =PSCI_SYSTEM_OFF
  lsr x1, x23, #2
  cmp x1, #2
  b.ne 3f
  smc #0
  b .
3:hvc #0
  b .

/* field(x0 = label, x1 = value): prints "<label>=<16 hex digits>\n". */
field:
  mov x9, #UART
1:ldrb w10, [x0], #1
  cbz w10, 2f
  str w10, [x9]
  b 1b
2:mov w10, #'='
  str w10, [x9]
  mov x11, #60
3:lsr x10, x1, x11
  and x10, x10, #15
  cmp x10, #10
  add x12, x10, #'0'
  add x10, x10, #('a' - 10)
  csel x10, x12, x10, lo
  str w10, [x9]
  subs x11, x11, #4
  b.ge 3b
  mov w10, #'\n'
  str w10, [x9]
  ret

s_x0: .asciz "x0"
s_x1: .asciz "x1"
s_x2: .asciz "x2"
s_x3: .asciz "x3"
s_el: .asciz "CurrentEL"
s_daif: .asciz "DAIF"
s_spsel: .asciz "SPSel"
s_sctlr: .asciz "SCTLR.MCI"
s_base: .asciz "loaded-at"
s_magic: .asciz "fdt-magic"
s_cntfrq: .asciz "CNTFRQ_EL0"
s_midr: .asciz "MIDR_EL1"
  .balign 8
  .ltorg

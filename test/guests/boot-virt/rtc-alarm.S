/*
 * PL031 alarm through GICv2, as an arm64 Image: sets the RTC match register to the next second, routes
 * SPI 2 (INTID 34) to CPU 0, unmasks IRQs and sleeps in WFI with no CPU timer armed, so only the RTC can wake
 * it. The IRQ handler (EL2, SPx, IRQ vector) prints the acknowledged INTID and the RTC's masked interrupt
 * status, clears both and powers off through PSCI SYSTEM_OFF over SMC. test/boot-virt runs it under QEMU and
 * on our virt board: on ours the wake-up comes from the virtual clock while the CPU is idle.
 * Built with -DARM_TIMER (rtc-alarm-timer.img) it also arms the EL2 physical timer 10 s ahead (its PPI left
 * disabled in the GIC, so it can never wake the CPU) and the handler prints the timer's CNTHP_CTL_EL2.ISTATUS:
 * 0 when the RTC alarm was delivered on time, 1 when the CPU slept past it to the timer's deadline.
 */
#define UART 0x09000000
#define GICD 0x08000000
#define GICC 0x08010000
#define RTC 0x09010000
#define PSCI_SYSTEM_OFF 0x84000008

  .section .head, "ax"
  .globl _head
_head:
  b start                       /* code0 */
  .word 0                       /* code1 */
  .quad 0                       /* text_offset */
  .quad _end - _head            /* image_size */
  .quad 0xa                     /* flags: little-endian, 4 KiB pages, anywhere */
  .quad 0, 0, 0                 /* res2..res4 */
  .ascii "ARM\x64"              /* magic */
  .word 0                       /* res5 */

  .text
start:
  adr x0, vectors
  msr VBAR_EL2, x0
  isb
  mov x9, #UART
  adr x0, s_wait
  bl puts
  /* GIC distributor: enable, INTID 34 enabled and targeted at CPU 0; CPU interface: all priorities pass. */
  ldr x1, =GICD
  mov w2, #1
  str w2, [x1, #0x000]          /* GICD_CTLR.EnableGrp0 */
  mov w2, #(1 << 2)
  str w2, [x1, #0x104]          /* GICD_ISENABLER1: INTID 34 */
  mov w2, #0x00010000
  str w2, [x1, #0x820]          /* GICD_ITARGETSR8, byte 2: INTID 34 -> CPU 0 */
  ldr x1, =GICC
  mov w2, #0xff
  str w2, [x1, #0x004]          /* GICC_PMR */
  mov w2, #1
  str w2, [x1, #0x000]          /* GICC_CTLR.EnableGrp0 */
  /* RTC: match at the next second, interrupt unmasked. */
  ldr x1, =RTC
  ldr w2, [x1, #0x000]          /* RTCDR */
  add w2, w2, #1
  str w2, [x1, #0x004]          /* RTCMR */
  mov w2, #1
  str w2, [x1, #0x010]          /* RTCIMSC */
  /* At EL2 a physical IRQ is taken only when routed to EL2: HCR_EL2.IMO. */
  mov x2, #(1 << 4)
  msr HCR_EL2, x2
  isb
#ifdef ARM_TIMER
  ldr x2, =625000000            /* 10 s at the board's 62.5 MHz counter */
  msr CNTHP_TVAL_EL2, x2
  mov x2, #1
  msr CNTHP_CTL_EL2, x2         /* ENABLE, IMASK clear */
  isb
#endif
  msr DAIFClr, #2               /* unmask IRQ */
1:wfi
  b 1b

irq:
  ldr x1, =GICC
  ldr w19, [x1, #0x00c]         /* GICC_IAR */
  ldr x1, =RTC
  ldr w20, [x1, #0x018]         /* RTCMIS */
  mov w2, #1
  str w2, [x1, #0x01c]          /* RTCICR */
  ldr x1, =GICC
  str w19, [x1, #0x010]         /* GICC_EOIR */
  mov x9, #UART
  adr x0, s_irq
  bl puts
  and w0, w19, #0x3ff
  bl putdec
  adr x0, s_mis
  bl puts
  mov w0, w20
  bl putdec
#ifdef ARM_TIMER
  adr x0, s_timer
  bl puts
  mrs x0, CNTHP_CTL_EL2
  ubfx w0, w0, #2, #1           /* ISTATUS */
  bl putdec
#endif
  mov w2, #'\n'
  str w2, [x9]
  ldr x0, =PSCI_SYSTEM_OFF
  smc #0
  b .

/* puts(x0 = NUL-terminated string) on the UART at x9 */
puts:
  ldrb w10, [x0], #1
  cbz w10, 1f
  str w10, [x9]
  b puts
1:ret

/* putdec(w0 < 10000) in decimal, no leading zeros */
putdec:
  mov w11, #1000
  mov w12, #0                   /* printed a digit yet */
  mov w13, #10
1:udiv w10, w0, w11
  msub w0, w10, w11, w0
  cmp w11, #1
  ccmp w12, #0, #0, ne          /* always print the last digit */
  b.ne 2f
  cbz w10, 3f
2:add w10, w10, #'0'
  str w10, [x9]
  mov w12, #1
3:udiv w11, w11, w13
  cbnz w11, 1b
  ret

s_wait: .asciz "rtc-alarm: waiting for the PL031 match interrupt\n"
s_irq: .asciz "rtc-alarm: IRQ INTID "
s_mis: .asciz ", RTCMIS "
s_timer: .asciz ", CNTHP ISTATUS "
  .balign 8
  .ltorg

  .balign 2048
vectors:
  .rept 5
  b .                           /* current EL with SP0 (4), then sync with SPx */
  .balign 128
  .endr
  b irq                         /* current EL with SPx, IRQ (offset 0x280) */
  .balign 128
  .rept 10
  b .
  .balign 128
  .endr

/*
 * Exercises the virt board's interrupt path end to end: GIC identification, the EL2 physical timer (PPI 10,
 * INTID 26) firing three times, a software-generated interrupt, and the PL011 transmit interrupt (SPI 1,
 * INTID 33). Output must be the same under QEMU and under nova-image's virt board.
 */
#define GICD 0x08000000UL
#define GICC 0x08010000UL
#define GICR 0x080a0000UL
#define GICR_SGI (GICR + 0x10000UL)
#define UART 0x09000000UL

#define TIMER_INTID 26
#define SGI_INTID 3
#define UART_INTID 33

static inline void w32(unsigned long a, unsigned v) { *(volatile unsigned *)a = v; }
static inline unsigned r32(unsigned long a) { return *(volatile unsigned *)a; }
static inline void w8(unsigned long a, unsigned char v) { *(volatile unsigned char *)a = v; }
#define MSR(reg, v) __asm__ volatile("msr " reg ", %0" ::"r"((unsigned long)(v)) : "memory")
#define MRS(reg) ({ unsigned long v_; __asm__ volatile("mrs %0, " reg : "=r"(v_)::"memory"); v_; })

static void putc_(char c) {
  while (r32(UART + 0x18) & 0x20) {}
  w32(UART, (unsigned char)c);
}
static void puts_(const char *s) {
  while (*s) putc_(*s++);
}
static void putdec(unsigned v) {
  char b[12];
  int n = 0;
  do b[n++] = (char)('0' + v % 10); while (v /= 10);
  while (n) putc_(b[--n]);
}

static volatile unsigned ticks, sgis, uart_irqs, unexpected;

/* Sleeps until *v reaches n without the lost-wakeup race: the check runs with IRQs masked, and WFI still
 * wakes for a pending (masked) interrupt, which is then taken once IRQs are unmasked. */
static void wait_until(volatile unsigned *v, unsigned n) {
  for (;;) {
    __asm__ volatile("msr daifset, #2" ::: "memory");
    if (*v >= n) break;
    __asm__ volatile("wfi");
    __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
  }
  __asm__ volatile("msr daifclr, #2\n isb" ::: "memory");
}
static unsigned long tick_interval;

static unsigned ack(void) {
#if GIC_VERSION == 3
  return (unsigned)MRS("S3_0_C12_C12_0") & 0xffffff; /* ICC_IAR1_EL1 */
#else
  return r32(GICC + 0x0c) & 0x3ff;
#endif
}

static void eoi(unsigned id) {
#if GIC_VERSION == 3
  MSR("S3_0_C12_C12_1", id); /* ICC_EOIR1_EL1 */
#else
  w32(GICC + 0x10, id);
#endif
}

void irq_handler(void) {
  unsigned id = ack();
  if (id == TIMER_INTID) {
    ticks++;
    if (ticks < 3) MSR("cnthp_tval_el2", tick_interval);
    else MSR("cnthp_ctl_el2", 0);
  } else if (id == SGI_INTID) {
    sgis++;
  } else if (id == UART_INTID) {
    uart_irqs++;
    w32(UART + 0x38, 0);    /* IMSC: mask TX */
    w32(UART + 0x44, 0x20); /* ICR: clear TX */
  } else if (id >= 1020) {
    return; /* spurious */
  } else {
    unexpected = id;
  }
  eoi(id);
}

static void gic_init(void) {
#if GIC_VERSION == 3
  w32(GICR + 0x14, r32(GICR + 0x14) & ~2u); /* GICR_WAKER: clear ProcessorSleep */
  while (r32(GICR + 0x14) & 4) {}
  w32(GICR_SGI + 0x080, 0xffffffffu); /* private interrupts in group 1 */
  w8(GICR_SGI + 0x400 + TIMER_INTID, 0xa0);
  w8(GICR_SGI + 0x400 + SGI_INTID, 0xa0);
  w32(GICR_SGI + 0x100, (1u << TIMER_INTID) | (1u << SGI_INTID));
  w32(GICD, (1u << 4) | 2u | 1u); /* ARE, EnableGrp1, EnableGrp0 */
  w32(GICD + 0x084, 1u << (UART_INTID - 32));
  w8(GICD + 0x400 + UART_INTID, 0xa0);
  w32(GICD + 0x6000 + 8 * UART_INTID, 0); /* IROUTER: CPU 0 */
  w32(GICD + 0x6000 + 8 * UART_INTID + 4, 0);
  w32(GICD + 0x104, 1u << (UART_INTID - 32));
  MSR("S3_4_C12_C9_5", MRS("S3_4_C12_C9_5") | 0x9); /* ICC_SRE_EL2: SRE, Enable */
  __asm__ volatile("isb");
  MSR("S3_0_C4_C6_0", 0xf0); /* ICC_PMR_EL1 */
  MSR("S3_0_C12_C12_7", 1);  /* ICC_IGRPEN1_EL1 */
  __asm__ volatile("isb");
#else
  w32(GICD, 0);
  w8(GICD + 0x400 + TIMER_INTID, 0xa0);
  w8(GICD + 0x400 + SGI_INTID, 0xa0);
  w8(GICD + 0x400 + UART_INTID, 0xa0);
  w8(GICD + 0x800 + UART_INTID, 1); /* ITARGETSR: CPU 0 */
  w32(GICD + 0x100, (1u << TIMER_INTID) | (1u << SGI_INTID));
  w32(GICD + 0x104, 1u << (UART_INTID - 32));
  w32(GICD, 1);
  w32(GICC + 0x04, 0xf0); /* PMR */
  w32(GICC, 1);
#endif
}

static unsigned gic_arch_rev(void) {
#if GIC_VERSION == 3
  return (r32(GICD + 0xffe8) >> 4) & 0xf;
#else
  return (r32(GICD + 0xfe8) >> 4) & 0xf;
#endif
}

int main(void) {
  puts_("GIC PIDR2.ArchRev=");
  putdec(gic_arch_rev());
  puts_("\n");
  gic_init();
  __asm__ volatile("msr daifclr, #3" ::: "memory");

  tick_interval = MRS("cntfrq_el0") / 1000; /* 1 ms */
  MSR("cnthp_tval_el2", tick_interval);
  MSR("cnthp_ctl_el2", 1);
  wait_until(&ticks, 3);
  puts_("timer PPI 10 (INTID 26) ticks=");
  putdec(ticks);
  puts_("\n");

#if GIC_VERSION == 3
  MSR("S3_0_C12_C11_5", ((unsigned long)SGI_INTID << 24) | 1); /* ICC_SGI1R_EL1: SGI 3 to CPU 0 */
  __asm__ volatile("isb");
#else
  w32(GICD + 0xf00, (1u << 16) | SGI_INTID); /* GICD_SGIR: target list = CPU 0 */
#endif
  /* Spin briefly before sleeping: QEMU 7.2's GICv2 (with virtualization extensions) does not wake a WFI
   * that directly follows the vCPU's own GICD_SGIR write, while it does take the IRQ during a spin. */
  for (unsigned spin = 0; spin < 1000000 && !sgis; spin++) __asm__ volatile("" ::: "memory");
  wait_until(&sgis, 1);
  puts_("SGI 3 taken\n");

  w32(UART + 0x38, 0x20); /* IMSC: TX interrupt */
  putc_('#');
  wait_until(&uart_irqs, 1);
  puts_(" PL011 TX interrupt (INTID 33) taken\n");

  if (unexpected) {
    puts_("unexpected INTID ");
    putdec(unexpected);
    puts_("\n");
  }
  puts_("done\n");
  return 0;
}

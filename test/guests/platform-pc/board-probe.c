/*
 * pc board probe: everything printed here depends only on the board (q35-like layout, ACPI contents,
 * PCI IDs, device behaviour), never on the firmware that loaded us, so QEMU q35 and nova-image's pc board
 * must print the same lines.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

static inline void outb(u16 p, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outw(u16 p, u16 v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outl(u16 p, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(p)); }
static inline u8 inb(u16 p) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline u32 inl(u16 p) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline u32 r32(u32 a) { return *(volatile u32 *)a; }
static inline void w32(u32 a, u32 v) { *(volatile u32 *)a = v; }
static inline u8 r8(u32 a) { return *(volatile u8 *)a; }
static inline u16 r16(u32 a) { return *(volatile u16 *)a; }

static void putc_(char c) {
  while (!(inb(0x3fd) & 0x20)) {}
  outb(0x3f8, (u8)c);
}
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void puthex(u32 v) {
  puts_("0x");
  int started = 0;
  for (int i = 28; i >= 0; i -= 4) {
    u32 d = (v >> i) & 0xf;
    if (d || started || i == 0) { putc_((char)(d < 10 ? '0' + d : 'a' + d - 10)); started = 1; }
  }
}
static void putdec(u32 v) {
  char b[12];
  int n = 0;
  do b[n++] = (char)('0' + v % 10); while (v /= 10);
  while (n) putc_(b[--n]);
}
static void fail(const char *why) {
  puts_("FAIL: ");
  puts_(why);
  puts_("\n");
  outb(0xf4, 0x7f);
  for (;;) __asm__ volatile("hlt");
}

/* ---- ACPI ---------------------------------------------------------------------------------------- */
static int sig_is(u32 a, const char *s) { return r8(a) == (u8)s[0] && r8(a + 1) == (u8)s[1] && r8(a + 2) == (u8)s[2] && r8(a + 3) == (u8)s[3]; }

static u32 find_rsdp(void) {
  for (u32 a = 0xe0000; a < 0x100000; a += 16)
    if (sig_is(a, "RSD ") && sig_is(a + 4, "PTR ")) {
      u8 sum = 0;
      for (u32 i = 0; i < 20; i++) sum = (u8)(sum + r8(a + i));
      if (!sum) return a;
    }
  return 0;
}

static u32 find_table(u32 rsdp, const char *sig) {
  u32 root, entry;
  if (r8(rsdp + 15) >= 2 && r32(rsdp + 24) != 0) { root = r32(rsdp + 24); entry = 8; }
  else { root = r32(rsdp + 16); entry = 4; }
  u32 len = r32(root + 4);
  for (u32 off = 36; off + entry <= len; off += entry) {
    u32 t = r32(root + off);
    if (sig_is(t, sig)) return t;
  }
  return 0;
}

static int checksum_ok(u32 t) {
  u8 sum = 0;
  for (u32 i = 0; i < r32(t + 4); i++) sum = (u8)(sum + r8(t + i));
  return sum == 0;
}

static u32 pm1a_cnt, pm_tmr;

static void probe_acpi(void) {
  u32 rsdp = find_rsdp();
  if (!rsdp) fail("no RSDP in 0xe0000..0xfffff");
  u32 fadt = find_table(rsdp, "FACP"), madt = find_table(rsdp, "APIC"), mcfg = find_table(rsdp, "MCFG"), hpet = find_table(rsdp, "HPET");
  if (!fadt || !madt || !mcfg || !hpet) fail("missing FACP/APIC/MCFG/HPET");
  if (!checksum_ok(fadt) || !checksum_ok(madt) || !checksum_ok(mcfg) || !checksum_ok(hpet)) fail("bad checksum");
  pm1a_cnt = r32(fadt + 64);
  pm_tmr = r32(fadt + 76);
  puts_("FADT: sci="); putdec(r16(fadt + 46));
  puts_(" pm1a_evt="); puthex(r32(fadt + 56));
  puts_(" pm1a_cnt="); puthex(pm1a_cnt);
  puts_(" pm_tmr="); puthex(pm_tmr);
  puts_(" gpe0="); puthex(r32(fadt + 80));
  puts_(" century="); puthex(r8(fadt + 108));
  puts_("\nMADT: lapic="); puthex(r32(madt + 36));
  puts_(" flags="); putdec(r32(madt + 40));
  for (u32 off = 44; off < r32(madt + 4); off += r8(madt + off + 1)) {
    u8 type = r8(madt + off);
    if (type == 1) { puts_(" ioapic("); putdec(r8(madt + off + 2)); puts_(","); puthex(r32(madt + off + 4)); puts_(",gsi"); putdec(r32(madt + off + 8)); puts_(")"); }
    if (type == 2) { puts_(" iso("); putdec(r8(madt + off + 3)); puts_("->"); putdec(r32(madt + off + 4)); puts_(","); puthex(r16(madt + off + 8)); puts_(")"); }
    if (type == 4) { puts_(" nmi(lint"); putdec(r8(madt + off + 5)); puts_(")"); }
  }
  puts_("\nMCFG: base="); puthex(r32(mcfg + 44)); puts_(" buses "); putdec(r8(mcfg + 54)); puts_("-"); putdec(r8(mcfg + 55));
  puts_("\nHPET: base="); puthex(r32(hpet + 44)); puts_(" id="); puthex(r32(hpet + 36));
  puts_("\n");
}

/* ---- CMOS, PM timer, HPET ----------------------------------------------------------------------- */
static u8 cmos(u8 i) { outb(0x70, i); return inb(0x71); }

static void probe_timers(void) {
  puts_("CMOS: century="); puthex(cmos(0x32)); puts_(" regD="); puthex(cmos(0x0d)); puts_("\n");
  u32 t0 = inl((u16)pm_tmr);
  u32 t1 = t0;
  for (int i = 0; i < 1000000 && t1 == t0; i++) t1 = inl((u16)pm_tmr);
  puts_(t1 != t0 ? "PM timer: counts\n" : "PM timer: stuck\n");
  puts_("HPET: period_fs="); putdec(r32(0xfed00004)); puts_(" vendor="); puthex(r32(0xfed00000) >> 16); puts_("\n");
}

/* ---- PCI ------------------------------------------------------------------------------------------ */
static u32 cfg_read(u32 bus, u32 dev, u32 fn, u32 off) {
  outl(0xcf8, 0x80000000u | (bus << 16) | (dev << 11) | (fn << 8) | (off & 0xfc));
  return inl(0xcfc);
}
static void cfg_write16(u32 dev, u32 off, u16 v) {
  outl(0xcf8, 0x80000000u | (dev << 11) | (off & 0xfc));
  outw((u16)(0xcfc + (off & 2)), v);
}

static u32 edu_bar;

static void probe_pci(void) {
  static const u8 devs[] = {0x00, 0x1f, 0x02};
  for (u32 i = 0; i < sizeof devs; i++) {
    u32 id = cfg_read(0, devs[i], 0, 0);
    u32 ecam = r32(0xb0000000u + (devs[i] << 15));
    puts_("PCI 00:"); puthex(devs[i]); puts_(".0 id="); puthex(id);
    puts_(" class="); puthex(cfg_read(0, devs[i], 0, 8) >> 8);
    puts_(ecam == id ? " (ECAM agrees)\n" : " (ECAM differs)\n");
  }
  puts_("PCI 00:05.0 id="); puthex(cfg_read(0, 5, 0, 0)); puts_("\n");
  edu_bar = cfg_read(0, 2, 0, 0x10) & ~0xfu;
}

/* ---- edu DMA -------------------------------------------------------------------------------------- */
/* One edu DMA transfer of 4 bytes: to_ram = 1 copies the device buffer (0x40000) to RAM, 0 the other way. */
static void edu_dma(u32 ram, int to_ram) {
  w32(edu_bar + 0x80, to_ram ? 0x40000 : ram); w32(edu_bar + 0x84, 0);
  w32(edu_bar + 0x88, to_ram ? ram : 0x40000); w32(edu_bar + 0x8c, 0);
  w32(edu_bar + 0x90, 4);
  w32(edu_bar + 0x98, 0x1 | (to_ram ? 0x2 : 0));
  while (r32(edu_bar + 0x98) & 1) {}
}

static void probe_edu(void) {
  cfg_write16(2, 4, 0x2); /* memory space on, bus master off */
  puts_("edu: id="); puthex(r32(edu_bar));
  w32(edu_bar + 4, 0x12345678);
  puts_(" liveness="); puthex(r32(edu_bar + 4));
  w32(edu_bar + 8, 10);
  while (r32(edu_bar + 0x20) & 1) {}
  puts_(" 10!="); putdec(r32(edu_bar + 8)); puts_("\n");
  /* Round trip RAM -> device -> RAM: with Bus Master Enable clear neither transfer may reach memory. */
  volatile u32 *src = (volatile u32 *)0x200000, *dst = (volatile u32 *)0x200100;
  *src = 0xcafef00d;
  *dst = 0x11111111;
  edu_dma(0x200000, 0);
  edu_dma(0x200100, 1);
  puts_("edu DMA round trip, bus master off: "); puthex(*dst); puts_("\n");
  cfg_write16(2, 4, 0x6);
  edu_dma(0x200000, 0);
  edu_dma(0x200100, 1);
  puts_("edu DMA round trip, bus master on:  "); puthex(*dst); puts_("\n");
}

/* ---- interrupts ------------------------------------------------------------------------------------ */
struct idt_entry { u16 off_lo, sel; u8 zero, type; u16 off_hi; } __attribute__((packed));
static struct idt_entry idt[256];
static struct { u16 limit; u32 base; } __attribute__((packed)) idtr;
extern void lidt_(void *);
extern void irq_stub_0x30(void), irq_stub_0x31(void), irq_stub_0x34(void), irq_stub_0xff(void), exception_stub(void);

static void set_gate(int v, void (*fn)(void)) {
  u32 a = (u32)fn;
  idt[v] = (struct idt_entry){(u16)a, 0x08, 0, 0x8e, (u16)(a >> 16)};
}

#define LAPIC 0xfee00000u
#define IOAPIC 0xfec00000u
static volatile u32 pit_ticks, lapic_ticks, com1_irqs, spurious;

/* Sleeps until *v reaches n without the lost-wakeup race: check with interrupts off, then STI; HLT (the STI
 * shadow keeps an interrupt from arriving between the two). */
static void wait_until(volatile u32 *v, u32 n) {
  for (;;) {
    __asm__ volatile("cli" ::: "memory");
    if (*v >= n) break;
    __asm__ volatile("sti; hlt" ::: "memory");
  }
  __asm__ volatile("sti" ::: "memory");
}

static void ioapic_route(u32 pin, u32 vector, int masked) {
  w32(IOAPIC, 0x10 + 2 * pin + 1); w32(IOAPIC + 0x10, 0);
  w32(IOAPIC, 0x10 + 2 * pin); w32(IOAPIC + 0x10, vector | (masked ? 1u << 16 : 0));
}

void irq_dispatch(u32 vec) {
  if (vec == 0x30) pit_ticks++;
  else if (vec == 0x31) lapic_ticks++;
  else if (vec == 0x34) { com1_irqs++; outb(0x3f9, 0); (void)inb(0x3fa); }
  else { spurious++; return; }
  w32(LAPIC + 0xb0, 0);
}

static void probe_interrupts(void) {
  for (int v = 0; v < 32; v++) set_gate(v, exception_stub);
  set_gate(0x30, irq_stub_0x30);
  set_gate(0x31, irq_stub_0x31);
  set_gate(0x34, irq_stub_0x34);
  set_gate(0xff, irq_stub_0xff);
  idtr.limit = sizeof idt - 1;
  idtr.base = (u32)idt;
  lidt_(&idtr);
  outb(0x21, 0xff); outb(0xa1, 0xff); /* 8259s masked: IOAPIC mode */
  w32(LAPIC + 0xf0, 0x1ff);            /* LAPIC on, spurious vector 0xff */
  w32(LAPIC + 0x80, 0);
  puts_("IOAPIC: version="); w32(IOAPIC, 1); puthex(r32(IOAPIC + 0x10)); puts_(" LAPIC version="); puthex(r32(LAPIC + 0x30)); puts_("\n");

  /* PIT channel 0, rate generator, ~1 kHz, through the MADT override to IOAPIC pin 2 */
  ioapic_route(2, 0x30, 0);
  outb(0x43, 0x34); outb(0x40, 1193 & 0xff); outb(0x40, 1193 >> 8);
  wait_until(&pit_ticks, 3);
  ioapic_route(2, 0x30, 1);
  puts_("PIT IRQ0 -> IOAPIC pin 2: "); putdec(pit_ticks >= 3); puts_("\n");

  /* LAPIC timer, one-shot */
  w32(LAPIC + 0x3e0, 0x3);    /* divide by 16 */
  w32(LAPIC + 0x320, 0x31);   /* one-shot, vector 0x31 */
  w32(LAPIC + 0x380, 100000);
  wait_until(&lapic_ticks, 1);
  puts_("LAPIC timer: fired, current count="); putdec(r32(LAPIC + 0x390)); puts_("\n");

  /* COM1 THRE interrupt through IOAPIC pin 4 */
  ioapic_route(4, 0x34, 0);
  outb(0x3f9, 0x02);
  /* Spin before halting: QEMU 7.2 TCG does not wake a HLT that directly follows the I/O write raising the
   * interrupt, while it does take the interrupt during a spin. */
  for (u32 spin = 0; spin < 1000000 && !com1_irqs; spin++) __asm__ volatile("" ::: "memory");
  wait_until(&com1_irqs, 1);
  puts_("COM1 IRQ4 -> IOAPIC pin 4: taken\n");
  __asm__ volatile("cli");
}

void main(void) {
  puts_("pc board probe\n");
  probe_acpi();
  probe_timers();
  probe_pci();
  probe_edu();
  probe_interrupts();
  puts_("S5 via PM1a_CNT\n");
  outw((u16)pm1a_cnt, (u16)((0 << 10) | (1 << 13)));
  /* QEMU completes the power-off asynchronously: wait here (a run that never powers off times out). */
  for (;;) __asm__ volatile("cli; hlt");
}

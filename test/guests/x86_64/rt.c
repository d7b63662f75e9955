#include "rt.h"

#define COM1 0x3f8

u64 last_vector, last_error, last_cr2, last_rip, last_cs, last_rsp, last_ss;
int (*volatile fault_hook)(struct frame *f);
u32 irq_count[256];
extern u64 try_rsp, try_result, syscall_stack_top_ptr;
extern char try_landing[], isr_table_start[], syscall_entry[];
extern u64 gdt_tss[2];

struct gate { u16 off0, sel; u8 ist, type; u16 off1; u32 off2, zero; } __attribute__((packed));
static struct gate idt[256] __attribute__((aligned(16)));
static struct { u16 limit; u64 base; } __attribute__((packed)) idt_ptr;
/* 104-byte TSS + I/O permission bitmap for ports 0..255 + the terminating 0xff byte */
u8 tss[104 + 32 + 1] __attribute__((aligned(16)));
static u8 rsp0_stack[16384] __attribute__((aligned(16)));
static u8 ist1_stack[16384] __attribute__((aligned(16)));
static u8 syscall_stack[16384] __attribute__((aligned(16)));

void rt_putc(int c) {
  while (!(inb(COM1 + 5) & 0x20)) {}
  outb(COM1, (u8)c);
}

void rt_puts(const char *s) {
  while (*s) rt_putc(*s++);
}

static void put_num(u64 v, int base, int width, int zero, int neg) {
  char buf[32];
  int n = 0;
  do { buf[n++] = "0123456789abcdef"[v % base]; v /= base; } while (v);
  if (neg) buf[n++] = '-';
  while (n < width) buf[n++] = zero ? '0' : ' ';
  while (n) rt_putc(buf[--n]);
}

void rt_printf(const char *fmt, ...) {
  __builtin_va_list ap;
  __builtin_va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') { rt_putc(*fmt); continue; }
    fmt++;
    int zero = 0, width = 0, lng = 0;
    if (*fmt == '0') { zero = 1; fmt++; }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') { lng = 1; fmt++; }
    switch (*fmt) {
      case 'x': put_num(lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 16, width, zero, 0); break;
      case 'u': put_num(lng ? __builtin_va_arg(ap, u64) : __builtin_va_arg(ap, u32), 10, width, zero, 0); break;
      case 'd': {
        s64 v = lng ? __builtin_va_arg(ap, s64) : __builtin_va_arg(ap, s32);
        put_num(v < 0 ? -(u64)v : (u64)v, 10, width, zero, v < 0);
        break;
      }
      case 's': rt_puts(__builtin_va_arg(ap, const char *)); break;
      case 'c': rt_putc(__builtin_va_arg(ap, int)); break;
      default: rt_putc(*fmt); break;
    }
  }
  __builtin_va_end(ap);
}

void rt_exit(int code) {
  outb(0xf4, (u8)code);
  for (;;) __asm__ volatile("cli; hlt");
}

void *isr_address(int vector) { return isr_table_start + 16 * vector; }

void set_gate(int vector, void *handler, int dpl, int ist, int trap) {
  u64 a = (u64)handler;
  idt[vector].off0 = a & 0xffff;
  idt[vector].sel = 0x08;
  idt[vector].ist = ist;
  idt[vector].type = 0x80 | (dpl << 5) | (trap ? 0xf : 0xe);
  idt[vector].off1 = (a >> 16) & 0xffff;
  idt[vector].off2 = a >> 32;
  idt[vector].zero = 0;
}

void isr_dispatch(struct frame *f) {
  if (fault_hook && fault_hook(f)) return;
  if (f->vector >= 32) {
    irq_count[f->vector]++;
    return;
  }
  last_vector = f->vector;
  last_error = f->error;
  last_cr2 = read_cr2();
  last_rip = f->rip;
  last_cs = f->cs;
  last_rsp = f->rsp;
  last_ss = f->ss;
  if (try_rsp) {
    try_result = f->vector + 1;
    f->rip = (u64)try_landing;
    f->cs = 0x08;
    f->ss = 0x10;
    f->rsp = try_rsp;
    f->rflags &= ~0x100UL;
    return;
  }
  rt_printf("unexpected exception %lu error %lx at %lx cr2 %lx\n", f->vector, f->error, f->rip, last_cr2);
  rt_exit(3);
}

void rt_init(void) {
  for (int v = 0; v < 256; v++) set_gate(v, isr_address(v), 0, 0, 0);
  idt_ptr.limit = sizeof(idt) - 1;
  idt_ptr.base = (u64)idt;
  __asm__ volatile("lidt %0" : : "m"(idt_ptr));
  /* TSS: RSP0 and IST1 */
  u64 rsp0 = (u64)(rsp0_stack + sizeof(rsp0_stack));
  u64 ist1 = (u64)(ist1_stack + sizeof(ist1_stack));
  *(u64 *)(tss + 4) = rsp0;
  *(u64 *)(tss + 0x24) = ist1;
  *(u16 *)(tss + 102) = 104;
  for (unsigned k = 104; k < sizeof(tss); k++) tss[k] = 0xff; /* every port denied at CPL 3 */
  u64 base = (u64)tss, limit = sizeof(tss) - 1;
  gdt_tss[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89UL << 40) | (((base >> 24) & 0xff) << 56);
  gdt_tss[1] = base >> 32;
  __asm__ volatile("ltr %w0" : : "r"(0x30));
  /* SYSCALL: kernel CS 0x08 / SS 0x10, SYSRET base 0x18 (user SS 0x20|3, user CS 0x28|3) */
  wrmsr(0xC0000081, (0x18UL << 48) | (0x08UL << 32));
  wrmsr(0xC0000082, (u64)syscall_entry);
  wrmsr(0xC0000084, 0x700); /* clear TF, IF, DF on entry */
  syscall_stack_top_ptr = (u64)(syscall_stack + sizeof(syscall_stack));
  /* mask both legacy PICs: tests run with IF set at times and must not see timer IRQs */
  outb(0x21, 0xff);
  outb(0xa1, 0xff);
  /* UART: 115200 8N1 */
  outb(COM1 + 1, 0);
  outb(COM1 + 3, 0x80);
  outb(COM1 + 0, 1);
  outb(COM1 + 1, 0);
  outb(COM1 + 3, 0x03);
  outb(COM1 + 2, 0xc7);
}

/* gcc may emit calls to these even in freestanding code */
void *memcpy(void *d, const void *s, u64 n) { u8 *dd = d; const u8 *ss = s; while (n--) *dd++ = *ss++; return d; }
void *memset(void *d, int c, u64 n) { u8 *dd = d; while (n--) *dd++ = (u8)c; return d; }
int memcmp(const void *a, const void *b, u64 n) {
  const u8 *x = a, *y = b;
  for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
  return 0;
}

void rt_idt_clear_present(int vector) { idt[vector].type &= 0x7f; }

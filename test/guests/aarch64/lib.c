#include "lib.h"
#define UART_DR ((volatile uint32_t *)0x09000000)

void putc_(char c) { *UART_DR = (uint32_t)(unsigned char)c; }
void puts(const char *s) { while (*s) putc_(*s++); }

static void put_unsigned(unsigned long v, unsigned base, int width, char pad) {
  char buf[24];
  int n = 0;
  do { unsigned d = v % base; buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v /= base; } while (v);
  while (n < width) buf[n++] = pad;
  while (n) putc_(buf[--n]);
}

// Supports %s %c %d %u %x %lx %lu %ld %016lx %p: enough for test output.
void printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') { putc_(*fmt); continue; }
    fmt++;
    char pad = ' ';
    int width = 0, lng = 0;
    if (*fmt == '0') { pad = '0'; fmt++; }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') { lng = 1; fmt++; }
    switch (*fmt) {
    case 's': puts(va_arg(ap, const char *)); break;
    case 'c': putc_((char)va_arg(ap, int)); break;
    case 'd': {
      long v = lng ? va_arg(ap, long) : va_arg(ap, int);
      if (v < 0) { putc_('-'); v = -v; }
      put_unsigned((unsigned long)v, 10, width, pad);
      break;
    }
    case 'u': put_unsigned(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, pad); break;
    case 'x': put_unsigned(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, pad); break;
    case 'p': puts("0x"); put_unsigned((unsigned long)va_arg(ap, void *), 16, 16, '0'); break;
    default: putc_(*fmt);
    }
  }
  va_end(ap);
}

#include "exc.h"
// Programs that do not expect exceptions report any as a failure and power off.
__attribute__((weak)) void exc_handler(struct frame *f, unsigned long kind, unsigned long el) {
  printf("UNEXPECTED exception kind %lu at EL%lu elr %lx esr %lx\n", kind, el, f->elr,
         el == 2 ? READ_SYSREG(esr_el2) : READ_SYSREG(esr_el1));
  psci_off();
}

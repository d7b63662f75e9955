#include "fmt.h"

static void number(putc_fn out, u64 v, unsigned base, int width, char pad, int negative) {
  char buf[24];
  int n = 0;
  do {
    unsigned d = v % base;
    buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v);
  if (negative) buf[n++] = '-';
  for (int i = n; i < width; i++) out(pad);
  while (n) out(buf[--n]);
}

void vformat(putc_fn out, const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      out(*fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, longs = 0;
    if (*fmt == '0') pad = '0', fmt++;
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') longs++, fmt++;
    switch (*fmt) {
      case 's': {
        const char *s = va_arg(ap, const char *);
        if (!s) s = "(null)";
        int len = 0;
        while (s[len]) len++;
        for (int i = len; i < width; i++) out(' ');
        while (*s) out(*s++);
        break;
      }
      case 'c':
        out((char)va_arg(ap, int));
        break;
      case 'd': {
        i64 v = longs ? va_arg(ap, i64) : va_arg(ap, int);
        number(out, v < 0 ? (u64)-v : (u64)v, 10, width, pad, v < 0);
        break;
      }
      case 'u':
        number(out, longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, width, pad, 0);
        break;
      case 'x':
        number(out, longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, width, pad, 0);
        break;
      case 'p':
        out('0'), out('x');
        number(out, (u64)va_arg(ap, void *), 16, width, pad, 0);
        break;
      case '%':
        out('%');
        break;
      case 0:
        return;
      default:
        out('%'), out(*fmt);
    }
  }
}

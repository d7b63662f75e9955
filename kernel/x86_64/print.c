/*
 * kprintf: the small printf subset the console lines need. Supported: %s %.*s %c %d %u %x %p %%, with
 * the length modifiers l/ll (all integers are handled as 64-bit) and a zero-padded width for %x
 * ("%016llx"). Deterministic output only: no timing, no pointers to stack data.
 */
#include <stdarg.h>
#include "kernel.h"

void puts_(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

static void put_unsigned(uint64_t v, unsigned base, int width)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n < width && n < (int)sizeof buf)
        buf[n++] = '0';
    while (n)
        serial_putc(buf[--n]);
}

void put_bytes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        serial_putc(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            serial_putc(*p);
            continue;
        }
        p++;
        int width = 0, precision = -1;
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        if (p[0] == '.' && p[1] == '*') {
            precision = va_arg(ap, int);
            p += 2;
        }
        int longs = 0;
        while (*p == 'l') {
            longs++;
            p++;
        }
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (precision >= 0)
                put_bytes(s, (size_t)precision);
            else
                puts_(s ? s : "(null)");
            break;
        }
        case 'c':
            serial_putc((char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                serial_putc('-');
                v = -v;
            }
            put_unsigned((uint64_t)v, 10, width);
            break;
        }
        case 'u':
            put_unsigned(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width);
            break;
        case 'x':
            put_unsigned(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width);
            break;
        case 'p':
            puts_("0x");
            put_unsigned((uint64_t)(uintptr_t)va_arg(ap, void *), 16, 16);
            break;
        case '%':
            serial_putc('%');
            break;
        default:
            serial_putc('?');
            break;
        }
    }
    va_end(ap);
}

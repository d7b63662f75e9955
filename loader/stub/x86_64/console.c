/*
 * Fatal errors. On success the stub prints nothing (the kernel owns the console); on failure it writes
 * "nova-image loader: error: ..." to COM1, then ends the run through the isa-debug-exit port (status 0x7f,
 * QEMU exits with 255) or halts where that port does not exist.
 */
#include "stub.h"

#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define FAILURE_STATUS 0x7f

static void serial_init(void)
{
    outb(COM1 + 1, 0x00);   /* no interrupts */
    outb(COM1 + 3, 0x80);   /* DLAB */
    outb(COM1 + 0, 0x01);   /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);   /* 8N1 */
    outb(COM1 + 2, 0xc7);   /* FIFO on, cleared */
    outb(COM1 + 4, 0x03);
}

static void serial_putc(char c)
{
    for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++) {
    }
    outb(COM1, (u8)c);
}

static void serial_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') serial_putc('\r');
        serial_putc(*s);
    }
}

static void serial_hex(u64 v)
{
    char buf[19] = "0x";
    int n = 2;
    int started = 0;
    for (int shift = 60; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 0xf;
        if (d || started || shift == 0) {
            buf[n++] = "0123456789abcdef"[d];
            started = 1;
        }
    }
    buf[n] = 0;
    serial_puts(buf);
}

static void __attribute__((noreturn)) stop(void)
{
    outb(DEBUG_EXIT_PORT, FAILURE_STATUS);
    for (;;) __asm__ volatile("cli; hlt");
}

void fatal(const char *msg, u64 value)
{
    serial_init();
    serial_puts("nova-image loader: error: ");
    serial_puts(msg);
    serial_puts(" ");
    serial_hex(value);
    serial_puts("\n");
    stop();
}

void fatal2(const char *msg, const char *detail)
{
    serial_init();
    serial_puts("nova-image loader: error: ");
    serial_puts(msg);
    if (detail) {
        serial_puts(": ");
        serial_puts(detail);
    }
    serial_puts("\n");
    stop();
}

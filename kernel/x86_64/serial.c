/*
 * 16550 UART at I/O port 0x3f8 (COM1), 115200 baud 8N1: the console of the console contract (TEAM.md).
 * Polled, no interrupts: the kernel never enables them.
 */
#include "kernel.h"
#include "x86.h"

#define COM1 0x3f8
#define THR 0 /* transmit holding register (DLAB=0) */
#define DLL 0 /* divisor latch low (DLAB=1) */
#define IER 1
#define DLM 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_THR_EMPTY 0x20

void serial_init(void)
{
    outb(COM1 + IER, 0x00);        /* polled mode */
    outb(COM1 + LCR, 0x80);        /* DLAB on to reach the divisor */
    outb(COM1 + DLL, 1);           /* 115200 = 1.8432 MHz / 16 / 1 */
    outb(COM1 + DLM, 0);
    outb(COM1 + LCR, 0x03);        /* 8 data bits, no parity, 1 stop bit, DLAB off */
    outb(COM1 + FCR, 0x07);        /* FIFOs on and cleared */
    outb(COM1 + MCR, 0x03);        /* DTR, RTS */
}

static void raw_putc(char c)
{
    /* Bounded wait: a machine without a UART must not hang the kernel. */
    for (unsigned spin = 0; spin < 100000; spin++)
        if (inb(COM1 + LSR) & LSR_THR_EMPTY)
            break;
    outb(COM1 + THR, (uint8_t)c);
}

void serial_putc(char c)
{
    if (c == '\n')
        raw_putc('\r');            /* CR LF, so a terminal on the other end shows lines */
    raw_putc(c);
}

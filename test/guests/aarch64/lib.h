// Minimal freestanding console for the test guests: PL011 data register at 0x09000000.
#pragma once
#include <stdint.h>
#include <stdarg.h>
void putc_(char c);
void puts(const char *s);
void printf(const char *fmt, ...);
void psci_off(void) __attribute__((noreturn));

/* Arm PrimeCell UART (PL011) transmit side: the console of QEMU virt and of the emulated `virt` board. */
#pragma once
#include "types.h"
#define PL011_DEFAULT_BASE 0x09000000UL
void pl011_set_base(u64 base);
void pl011_putc(char c);

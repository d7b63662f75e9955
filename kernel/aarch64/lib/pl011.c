#include "pl011.h"

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTCR 0x30
#define FR_TXFF (1u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE (1u << 8)

static u64 uart = PL011_DEFAULT_BASE;

static inline u32 rd(u32 reg) { return *(volatile u32 *)(uart + reg); }
static inline void wr(u32 reg, u32 v) { *(volatile u32 *)(uart + reg) = v; }

void pl011_set_base(u64 base) {
  uart = base;
  /* Firmware normally enabled it; after a direct -kernel boot nobody did. Baud rate is left as found. */
  u32 cr = rd(UARTCR);
  if ((cr & (CR_UARTEN | CR_TXE)) != (CR_UARTEN | CR_TXE)) wr(UARTCR, cr | CR_UARTEN | CR_TXE);
}

void pl011_putc(char c) {
  if (c == '\n') pl011_putc('\r');
  for (unsigned spin = 0; (rd(UARTFR) & FR_TXFF) && spin < 1000000; spin++) {
  }
  wr(UARTDR, (u8)c);
}

/* Kernel console: the PL011 named by the FDT's /chosen stdout-path, ACPI SPCR, or QEMU virt's 0x09000000. */
#include "kernel.h"
#include "lib/fdt.h"
#include "lib/fmt.h"
#include "lib/pl011.h"
#include "lib/string.h"

static u64 uart_from_fdt(const void *fdt) {
  int node = fdt_stdout_node(fdt);
  if (node < 0) return 0;
  u32 len;
  const char *compat = fdt_prop(fdt, node, "compatible", &len);
  if (!compat || strcmp(compat, "arm,pl011") != 0) return 0;
  /* The UART sits directly below the root on virt-like boards; its parent's cells apply. */
  u64 addr, size;
  return fdt_reg(fdt, fdt_root(fdt), node, 0, &addr, &size) ? addr : 0;
}

void console_init(const void *fdt, const void *rsdp) {
  u64 base = 0;
  if (fdt) base = uart_from_fdt(fdt);
  if (!base && rsdp) base = acpi_spcr_uart(rsdp);
  pl011_set_base(base ? base : PL011_DEFAULT_BASE);
}

void kputc(char c) { pl011_putc(c); }

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vformat(kputc, fmt, ap);
  va_end(ap);
}

/*
 * Stub console: silent on success (the kernel owns the console); a fatal error names the problem on the
 * UEFI console before ExitBootServices, else on the PL011, then parks the CPU.
 */
#include "lib/fmt.h"
#include "lib/pl011.h"
#include "stub.h"

struct simple_text_output {
  void *reset;
  u64 (*output_string)(struct simple_text_output *self, const u16 *s);
};

static struct simple_text_output *con_out;
static u64 uart_base = PL011_DEFAULT_BASE;
static int uart_ready;

void console_use_efi(void *out) { con_out = out; }
/* Lazy: the UART is touched only when there is something to report. */
void console_use_uart(u64 base) {
  con_out = NULL;
  uart_base = base;
  uart_ready = 0;
}

static void efi_putc(char c) {
  u16 s[3] = {(u16)(u8)c, 0, 0};
  if (c == '\n') s[0] = '\r', s[1] = '\n';
  con_out->output_string(con_out, s);
}

static void out(char c) {
  if (con_out) efi_putc(c);
  else {
    if (!uart_ready) pl011_set_base(uart_base), uart_ready = 1;
    pl011_putc(c);
  }
}

static void puts_(const char *s) {
  while (*s) out(*s++);
}

void fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  puts_("nova-image stub: fatal: ");
  vformat(out, fmt, ap);
  out('\n');
  va_end(ap);
  stub_abort();
}

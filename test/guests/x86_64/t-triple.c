/* Triple fault: an empty IDT turns INT3 into #GP, then #DF, then a shutdown. QEMU (-no-reboot) exits;
 * our CPU ends the run with a "triple-fault" verdict. Only the line before it is compared. */
#include "rt.h"

int test_main(void) {
  rt_puts("t-triple: before the triple fault\n");
  static struct { u16 limit; u64 base; } __attribute__((packed)) empty = { 0, 0 };
  __asm__ volatile("lidt %0\n\tint3" : : "m"(empty));
  rt_puts("not reached\n");
  return 1;
}

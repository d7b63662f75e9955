/* Benchmark baseline: boots and exits at once, to measure QEMU's start-up and shutdown time. */
#include "rt.h"

int test_main(void) {
  rt_puts("bench-empty\n");
  return 0;
}

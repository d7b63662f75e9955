/* Floating-point benchmark workload: the n-body simulation of t-fpwork.c (gcc -O2, SSE2 scalar and packed
 * double arithmetic, SQRTSD, divisions) for STEPS steps; prints the energies in hex so QEMU's and our runs
 * can be compared bit for bit. */
#include "rt.h"
#include "nbody.h"

#ifndef STEPS
#define STEPS 100000
#endif

int test_main(void) {
  nbody_init();
  rt_puts("bench-nbody: energy ");
  put_hex_double(energy());
  for (int step = 0; step < STEPS; step++) advance(0.01);
  rt_puts(" -> ");
  put_hex_double(energy());
  rt_puts("\n");
  return 0;
}

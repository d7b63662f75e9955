/* Compute-loop benchmark: integer work gcc -O2 compiles to a tight loop (xorshift, multiply, add, branches).
 * The iteration count comes from the loop below; the result digest is printed so both runs can be compared. */
#include "rt.h"

#ifndef ITERATIONS
#define ITERATIONS 3000000
#endif

static u64 work(u64 n) {
  u64 x = 88172645463325252UL, acc = 0;
  for (u64 i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    acc += (x & 0xff) * 3 + (x >> 60);
    if (acc & 1) acc ^= i;
  }
  return acc ^ x;
}

int test_main(void) {
  volatile u64 n = ITERATIONS;
  rt_printf("bench-loop %lu iterations: %016lx\n", (u64)n, work(n));
  return 0;
}

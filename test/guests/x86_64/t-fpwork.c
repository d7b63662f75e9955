/* A gcc -O2 double/float workload: whatever SSE2 code the compiler chooses for an n-body simulation, a
 * Newton square-root loop, a float polynomial and int<->double conversions. Results are printed exactly, in
 * a hand-written %a-style hex format (no libc here), so the console output is bit-for-bit comparable. */
#include "rt.h"
#include "nbody.h"

/* Newton's iteration for sqrt, stopping when the iterate no longer changes */
static double newton_sqrt(double a, int *steps) {
  if (a <= 0) return 0;
  double x = a > 1 ? a : 1;
  for (*steps = 0; *steps < 3000; ++*steps) {
    double nx = 0.5 * (x + a / x);
    if (nx >= x) break;
    x = nx;
  }
  return x;
}

static float poly(float x) { return ((0.25f * x - 1.5f) * x + 3.0f) * x - 0.125f; }

static u32 mxcsr(void) { u32 m; __asm__ volatile("stmxcsr %0" : "=m"(m)); return m; }

int test_main(void) {
  rt_puts("t-fpwork\n");
  nbody_init();
  rt_puts("energy before: "); put_hex_double(energy()); rt_puts("\n");
  for (int step = 0; step < 2000; step++) advance(0.01);
  rt_puts("energy after:  "); put_hex_double(energy()); rt_puts("\n");
  for (int i = 0; i < NB; i++) {
    rt_printf("body %d: ", i);
    put_hex_double(bodies[i].x); rt_putc(' ');
    put_hex_double(bodies[i].y); rt_putc(' ');
    put_hex_double(bodies[i].vz); rt_putc('\n');
  }
  static const double args[] = { 2, 3, 10, 0.5, 1e-300, 1e300, 12345.678, 4.9e-324, 1.0 / 3 };
  for (unsigned i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
    int steps = 0;
    double r = newton_sqrt(args[i], &steps);
    rt_printf("sqrt #%u: steps %d newton ", i, steps);
    put_hex_double(r);
    rt_puts(" sqrtsd ");
    put_hex_double(__builtin_sqrt(args[i]));
    rt_puts("\n");
  }
  /* float arithmetic, float<->double, int<->double, min/max and fabs as the compiler writes them */
  float acc = 0;
  double lo = 1e9, hi = -1e9, sum = 0;
  long isum = 0;
  for (int i = -500; i < 500; i++) {
    float x = (float)i / 37.0f;
    acc += poly(x);
    double d = (double)x * 1.0000001 + (double)i;
    lo = d < lo ? d : lo;
    hi = d > hi ? d : hi;
    sum += __builtin_fabs(d) / 3.0;
    isum += (long)(d * 1000.0) + (int)(x * 7.5f);
  }
  rt_puts("float acc ");
  put_hex_double((double)acc);
  rt_puts(" min ");
  put_hex_double(lo);
  rt_puts(" max ");
  put_hex_double(hi);
  rt_puts(" sum ");
  put_hex_double(sum);
  rt_printf(" isum %ld\n", isum);
  /* unsigned 64-bit <-> double (gcc's branchy sequences) */
  u64 u = 0xfedcba9876543210UL;
  double du = (double)u;
  rt_puts("u64->double ");
  put_hex_double(du);
  rt_printf(" back %lx\n", (u64)(du / 3.0));
  /* DE (the 4.9e-324 argument is denormal) left out: QEMU 7.2 never sets it (see t-ssefp.c) */
  rt_printf("mxcsr %x\n", mxcsr() & ~2u);
  return 0;
}

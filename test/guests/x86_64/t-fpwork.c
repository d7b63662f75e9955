/* A gcc -O2 double/float workload: whatever SSE2 code the compiler chooses for an n-body simulation, a
 * Newton square-root loop, a float polynomial and int<->double conversions. Results are printed exactly, in
 * a hand-written %a-style hex format (no libc here), so the console output is bit-for-bit comparable. */
#include "rt.h"

static void put_hex_double(double x) {
  union { double d; u64 u; } v = { x };
  u64 frac = v.u & 0xfffffffffffffUL;
  int exp = (int)((v.u >> 52) & 0x7ff);
  if (v.u >> 63) rt_putc('-');
  if (exp == 0x7ff) {
    rt_puts(frac ? "nan" : "inf");
    return;
  }
  if (exp == 0 && frac == 0) {
    rt_puts("0x0p+0");
    return;
  }
  int lead = 1;
  if (exp == 0) {
    lead = 0;
    exp = -1022;
  } else exp -= 1023;
  rt_printf("0x%d", lead);
  if (frac) {
    rt_putc('.');
    int digits = 13;
    while ((frac & 0xf) == 0) {
      frac >>= 4;
      digits--;
    }
    for (int k = digits - 1; k >= 0; k--) rt_putc("0123456789abcdef"[(frac >> (4 * k)) & 0xf]);
  }
  rt_printf("p%c%d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

#define NB 5
struct body { double x, y, z, vx, vy, vz, m; };
static struct body bodies[NB];

static void nbody_init(void) {
  const double pi = 3.141592653589793, days = 365.24, solar = 4 * pi * pi;
  static const double init[NB][7] = {
    { 0, 0, 0, 0, 0, 0, 1 },
    { 4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03,
      7.69901118419740425e-03, -6.90460016972063023e-05, 9.54791938424326609e-04 },
    { 8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03,
      4.99852801234917238e-03, 2.30417297573763929e-05, 2.85885980666130812e-04 },
    { 1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03,
      2.37847173959480950e-03, -2.96589568540237556e-05, 4.36624404335156298e-05 },
    { 1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03,
      1.62824170038242295e-03, -9.51592254519715870e-05, 5.15138902046611451e-05 },
  };
  for (int i = 0; i < NB; i++) {
    bodies[i] = (struct body){ init[i][0], init[i][1], init[i][2], init[i][3] * days, init[i][4] * days,
                               init[i][5] * days, init[i][6] * solar };
  }
  double px = 0, py = 0, pz = 0;
  for (int i = 0; i < NB; i++) {
    px += bodies[i].vx * bodies[i].m;
    py += bodies[i].vy * bodies[i].m;
    pz += bodies[i].vz * bodies[i].m;
  }
  bodies[0].vx = -px / solar;
  bodies[0].vy = -py / solar;
  bodies[0].vz = -pz / solar;
}

static double energy(void) {
  double e = 0;
  for (int i = 0; i < NB; i++) {
    struct body *b = &bodies[i];
    e += 0.5 * b->m * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
    for (int j = i + 1; j < NB; j++) {
      double dx = b->x - bodies[j].x, dy = b->y - bodies[j].y, dz = b->z - bodies[j].z;
      e -= b->m * bodies[j].m / __builtin_sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

static void advance(double dt) {
  for (int i = 0; i < NB; i++) {
    struct body *b = &bodies[i];
    for (int j = i + 1; j < NB; j++) {
      double dx = b->x - bodies[j].x, dy = b->y - bodies[j].y, dz = b->z - bodies[j].z;
      double d2 = dx * dx + dy * dy + dz * dz;
      double mag = dt / (d2 * __builtin_sqrt(d2));
      b->vx -= dx * bodies[j].m * mag;
      b->vy -= dy * bodies[j].m * mag;
      b->vz -= dz * bodies[j].m * mag;
      bodies[j].vx += dx * b->m * mag;
      bodies[j].vy += dy * b->m * mag;
      bodies[j].vz += dz * b->m * mag;
    }
  }
  for (int i = 0; i < NB; i++) {
    bodies[i].x += dt * bodies[i].vx;
    bodies[i].y += dt * bodies[i].vy;
    bodies[i].z += dt * bodies[i].vz;
  }
}

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

/* The n-body simulation and the exact %a-style double printer shared by t-fpwork.c (compared with QEMU) and
 * bench-nbody.c (timed against QEMU): one copy, so the benchmark runs the code the differential test proved. */
#pragma once
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


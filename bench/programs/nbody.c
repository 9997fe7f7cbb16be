// Gravitational n-body simulation (symplectic Euler) over bodies placed by the generator: pairwise
// f64 arithmetic with one sqrt per pair, then the total energy as the checksum.
#include "bench.h"

#define BENCH_N 200
#define BODIES 24
#define STEPS_PER_N 2000

static double px[BODIES], py[BODIES], pz[BODIES];
static double vx[BODIES], vy[BODIES], vz[BODIES];
static double mass[BODIES];

// A softening term keeps close encounters finite, so the orbits stay bounded for any seed.
static const double kSoftening = 0.01;
static const double kStep = 0.001;

static void advance(void) {
  for (int i = 0; i < BODIES; i++) {
    for (int j = i + 1; j < BODIES; j++) {
      double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
      double d2 = dx * dx + dy * dy + dz * dz + kSoftening;
      double mag = kStep / (d2 * __builtin_sqrt(d2));
      vx[i] -= dx * mass[j] * mag;
      vy[i] -= dy * mass[j] * mag;
      vz[i] -= dz * mass[j] * mag;
      vx[j] += dx * mass[i] * mag;
      vy[j] += dy * mass[i] * mag;
      vz[j] += dz * mass[i] * mag;
    }
  }
  for (int i = 0; i < BODIES; i++) {
    px[i] += kStep * vx[i];
    py[i] += kStep * vy[i];
    pz[i] += kStep * vz[i];
  }
}

static double energy(void) {
  double e = 0.0;
  for (int i = 0; i < BODIES; i++) {
    e += 0.5 * mass[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
    for (int j = i + 1; j < BODIES; j++) {
      double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
      e -= mass[i] * mass[j] / __builtin_sqrt(dx * dx + dy * dy + dz * dz + kSoftening);
    }
  }
  return e;
}

i64 run(i32 n) {
  u32 seed = 2024;
  for (int i = 0; i < BODIES; i++) {
    px[i] = 10.0 * lcg_unit(&seed);
    py[i] = 10.0 * lcg_unit(&seed);
    pz[i] = 10.0 * lcg_unit(&seed);
    vx[i] = 0.1 * lcg_unit(&seed);
    vy[i] = 0.1 * lcg_unit(&seed);
    vz[i] = 0.1 * lcg_unit(&seed);
    mass[i] = 1.0 + lcg_unit(&seed) * 0.5;
  }
  u64 sum = double_bits(energy());
  for (i32 round = 0; round < n; round++) {
    for (int s = 0; s < STEPS_PER_N; s++) advance();
    sum = mix64(sum, double_bits(energy()));
  }
  return (i64)sum;
}

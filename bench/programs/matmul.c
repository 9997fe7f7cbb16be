// Dense f64 matrix multiply, i-k-j order: the inner loop streams rows. clang vectorises it for the
// native build (SSE2); for wasm without SIMD it unrolls it by two, and keel's tier 2 pairs the two
// halves back into f64x2 (jit/optimizing/passes/loop_vectorization.h). One element of A changes
// each pass so no pass can be hoisted out of the loop.
#include "bench.h"

#define BENCH_N 1200
#define DIM 160

static double a[DIM * DIM], b[DIM * DIM], c[DIM * DIM];

static void multiply(void) {
  for (int i = 0; i < DIM * DIM; i++) c[i] = 0.0;
  for (int i = 0; i < DIM; i++) {
    for (int k = 0; k < DIM; k++) {
      double aik = a[i * DIM + k];
      for (int j = 0; j < DIM; j++) c[i * DIM + j] += aik * b[k * DIM + j];
    }
  }
}

i64 run(i32 n) {
  u32 seed = 12345;
  for (int i = 0; i < DIM * DIM; i++) a[i] = lcg_unit(&seed);
  for (int i = 0; i < DIM * DIM; i++) b[i] = lcg_unit(&seed);
  u64 sum = 0;
  for (i32 pass = 0; pass < n; pass++) {
    a[(pass * 7919) % (DIM * DIM)] += 0.5;
    multiply();
    double trace = 0.0;
    for (int i = 0; i < DIM; i++) trace += c[i * DIM + i];
    sum = mix64(sum, double_bits(trace));
  }
  return (i64)sum;
}

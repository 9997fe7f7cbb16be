// f32 dot product of two 16 Ki-element vectors (128 KiB, in L2), explicitly vectorised with clang's
// generic vector type (one source: SSE2 natively, simd128 in wasm): four f32x4 accumulators, so
// the summation order is fixed by the source and both builds round identically. One element
// changes each pass so no pass can be hoisted.
#include "../bench.h"

#define BENCH_N 600000
#define LEN 16384

typedef float f32x4 __attribute__((vector_size(16), aligned(16)));

static float x[LEN] __attribute__((aligned(16)));
static float y[LEN] __attribute__((aligned(16)));

static float dot(const float* a, const float* b) {
  const f32x4* va = (const f32x4*)a;
  const f32x4* vb = (const f32x4*)b;
  f32x4 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
  for (int i = 0; i < LEN / 4; i += 4) {
    s0 += va[i] * vb[i];
    s1 += va[i + 1] * vb[i + 1];
    s2 += va[i + 2] * vb[i + 2];
    s3 += va[i + 3] * vb[i + 3];
  }
  f32x4 s = (s0 + s1) + (s2 + s3);
  return (s[0] + s[1]) + (s[2] + s[3]);
}

static u32 float_bits(float f) {
  union { float f; u32 u; } v = {f};
  return v.u;
}

i64 run(i32 n) {
  u32 seed = 777;
  for (int i = 0; i < LEN; i++) x[i] = (float)lcg_unit(&seed);
  for (int i = 0; i < LEN; i++) y[i] = (float)lcg_unit(&seed);
  u64 sum = 0;
  for (i32 pass = 0; pass < n; pass++) {
    x[(pass * 7919) % LEN] += 0.25f;
    sum = mix64(sum, float_bits(dot(x, y)));
  }
  return (i64)sum;
}

// Shared by every benchmark program. The --mode=invoke wasm builds link no libc, so the types come
// from compiler macros rather than <stdint.h>; the one entry point is `run`, which the driver
// harness/native_main.c (native and WASI builds), `keel run --invoke run` and the Node.js invoke
// driver all call the same way.
#ifndef KEEL_BENCH_H
#define KEEL_BENCH_H

typedef __INT32_TYPE__ i32;
typedef __UINT32_TYPE__ u32;
typedef __INT64_TYPE__ i64;
typedef __UINT64_TYPE__ u64;
typedef __UINT8_TYPE__ u8;
typedef __SIZE_TYPE__ usize;

// `n` scales the work linearly; the result is a checksum that must be identical on every runner.
i64 run(i32 n);

// A fixed-seed generator so that every runner sees the same input (Numerical Recipes constants).
static inline u32 lcg_next(u32* state) {
  *state = *state * 1664525u + 1013904223u;
  return *state;
}

// Uniform in [-1, 1): the top 24 bits are the well-mixed ones of an LCG.
static inline double lcg_unit(u32* state) {
  return (double)(lcg_next(state) >> 8) * (2.0 / 16777216.0) - 1.0;
}

// Checksums over doubles compare bit patterns: both targets round IEEE-754 the same way, and the
// programs avoid anything (fast-math, FMA contraction) that would let the two builds differ.
static inline u64 double_bits(double x) {
  union { double d; u64 u; } v = {x};
  return v.u;
}

static inline u64 mix64(u64 h, u64 x) {
  h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

#endif

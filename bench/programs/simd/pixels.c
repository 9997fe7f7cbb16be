// u8 pixel arithmetic over two 64 KiB images, plain C that clang auto-vectorises on both targets:
// saturating add (brighten; i8x16.add_sat_u / paddusb), rounding average (blend; pavgb natively,
// widened in wasm, as clang 19 does not emit i8x16.avgr_u for it), the sum of absolute differences
// (motion search) and a running maximum (i8x16.max_u / pmaxub).
#include "../bench.h"

#define BENCH_N 70000
#define LEN (64 * 1024)

static u8 a[LEN], b[LEN], out[LEN];

static void add_saturate(u8* restrict dst, const u8* restrict x, const u8* restrict y) {
  // The wrap-around test is the idiom clang turns into i8x16.add_sat_u and paddusb; a clamp of
  // the wide sum is not recognised.
  for (int i = 0; i < LEN; i++) {
    u8 s = (u8)(x[i] + y[i]);
    dst[i] = s < x[i] ? 255 : s;
  }
}

static void average(u8* restrict dst, const u8* restrict x, const u8* restrict y) {
  for (int i = 0; i < LEN; i++) dst[i] = (u8)((x[i] + y[i] + 1) >> 1);
}

static u32 sum_abs_diff(const u8* restrict x, const u8* restrict y) {
  u32 sum = 0;
  // abs of the int difference: psadbw natively, i32x4.abs in wasm (the x > y ? x - y : y - x
  // form is vectorised with neither).
  for (int i = 0; i < LEN; i++) {
    int d = x[i] - y[i];
    sum += (u32)(d < 0 ? -d : d);
  }
  return sum;
}

static u8 maximum(const u8* x) {
  u8 m = 0;
  for (int i = 0; i < LEN; i++) m = x[i] > m ? x[i] : m;
  return m;
}

i64 run(i32 n) {
  u32 seed = 4242;
  for (int i = 0; i < LEN; i++) a[i] = (u8)(lcg_next(&seed) >> 25);  // 0..127: some sums saturate
  for (int i = 0; i < LEN; i++) b[i] = (u8)(lcg_next(&seed) >> 24);
  u64 sum = 0;
  for (i32 pass = 0; pass < n; pass++) {
    add_saturate(out, a, b);
    u32 sad = sum_abs_diff(out, a);
    average(a, out, b);
    u8 top = maximum(a);
    b[(pass * 7919) % LEN] ^= (u8)pass;
    sum = mix64(sum, ((u64)sad << 8) | top);
  }
  return (i64)sum;
}

// Separable 3x3 box blur of a 512x512 u8 image (256 KiB), plain C that clang auto-vectorises on
// both targets: a horizontal pass of u16 sums, then a vertical pass dividing by 9 in fixed point
// ((s * 7282) >> 16, which equals s / 9 for every sum of nine bytes). The border is copied. The
// image ping-pongs between two buffers and one pixel is flipped per pass, so it never settles.
#include "../bench.h"

#define BENCH_N 6500
#define W 512
#define H 512

static u8 a[H][W], b[H][W];
static unsigned short rows[3][W];

static void sum_row(unsigned short* restrict out, const u8* restrict in) {
  out[0] = out[W - 1] = 0;
  for (int x = 1; x < W - 1; x++) out[x] = (unsigned short)(in[x - 1] + in[x] + in[x + 1]);
}

static void blur(u8 (*restrict dst)[W], u8 (*restrict src)[W]) {
  for (int x = 0; x < W; x++) dst[0][x] = src[0][x], dst[H - 1][x] = src[H - 1][x];
  sum_row(rows[0], src[0]);
  sum_row(rows[1], src[1]);
  for (int y = 1; y < H - 1; y++) {
    const unsigned short* up = rows[(y - 1) % 3];
    const unsigned short* mid = rows[y % 3];
    unsigned short* down = rows[(y + 1) % 3];
    sum_row(down, src[y + 1]);
    u8* out = dst[y];
    for (int x = 1; x < W - 1; x++) {
      u32 s = (u32)up[x] + mid[x] + down[x];
      out[x] = (u8)((s * 7282u) >> 16);
    }
    out[0] = src[y][0];
    out[W - 1] = src[y][W - 1];
  }
}

i64 run(i32 n) {
  u32 seed = 99;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) a[y][x] = (u8)(lcg_next(&seed) >> 24);
  u64 sum = 0;
  for (i32 pass = 0; pass < n; pass++) {
    u8 (*src)[W] = (pass & 1) ? b : a;
    u8 (*dst)[W] = (pass & 1) ? a : b;
    blur(dst, src);
    u32 at = lcg_next(&seed);
    dst[(at >> 9) % H][at % W] ^= 0xff;
    sum = mix64(sum, dst[pass % H][(pass * 31) % W]);
  }
  u8 (*last)[W] = (n & 1) ? b : a;
  u64 total = 0;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) total += last[y][x] * (u64)(x + 1);
  return (i64)mix64(sum, total);
}

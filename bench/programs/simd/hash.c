// XXH32 (xxHash's 32-bit hash) of a 256 KiB buffer, its four lane accumulators held in one u32x4
// of clang's generic vector type (one source: SSE2 natively, simd128 in wasm): per 16-byte stripe
// an i32x4 multiply-add, a rotate and a multiply. Checked against a plain scalar XXH32 and the
// published value for the empty input; one byte changes per pass.
#include "../bench.h"

#define BENCH_N 18500
#define LEN (256 * 1024)

#define P1 0x9E3779B1u
#define P2 0x85EBCA77u
#define P3 0xC2B2AE3Du
#define P4 0x27D4EB2Fu
#define P5 0x165667B1u

typedef u32 u32x4 __attribute__((vector_size(16)));

static u8 data[LEN] __attribute__((aligned(16)));

static u32 rotl(u32 x, int r) { return (x << r) | (x >> (32 - r)); }

static u32 read32(const u8* p) {
  u32 v;
  __builtin_memcpy(&v, p, 4);  // both targets are little-endian, as XXH32 reads
  return v;
}

// Everything after the stripes: the tail of fewer than 16 bytes and the final avalanche.
static u32 finish(u32 h, const u8* p, usize left) {
  for (; left >= 4; left -= 4, p += 4) h = rotl(h + read32(p) * P3, 17) * P4;
  for (; left > 0; left--, p++) h = rotl(h + *p * P5, 11) * P1;
  h ^= h >> 15;
  h *= P2;
  h ^= h >> 13;
  h *= P3;
  h ^= h >> 16;
  return h;
}

static u32 xxh32_vector(const u8* p, usize len, u32 seed) {
  u32 h;
  usize i = 0;
  if (len >= 16) {
    u32x4 acc = {seed + P1 + P2, seed + P2, seed, seed - P1};
    for (; i + 16 <= len; i += 16) {
      u32x4 in;
      __builtin_memcpy(&in, p + i, 16);
      acc += in * P2;
      acc = (acc << 13) | (acc >> 19);
      acc *= P1;
    }
    h = rotl(acc[0], 1) + rotl(acc[1], 7) + rotl(acc[2], 12) + rotl(acc[3], 18);
  } else {
    h = seed + P5;
  }
  return finish(h + (u32)len, p + i, len - i);
}

static u32 xxh32_scalar(const u8* p, usize len, u32 seed) {
  u32 h;
  usize i = 0;
  if (len >= 16) {
    u32 v[4] = {seed + P1 + P2, seed + P2, seed, seed - P1};
    for (; i + 16 <= len; i += 16)
      for (int k = 0; k < 4; k++) v[k] = rotl(v[k] + read32(p + i + 4 * k) * P2, 13) * P1;
    h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);
  } else {
    h = seed + P5;
  }
  return finish(h + (u32)len, p + i, len - i);
}

i64 run(i32 n) {
  u32 seed = 31337;
  for (usize i = 0; i < LEN; i++) data[i] = (u8)(lcg_next(&seed) >> 24);
  if (xxh32_vector(data, 0, 0) != 0x02CC5D05u) return -1;
  for (usize len = 0; len < 100; len++)
    if (xxh32_vector(data + 3, len * 7, (u32)len) != xxh32_scalar(data + 3, len * 7, (u32)len))
      return -1;
  u64 sum = 0;
  for (i32 pass = 0; pass < n; pass++) {
    // An odd length and offset, so the tail loops run too.
    u32 h = xxh32_vector(data + (pass & 3), LEN - 4 - (pass & 7), (u32)pass);
    data[h % LEN] ^= (u8)(pass | 1);
    sum = mix64(sum, h);
  }
  return (i64)sum;
}

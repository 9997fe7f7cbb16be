// Byte search in a 256 KiB text-like buffer: count the occurrences of a byte (compare, subtract
// the all-ones lanes into u8 counters, widen every 63 blocks) and find the next occurrence of a
// byte from a given position (memchr: compare, bitmask, count trailing zeros). Written with
// intrinsics, the same algorithm twice: <wasm_simd128.h> when built with -msimd128, SSE2's
// <emmintrin.h> natively.
#include "../bench.h"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#else
#error "needs wasm simd128 or SSE2"
#endif

#define BENCH_N 160000
#define LEN (256 * 1024)
#define SEARCHES 64

static u8 text[LEN + 64] __attribute__((aligned(16)));

// Occurrences of c in p[0..len), len a multiple of 64.
static u32 count_byte(const u8* p, usize len, u8 c) {
  u32 total = 0;
  usize i = 0;
#if defined(__wasm_simd128__)
  v128_t needle = wasm_i8x16_splat((char)c);
  v128_t wide = wasm_i32x4_splat(0);
  while (i < len) {
    // Each block adds at most 4 to a u8 lane: 63 blocks stay below 256.
    usize end = i + 63 * 64 < len ? i + 63 * 64 : len;
    v128_t acc = wasm_i8x16_splat(0);
    for (; i < end; i += 64) {
      acc = wasm_i8x16_sub(acc, wasm_i8x16_eq(wasm_v128_load(p + i), needle));
      acc = wasm_i8x16_sub(acc, wasm_i8x16_eq(wasm_v128_load(p + i + 16), needle));
      acc = wasm_i8x16_sub(acc, wasm_i8x16_eq(wasm_v128_load(p + i + 32), needle));
      acc = wasm_i8x16_sub(acc, wasm_i8x16_eq(wasm_v128_load(p + i + 48), needle));
    }
    wide = wasm_i32x4_add(wide, wasm_u32x4_extadd_pairwise_u16x8(
                                    wasm_u16x8_extadd_pairwise_u8x16(acc)));
  }
  total = wasm_i32x4_extract_lane(wide, 0) + wasm_i32x4_extract_lane(wide, 1) +
          wasm_i32x4_extract_lane(wide, 2) + wasm_i32x4_extract_lane(wide, 3);
#else
  __m128i needle = _mm_set1_epi8((char)c);
  __m128i wide = _mm_setzero_si128();
  while (i < len) {
    usize end = i + 63 * 64 < len ? i + 63 * 64 : len;
    __m128i acc = _mm_setzero_si128();
    for (; i < end; i += 64) {
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_load_si128((const __m128i*)(p + i)), needle));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_load_si128((const __m128i*)(p + i + 16)), needle));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_load_si128((const __m128i*)(p + i + 32)), needle));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_load_si128((const __m128i*)(p + i + 48)), needle));
    }
    wide = _mm_add_epi64(wide, _mm_sad_epu8(acc, _mm_setzero_si128()));  // two u64 lane sums
  }
  total = (u32)_mm_cvtsi128_si32(wide) + (u32)_mm_cvtsi128_si32(_mm_unpackhi_epi64(wide, wide));
#endif
  return total;
}

// The index of the first c in p[from..len), or len; p has 16 readable bytes past len.
static usize find_byte(const u8* p, usize from, usize len, u8 c) {
  for (usize i = from; i < len; i += 16) {
#if defined(__wasm_simd128__)
    u32 mask = wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(p + i), wasm_i8x16_splat((char)c)));
#else
    u32 mask = (u32)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i*)(p + i)), _mm_set1_epi8((char)c)));
#endif
    if (mask) {
      usize at = i + (usize)__builtin_ctz(mask);
      return at < len ? at : len;
    }
  }
  return len;
}

i64 run(i32 n) {
  // Lower-case words of 1 to 12 letters, separated by spaces, a newline every ~10 words; the
  // rarer letters make for long memchr scans.
  u32 seed = 2024;
  for (usize i = 0; i < LEN;) {
    u32 r = lcg_next(&seed);
    usize word = 1 + (r >> 8) % 12;
    for (usize k = 0; k < word && i < LEN; k++) {
      u32 s = lcg_next(&seed) >> 24;
      text[i++] = (u8)('a' + (s * s >> 8) % 26);  // skewed towards early letters
    }
    if (i < LEN) text[i++] = (r >> 4) % 10 == 0 ? '\n' : ' ';
  }
  // Reference counts and positions from plain loops, once: a wrong kernel returns -1.
  {
    u32 plain = 0;
    for (usize i = 0; i < LEN; i++) plain += text[i] == 'e';
    usize first = 0;
    while (first < LEN && text[first] != 'z') first++;
    if (count_byte(text, LEN, 'e') != plain || find_byte(text, 0, LEN, 'z') != first) return -1;
  }
  u64 sum = 0;
  for (i32 pass = 0; pass < n; pass++) {
    u8 c = (u8)('a' + pass % 26);
    sum = mix64(sum, count_byte(text, LEN, c));
    usize at = (usize)(lcg_next(&seed) % LEN);
    for (int s = 0; s < SEARCHES && at < LEN; s++) {
      at = find_byte(text, at, LEN, (u8)('n' + s % 12));
      sum = mix64(sum, at);
      at += 1;
    }
    text[(pass * 7919) % LEN] = c;
  }
  return (i64)sum;
}

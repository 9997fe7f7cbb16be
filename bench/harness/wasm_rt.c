// The few libc functions clang may emit calls to on its own (struct copies, loop idioms such as
// clearing an array), for the wasm builds, which link no libc. Eight bytes at a time, as a libc
// would: a byte loop would make a program that clears a big array (sieve) look slow for a reason
// that has nothing to do with the engine. Built with -fno-builtin so these loops are not turned
// back into calls to themselves.
#include "../programs/bench.h"

// Wasm loads and stores need no alignment; this type tells clang so.
typedef u64 __attribute__((aligned(1), may_alias)) unaligned_u64;

void* memcpy(void* restrict dst, const void* restrict src, usize n) {
  u8* d = dst;
  const u8* s = src;
  for (; n >= 8; n -= 8, d += 8, s += 8) *(unaligned_u64*)d = *(const unaligned_u64*)s;
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, usize n) {
  u8* d = dst;
  const u8* s = src;
  if (d <= s) {
    // Forward is safe even when overlapping: each chunk is read before anything overwrites it.
    for (; n >= 8; n -= 8, d += 8, s += 8) *(unaligned_u64*)d = *(const unaligned_u64*)s;
    while (n--) *d++ = *s++;
    return dst;
  }
  while (n >= 8) {
    n -= 8;
    *(unaligned_u64*)(d + n) = *(const unaligned_u64*)(s + n);
  }
  while (n--) d[n] = s[n];
  return dst;
}

void* memset(void* dst, int c, usize n) {
  u8* d = dst;
  u64 word = (u64)(u8)c * 0x0101010101010101ull;
  for (; n >= 8; n -= 8, d += 8) *(unaligned_u64*)d = word;
  while (n--) *d++ = (u8)c;
  return dst;
}

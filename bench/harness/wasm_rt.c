// The few libc functions clang may emit calls to on its own (struct copies, loop idioms), for the
// wasm builds, which link no libc. Built with -fno-builtin so these loops are not turned back into
// calls to themselves.
#include "../programs/bench.h"

void* memcpy(void* restrict dst, const void* restrict src, usize n) {
  u8* d = dst;
  const u8* s = src;
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, usize n) {
  u8* d = dst;
  const u8* s = src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

void* memset(void* dst, int c, usize n) {
  u8* d = dst;
  while (n--) *d++ = (u8)c;
  return dst;
}

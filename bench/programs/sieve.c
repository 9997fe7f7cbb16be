// Sieve of Eratosthenes over a byte array: strided stores with a data-dependent inner bound. The
// limit shrinks a little each round so the rounds are not identical.
#include "bench.h"

#define BENCH_N 35
#define LIMIT (8 * 1024 * 1024)

static u8 composite[LIMIT];

i64 run(i32 n) {
  u64 sum = 0;
  for (i32 round = 0; round < n; round++) {
    u32 limit = LIMIT - (u32)round * 1000;
    for (u32 i = 0; i < limit; i++) composite[i] = 0;
    for (u32 p = 2; (u64)p * p < limit; p++) {
      if (composite[p]) continue;
      for (u32 m = p * p; m < limit; m += p) composite[m] = 1;
    }
    u32 count = 0, last = 0;
    for (u32 i = 2; i < limit; i++) {
      if (!composite[i]) {
        count++;
        last = i;
      }
    }
    sum = mix64(sum, (u64)count << 32 | last);
  }
  return (i64)sum;
}

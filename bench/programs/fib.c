// Call-heavy recursion: naive Fibonacci and Takeuchi's function, with arguments that vary by
// round so no call can be hoisted out of the loop.
#include "bench.h"

#define BENCH_N 480

static i32 fib(i32 k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }

static i32 tak(i32 x, i32 y, i32 z) {
  return y < x ? tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y)) : z;
}

i64 run(i32 n) {
  u64 sum = 0;
  for (i32 round = 0; round < n; round++) {
    sum = mix64(sum, (u64)fib(27 + round % 4));
    sum = mix64(sum, (u64)tak(18 + round % 3, 12, 6));
  }
  return (i64)sum;
}

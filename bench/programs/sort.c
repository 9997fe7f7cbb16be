// Sorting generated integers twice per round: an introsort-free quicksort (median of three,
// insertion sort below a cutoff) and a heapsort, then a check that both agree and are ordered.
#include "bench.h"

#define BENCH_N 24
#define COUNT 200000

static i32 data[COUNT], copy[COUNT];

static void insertion_sort(i32* v, int lo, int hi) {
  for (int i = lo + 1; i <= hi; i++) {
    i32 x = v[i];
    int j = i - 1;
    while (j >= lo && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static void swap(i32* v, int i, int j) {
  i32 t = v[i];
  v[i] = v[j];
  v[j] = t;
}

// Recurses into the smaller half and loops on the larger, so the depth stays logarithmic and the
// wasm build's small shadow stack suffices.
static void quicksort(i32* v, int lo, int hi) {
  while (hi - lo > 16) {
    int mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    i32 pivot = v[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) swap(v, i++, j--);
    }
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
  insertion_sort(v, lo, hi);
}

static void sift_down(i32* v, int root, int end) {
  for (;;) {
    int child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && v[child] < v[child + 1]) child++;
    if (v[root] >= v[child]) return;
    swap(v, root, child);
    root = child;
  }
}

static void heapsort(i32* v, int count) {
  for (int i = count / 2 - 1; i >= 0; i--) sift_down(v, i, count);
  for (int end = count - 1; end > 0; end--) {
    swap(v, 0, end);
    sift_down(v, 0, end);
  }
}

i64 run(i32 n) {
  u32 seed = 777;
  u64 sum = 0;
  for (i32 round = 0; round < n; round++) {
    for (int i = 0; i < COUNT; i++) data[i] = (i32)lcg_next(&seed) % 1000000;
    for (int i = 0; i < COUNT; i++) copy[i] = data[i];
    quicksort(data, 0, COUNT - 1);
    heapsort(copy, COUNT);
    for (int i = 0; i < COUNT; i++) {
      if (data[i] != copy[i] || (i > 0 && data[i - 1] > data[i])) return -1;
      sum += (u64)(u32)data[i] * (u64)(i + 1);
    }
  }
  return (i64)sum;
}

// Operand values for the numeric tests: edge cases of each type, then a few pseudo-random ones.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "jit/numeric_harness.h"

namespace keel::jit::testing {

inline std::vector<uint64_t> i32_values() {
  std::vector<uint64_t> v = {0,          1,          2,          3,          7,          31,
                             32,         33,         63,         64,         0x7fffffff, 0x80000000,
                             0x80000001, 0xffffffff, 0xfffffffe, 0xfffffff9, 0x12345678, 0xdeadbeef,
                             0x00010000, 0x0000ff00, 0x55555555, 0xaaaaaaaa};
  uint64_t state = 32;
  for (int i = 0; i < 10; ++i) v.push_back(uint32_t(mix(state)));
  return v;
}

inline std::vector<uint64_t> i64_values() {
  std::vector<uint64_t> v = {0,
                             1,
                             2,
                             3,
                             7,
                             63,
                             64,
                             65,
                             0x7fffffff,
                             0x80000000,
                             0xffffffff,
                             0x100000000,
                             0x7fffffffffffffff,
                             0x8000000000000000,
                             0x8000000000000001,
                             0xffffffffffffffff,
                             0xfffffffffffffffe,
                             0xfffffffffffffff9,
                             0xffffffff80000000,
                             0x123456789abcdef0,
                             0xdeadbeefcafebabe,
                             0x5555555555555555,
                             0x0000ff0000000000};
  uint64_t state = 64;
  for (int i = 0; i < 10; ++i) v.push_back(mix(state));
  return v;
}

inline std::vector<uint64_t> f32_values() {
  std::vector<uint64_t> v = {0x00000000, 0x80000000, 0x3f800000,
                             0xbf800000, 0x3f000000, 0xbf000000,  // 0 -0 1 -1 .5 -.5
                             0x3fc00000, 0xbfc00000, 0x40200000,
                             0xc0200000, 0x40600000, 0xc0600000,  // 1.5 2.5 3.5
                             0x3effffff, 0xbeffffff, 0x3f7fffff,
                             0x3f800001, 0x00000001, 0x80000001,  // ~0.5 ~1 denormal
                             0x007fffff, 0x00800000, 0x7f7fffff,
                             0xff7fffff, 0x7f800000, 0xff800000,  // min normal, max, inf
                             0x4b000000, 0xcb000000, 0x4affffff,
                             0xcaffffff, 0x4b000001, 0x4a800001,  // 2^23 region
                             0x4effffff, 0x4f000000, 0xcf000000,
                             0xcf000001, 0x5f000000, 0xdf000000,  // 2^31, 2^63
                             0x7fc00000, 0xffc00000, 0x7fc12345,
                             0x7fa00000, 0xff812345, 0x7f800001,  // NaNs
                             0x40490fdb, 0xc2f6e979};
  // Truncation boundaries: around ±2^31, 2^32, ±2^63, 2^64 and -1.
  for (uint64_t b : std::initializer_list<uint64_t>{0x4effffff, 0xcf000001, 0x4f800000, 0x4f7fffff,
                                                    0x5effffff, 0xdf000001, 0x5f800000, 0x5f7fffff,
                                                    0xbf666666, 0xbf800001, 0x3f666666}) {
    v.push_back(b);
  }
  uint64_t state = 3232;
  for (int i = 0; i < 8; ++i) v.push_back(uint32_t(mix(state)));
  return v;
}

inline std::vector<uint64_t> f64_values() {
  std::vector<uint64_t> v = {
      0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
      0x3fe0000000000000, 0xbfe0000000000000, 0x3ff8000000000000, 0xbff8000000000000,
      0x4004000000000000, 0xc004000000000000, 0x400c000000000000, 0xc00c000000000000,
      0x3fdfffffffffffff, 0xbfdfffffffffffff, 0x3fefffffffffffff, 0x3ff0000000000001,
      0x0000000000000001, 0x8000000000000001, 0x000fffffffffffff, 0x0010000000000000,
      0x7fefffffffffffff, 0xffefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000,
      0x4330000000000000, 0xc330000000000000, 0x432fffffffffffff, 0xc32fffffffffffff,
      0x4330000000000001, 0x4320000000000001, 0x41dfffffffc00000, 0x41e0000000000000,
      0xc1e0000000000000, 0xc1e0000000200000, 0x43e0000000000000, 0xc3e0000000000000,
      0x7ff8000000000000, 0xfff8000000000000, 0x7ff8000000012345, 0x7ff4000000000000,
      0xfff0000000012345, 0x7ff0000000000001, 0x400921fb54442d18, 0xc05edd2f1a9fbe77};
  for (uint64_t b : std::initializer_list<uint64_t>{
           0x41dfffffffffffff, 0x41dfffffffc00000, 0xc1e00000001fffff, 0x41efffffffe00000,
           0x41efffffffffffff, 0x41f0000000000000, 0x43dfffffffffffff, 0xc3e0000000000001,
           0x43f0000000000000, 0x43efffffffffffff, 0xbfeccccccccccccd, 0xbff0000000000001,
           0x3feccccccccccccd, 0x47efffffe0000000, 0x36a0000000000000, 0x3e80000000000000}) {
    v.push_back(b);
  }
  uint64_t state = 6464;
  for (int i = 0; i < 8; ++i) v.push_back(mix(state));
  return v;
}

}  // namespace keel::jit::testing

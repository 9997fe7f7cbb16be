// Printing style: "<type>:<value>". Integers print as signed decimal (what a reader of `--invoke`
// output expects for -1); floats print as C hex floats ("f64:0x1p+0"), which are exact, with
// NaNs as "nan:0x<payload bits>" and a sign; references as "null" or the pointer in hex; v128 as
// its 16 bytes in memory order ("v128:0x00 01 ..." without spaces).
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "runtime/value.h"

namespace keel {
namespace {

std::string float_text(double d, bool is_nan, bool negative, uint64_t payload) {
  char buffer[64];
  if (is_nan) {
    std::snprintf(buffer, sizeof buffer, "%snan:0x%" PRIx64, negative ? "-" : "", payload);
  } else if (std::isinf(d)) {
    return negative ? "-inf" : "inf";
  } else {
    std::snprintf(buffer, sizeof buffer, "%a", d);
  }
  return buffer;
}

}  // namespace

std::string Value::to_string() const {
  std::string prefix = std::string(val_type_name(type)) + ":";
  char buffer[64];
  switch (type) {
    case ValType::kI32:
      std::snprintf(buffer, sizeof buffer, "%" PRId32, static_cast<int32_t>(i32));
      return prefix + buffer;
    case ValType::kI64:
      std::snprintf(buffer, sizeof buffer, "%" PRId64, static_cast<int64_t>(i64));
      return prefix + buffer;
    case ValType::kF32: {
      float f;
      std::memcpy(&f, &f32_bits, 4);
      return prefix + float_text(f, std::isnan(f), f32_bits >> 31, f32_bits & 0x7fffff);
    }
    case ValType::kF64: {
      double d;
      std::memcpy(&d, &f64_bits, 8);
      return prefix + float_text(d, std::isnan(d), f64_bits >> 63, f64_bits & ((1ull << 52) - 1));
    }
    case ValType::kV128: {
      std::string out = prefix + "0x";
      for (uint8_t b : v128) {
        std::snprintf(buffer, sizeof buffer, "%02x", b);
        out += buffer;
      }
      return out;
    }
    case ValType::kFuncRef:
    case ValType::kExternRef:
      if (!ref) return prefix + "null";
      std::snprintf(buffer, sizeof buffer, "%p", ref);
      return prefix + buffer;
    default:
      return prefix + "?";
  }
}

}  // namespace keel

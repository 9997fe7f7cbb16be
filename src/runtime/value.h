// A wasm value as the host sees it: typed, with floats kept as bits so NaN payloads survive.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "ir/types.h"

namespace keel {

struct Value {
  ValType type = ValType::kI32;
  union {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    void* ref;  // funcref: vm::VMFuncRef*; externref: opaque host pointer; null is nullptr
    uint8_t v128[16];
  };

  Value() { std::memset(v128, 0, sizeof v128); }
  static Value from_i32(uint32_t v) {
    Value x;
    x.type = ValType::kI32;
    x.i32 = v;
    return x;
  }
  static Value from_i64(uint64_t v) {
    Value x;
    x.type = ValType::kI64;
    x.i64 = v;
    return x;
  }
  static Value from_f32_bits(uint32_t v) {
    Value x;
    x.type = ValType::kF32;
    x.f32_bits = v;
    return x;
  }
  static Value from_f64_bits(uint64_t v) {
    Value x;
    x.type = ValType::kF64;
    x.f64_bits = v;
    return x;
  }
  static Value from_ref(ValType t, void* r) {
    Value x;
    x.type = t;
    x.ref = r;
    return x;
  }
  static Value zero(ValType t) {
    Value x;
    x.type = t;
    return x;
  }

  // "i32:42", "f64:0x1p+0", "funcref:null", as `keel run --invoke` prints results.
  std::string to_string() const;
};

}  // namespace keel

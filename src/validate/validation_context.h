// Module-wide facts a function body is validated against, computed once per module and shared
// read-only by every validating (and later compiling) thread.
#pragma once

#include <cstdint>
#include <vector>

#include "decode/body_scanner.h"
#include "ir/features.h"
#include "ir/module.h"

namespace keel {

struct ValidationContext {
  explicit ValidationContext(const Module& m);

  const Module& module;
  const Features& features;
  // C.refs: functions that ref.func may name inside function bodies (those referenced outside
  // function bodies: exports, element segments, global initialisers).
  std::vector<uint8_t> declared_functions;

  ValType address_type(uint32_t memory) const {
    return module.memories[memory].type.limits.is64 ? ValType::kI64 : ValType::kI32;
  }
};

}  // namespace keel

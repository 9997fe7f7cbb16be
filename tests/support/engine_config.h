// The engine configuration tests start from: keel's JIT as the compiler (tier 2 available, though
// experimental), everything else default.
#pragma once

#include "jit/engine/jit_compiler.h"
#include "runtime/store.h"

namespace keel::test {

inline EngineConfig test_config() {
  EngineConfig config;
  config.compiler = jit::jit_compiler();
  return config;
}

}  // namespace keel::test

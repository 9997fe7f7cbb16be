// Shared helpers for the runtime tests: load a builder's module and instantiate it in a store.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "runtime/store.h"
#include "support/engine_config.h"
#include "support/expect.h"
#include "support/wasm_builder.h"

namespace keel::test {

inline std::shared_ptr<LoadedModule> load(const WasmBuilder& b,
                                          const EngineConfig& config = test_config()) {
  auto module = LoadedModule::load(buffer_of(b.build()), config);
  EXPECT_TRUE(Succeeded(module));
  return module ? *module : nullptr;
}

inline FuncType func_type(std::vector<ValType> params, std::vector<ValType> results) {
  FuncType t;
  t.params = std::move(params);
  t.results = std::move(results);
  return t;
}

}  // namespace keel::test

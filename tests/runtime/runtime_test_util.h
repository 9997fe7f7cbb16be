// Shared helpers for the runtime tests: load a builder's module and instantiate it in a store.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// A `name` section with a module name and function names.
inline Bytes names(std::string_view module_name,
                   const std::vector<std::pair<uint32_t, std::string>>& fs) {
  Bytes module_sub = name(module_name);
  std::vector<Bytes> entries;
  for (auto& [index, n] : fs) entries.push_back(cat(u32(index), name(n)));
  Bytes funcs_sub = vec(entries);
  return cat(0x00, u32(static_cast<uint32_t>(module_sub.size())), module_sub, 0x01,
             u32(static_cast<uint32_t>(funcs_sub.size())), funcs_sub);
}

inline FuncType func_type(std::vector<ValType> params, std::vector<ValType> results) {
  FuncType t;
  t.params = std::move(params);
  t.results = std::move(results);
  return t;
}

}  // namespace keel::test

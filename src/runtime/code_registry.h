// Which wasm function a PC of generated code belongs to, for backtraces: a process-wide map from
// code ranges to (module, function, source map). Thread-safe; modules add their functions as
// they are compiled and remove them when destroyed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/module.h"
#include "jit/baseline/baseline_compiler.h"

namespace keel::runtime {

struct CodeRange {
  uintptr_t begin = 0;
  uintptr_t end = 0;
  const Module* module = nullptr;
  uint32_t func_index = 0;
  const std::vector<jit::SourceMapEntry>* source_map = nullptr;  // owned by the module
};

struct CodeLocation {
  const Module* module = nullptr;
  uint32_t func_index = 0;
  std::optional<uint32_t> module_offset;
};

class CodeRegistry {
 public:
  static CodeRegistry& global();
  void add(const CodeRange& range);
  void remove_module(const Module* module);
  // `pc` is the address of an instruction (not a return address: callers pass return - 1).
  std::optional<CodeLocation> lookup(uintptr_t pc) const;
};

// /tmp/perf-<pid>.map: "START SIZE name" lines (hex) that `perf report` uses to name JIT code.
void perfmap_write(uintptr_t start, size_t size, const std::string& name);

}  // namespace keel::runtime

// Which wasm function a PC of generated code belongs to, for backtraces and the trap handler: a
// process-wide map from code ranges to (module, function, source map, trap sites). Thread-safe;
// modules add their functions as they are compiled and remove them when destroyed.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/module.h"
#include "runtime/compiler.h"

namespace keel::runtime {

struct CodeRange {
  uintptr_t begin = 0;
  uintptr_t end = 0;
  const Module* module = nullptr;
  uint32_t func_index = 0;
  std::span<const SourceMapEntry> source_map;  // owned by the module (or its cache file)
  std::span<const TrapSite> trap_sites;        // owned by the module (or its cache file)
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
  // The trap a fault at `pc` means if it is inside one of a function's trap sites, else kNone.
  // Called from the signal handler, on a thread that is running wasm code and so holds no lock
  // here.
  vm::TrapCode trap_site(uintptr_t pc) const;
};

// CodeRegistry::global().trap_site(pc) as the trap handler's TrapSiteLookup.
uint32_t trap_site_code(uintptr_t pc);

// /tmp/perf-<pid>.map: "START SIZE name" lines (hex) that `perf report` uses to name JIT code.
void perfmap_write(uintptr_t start, size_t size, const std::string& name);

}  // namespace keel::runtime

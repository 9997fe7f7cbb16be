// Tier 1: the single-pass baseline compiler. It is the consumer (Interface) of the body decoding
// loop, so one pass over a function's bytes decodes, validates and emits x86-64 through asmjit's
// x86::Assembler, keeping the operand stack in a register cache (Liftoff's CacheState model).
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "platform/cpu_features.h"
#include "validate/validation_context.h"

namespace keel::jit {

// Maps a code offset to the wasm instruction it belongs to, for backtraces. Entries are sorted by
// code_offset and recorded at least at every call and trap site.
struct SourceMapEntry {
  uint32_t code_offset;
  uint32_t module_offset;  // byte offset in the module
};

struct CompiledFunction {
  std::vector<uint8_t> code;  // position independent: installable at any address
  std::vector<SourceMapEntry> source_map;
};

struct CompileOptions {
  platform::CpuFeatures cpu;
  // The attention-word test at function entry and loop back-edges. Off only to measure its
  // cost (bench/); without it interrupts and --timeout cannot stop a loop.
  bool interrupt_checks = true;
  // ctx.module passed validation (load_module): bodies are decoded without checking them again.
  // Set it only for such modules: an invalid body is then undefined behaviour, not an error.
  bool validated = false;
};

// Compiles defined function `func_index` of ctx.module (validated or not: a validation error is
// returned as one). Thread-safe: any number of threads may compile functions of one module.
Result<CompiledFunction> compile_baseline(const ValidationContext& ctx, uint32_t func_index,
                                          const CompileOptions& options);

}  // namespace keel::jit

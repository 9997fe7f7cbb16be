// Tier 1: the single-pass baseline compiler. It is the consumer (Interface) of the body decoding
// loop, so one pass over a function's bytes decodes, validates and emits x86-64 through asmjit's
// x86::Assembler, keeping the operand stack in a register cache (Liftoff's CacheState model).
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "runtime/compiler.h"
#include "validate/validation_context.h"

namespace keel::jit {

// The runtime's compiler interface types (runtime/compiler.h), used unqualified in jit/.
using runtime::CompiledFunction;
using runtime::CompileOptions;
using runtime::OsrPoint;
using runtime::SourceMapEntry;
using runtime::TrapSite;

// Compiles defined function `func_index` of ctx.module (validated or not: a validation error is
// returned as one). Thread-safe: any number of threads may compile functions of one module.
Result<CompiledFunction> compile_baseline(const ValidationContext& ctx, uint32_t func_index,
                                          const CompileOptions& options);

}  // namespace keel::jit

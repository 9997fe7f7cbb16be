// A second back end for tier 2's IR, written only to measure keel's register allocator against
// asmjit's: it lowers the scalar integer subset of an optimized Graph with x86::Compiler, where
// every SSA value is a virtual register and asmjit's allocator (run in finalize) decides where it
// lives. The instruction selection follows keel's codegen (two-operand forms, immediates for
// constants, fused compare-and-branch, cmov for select) so that the code differs mainly by the
// allocation. The code is never run: it keeps neither keel's ABI nor its trap contract.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/module.h"
#include "jit/optimizing/ir.h"
#include "platform/cpu_features.h"

namespace keel::bench {

// Why the back end cannot compile `graph`, or an empty string if it can: the first instruction
// outside the subset, named by its category ("call", "float", "simd", ...).
std::string unsupported_reason(const jit::opt::Graph& graph, const Module& module);

struct CompilerBackendResult {
  bool ok = false;
  std::string error;
  std::vector<uint8_t> code;
  std::string assembly;  // with want_assembly: asmjit's listing of the final code
  // Functions with calls: the size of the stack area of calls, whose address the first
  // `lea REG, [rsp+X]` of the listing takes (accesses to it are not spills).
  uint32_t call_area_bytes = 0;
  double finalize_seconds = 0;  // of the whole compile, the part in finalize(): asmjit's passes
};

// Lowers and finalizes one function of `module`; `graph` must pass unsupported_reason.
CompilerBackendResult compile_with_asmjit_compiler(const jit::opt::Graph& graph,
                                                   const Module& module,
                                                   const platform::CpuFeatures& cpu,
                                                   bool want_assembly);

}  // namespace keel::bench

// Tier 2's back end: compiles an optimized Graph to x86-64 machine code that follows the same
// runtime contract as tier 1 (runtime/vm_abi.h): the frame, calling convention, traps and source
// map. Liveness and linear-scan allocation decide where each value lives; the instruction
// semantics come from tier 1's register-level lowering (emit_numeric), shared by both tiers.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "ir/module.h"
#include "jit/optimizing/ir.h"
#include "runtime/compiler.h"

namespace keel::jit::opt {

struct CodegenStats {
  uint32_t allocated_values = 0;
  uint32_t spilled_values = 0;         // values that live in a frame slot
  uint32_t call_saved_values = 0;      // register values stored and reloaded around calls
  uint32_t rematerialized_values = 0;  // constants made at each use instead of spilled
  uint32_t fused_compares = 0;         // compares emitted as the flags of their branch
  uint32_t fused_loads = 0;            // loads emitted as a memory operand (load_fusion.h)
  uint32_t lea_forms = 0;              // adds emitted as one lea (address_arithmetic.h)
  uint32_t edge_moves = 0;             // moves emitted for block arguments
  uint32_t non_contiguous_loops = 0;
  bool want_assembly = false;  // in: fill `assembly` (slower: asmjit formats every instruction)
  std::string assembly;        // out: the code as text, each block headed by its IR name
};

// Compiles `graph`, the body of defined function `func_index` of `module`. Instructions tier 2
// cannot compile yet make an error ("tier 2 does not compile ... yet"), never wrong code.
Result<runtime::CompiledFunction> compile_graph(const Graph& graph, const Module& module,
                                                uint32_t func_index,
                                                const runtime::CompileOptions& options,
                                                CodegenStats* stats = nullptr);

}  // namespace keel::jit::opt

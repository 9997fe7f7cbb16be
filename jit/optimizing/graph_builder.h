// Tier 2's front end: builds a function's SSA graph in one pass over its body, as the consumer of
// the body decoder (the decoder's stacks carry the graph's values and each block's targets, so
// nothing here keeps a second stack). Wasm locals become SsaBuilder variables; blocks, loops and
// ifs become blocks with parameters for their results (loop headers: for their parameters).
#pragma once

#include <cstdint>

#include "base/result.h"
#include "jit/optimizing/ir.h"
#include "validate/validation_context.h"

namespace keel::jit::opt {

inline constexpr uint32_t kNoOsrLoop = UINT32_MAX;

struct GraphBuildOptions {
  // ctx.module passed validation (load_module): decode without checking again.
  bool validated = false;
  // On-stack replacement: the module offset of a `loop`. The graph's entry block is then the
  // OSR entry: it reads the locals and the loop's parameters (kOsrValue 0, 1, ...: the locals in
  // order, then the parameters) and jumps to that loop's header. The function's own start is
  // still built, reachable only if an enclosing loop branches back to it. Only loops with
  // nothing but their parameters on the operand stack qualify; another one is an error.
  uint32_t osr_loop = kNoOsrLoop;
};

// The graph of defined function `func_index`, with unreachable blocks removed and trivial block
// parameters folded away; it passes verify(). Instructions tier 2 cannot express yet (tail calls,
// exceptions, atomics) give an error that names them; an invalid body gives the decoder's error.
Result<Graph> build_graph(const ValidationContext& ctx, uint32_t func_index,
                          const GraphBuildOptions& options = {});

}  // namespace keel::jit::opt

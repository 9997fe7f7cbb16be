// Global value numbering over the dominator tree: a pure instruction equal to one in a dominating
// position (same kind, wasm op, type, immediates and operands, in either order for commutative
// integer instructions) is replaced by it. Only effect-free
// instructions are merged; loads wait for redundant load elimination, which knows about stores.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Returns whether anything changed.
bool run_gvn(Graph& graph);

}  // namespace keel::jit::opt

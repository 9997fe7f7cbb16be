// Constant folding and propagation, and branch folding on constant conditions. Instructions
// fold with wasm's exact semantics (wasm_semantics.h); integer division and remainder fold only
// when they cannot trap, and a constant divisor that rules the traps out makes the instruction
// pure even when the dividend is unknown. Selects, trap_ifs, brifs and br_tables on constants
// fold; blocks that become unreachable go; a block parameter every edge binds to the same
// constant becomes that constant.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Returns whether anything changed.
bool run_constant_folding(Graph& graph);

}  // namespace keel::jit::opt

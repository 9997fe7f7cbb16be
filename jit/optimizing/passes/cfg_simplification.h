// Control-flow cleanup after branch folding: a block that only jumps on (no parameters, no
// other instruction) is bypassed, its predecessors branching straight to its target; a jump to
// a block with no other predecessor merges the two. Fewer blocks and jumps for the register
// allocator and the emitter.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Returns whether anything changed.
bool run_cfg_simplification(Graph& graph);

}  // namespace keel::jit::opt

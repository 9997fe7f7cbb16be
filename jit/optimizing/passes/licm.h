// Loop-invariant code motion: an instruction in a natural loop (loops.h) whose operands are all
// defined outside the loop, or by instructions hoisted with it, moves to the loop's preheader
// and runs once per entry instead of once per iteration. Inner loops go first, so an invariant
// of several nested loops moves out of each in turn. A header entered from outside by several
// edges (or by a branch that may go elsewhere) gets a new preheader that takes those edges.
//
// Only instructions that neither trap nor write anything move, since the preheader runs them
// on entry whether or not the iteration that held them would have: pure instructions
// (arithmetic, with divisions folding proved safe, selects, constants) and global.get of a
// global the loop neither sets nor may set through a call. Loads stay: they trap out of bounds,
// and a loop's stores and calls may change memory. Constants the register allocator makes as
// immediates move only with a hoisted user, and compares fused into the branch after them stay:
// in the loop they cost nothing, hoisted they would hold a register through it.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Returns whether anything changed.
bool run_licm(Graph& graph);

}  // namespace keel::jit::opt

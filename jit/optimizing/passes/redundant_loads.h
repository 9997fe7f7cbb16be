// Redundant load elimination within a block: a load of the same memory, address, offset and
// kind as an earlier one takes that one's value, and a full-width load right after a store of
// the same width at the same place takes the stored value, when no instruction that may write
// memory (a store, a call, a bulk operation, memory.grow) runs in between. Any store forgets
// every earlier load, since two addresses may overlap whatever their values. The earlier access
// succeeded, so the one removed could not have trapped either: memories only grow.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Returns whether anything changed.
bool run_redundant_load_elimination(Graph& graph);

}  // namespace keel::jit::opt

// Redundant load elimination within a block: a load of the same memory, address, offset and
// kind as an earlier one takes that one's value, and a full-width load right after a store of
// the same width at the same place takes the stored value, when no instruction that may write
// memory (a store, a call, a bulk operation, memory.grow) runs in between. Any store forgets
// every earlier load, since two addresses may overlap whatever their values. The earlier access
// succeeded, so the one removed could not have trapped either: memories only grow.
// Table slots the same way: after table.set, a table.get of the same slot takes the stored
// reference, and a call_indirect through it that holds ref.func f of the expected type becomes a
// direct call of f (in bounds and of the right type, it could not trap); a call or any other
// table write in between forgets what is known, as any table.set forgets the table's other slots.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Returns whether anything changed.
bool run_redundant_load_elimination(Graph& graph);

}  // namespace keel::jit::opt

// Copy propagation for an SSA graph without copy instructions: the copies are block parameters
// that always receive one value, selects whose arms are equal, and values passes aliased to
// others. Every use is rewritten to the original value.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Returns whether anything changed.
bool run_copy_propagation(Graph& graph);

}  // namespace keel::jit::opt

// Dead-code elimination by marking what is live: instructions with effects (stores, calls, traps,
// terminators) are roots, and liveness flows to operands and, through edges, from a block
// parameter to the arguments bound to it. Unmarked pure instructions and unmarked parameters go,
// so a value that only feeds itself around a loop is removed too. Effects are never removed.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Returns whether anything changed.
bool run_dce(Graph& graph);

}  // namespace keel::jit::opt

// Checks that a Graph is well formed SSA: every block ends in one terminator, operand types match
// signatures (from opcodes.def for wasm instructions), edge arguments match block parameters,
// and every use is dominated by its definition. Tests and debug builds run it after each pass.
#pragma once

#include "base/result.h"
#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// The first problem found, as an invalid-kind Error whose message names the block and value.
Status verify(const Graph& graph);

}  // namespace keel::jit::opt

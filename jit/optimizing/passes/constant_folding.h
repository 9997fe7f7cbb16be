// Constant folding and propagation with wasm's exact integer semantics, and branch folding on
// constant conditions. Integer division and remainder fold only when they cannot trap; a
// constant divisor that rules the traps out makes the instruction pure even when the dividend is
// unknown. Floats fold only where the result is a bit operation (neg, abs, copysign,
// reinterpret): arithmetic on floats is left alone because NaN payloads are not exact.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Evaluates a wasm instruction on constant operands (their bits; i32 in the low half), or
// nullopt when it would trap or is not folded.
std::optional<uint64_t> fold_wasm_op(Op op, std::span<const uint64_t> operands);

// Returns whether anything changed. Removes blocks that folded branches made unreachable.
bool run_constant_folding(Graph& graph);

}  // namespace keel::jit::opt

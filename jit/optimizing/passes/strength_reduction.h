// Strength reduction: integer multiplications, divisions and remainders by constants become
// shifts, masks and multiplications, which take a cycle or three where a division takes tens.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Rewrites, on i32 and i64:
//   x * 0, x * 1, x * 2^k (either operand constant) as 0, x, a shift;
//   unsigned division and remainder by 2^k as a shift and a mask;
//   signed division and remainder by +-2^k as shifts that round toward zero;
//   division and remainder by any other constant as a multiplication by its reciprocal
//   (mul_high, after Granlund and Montgomery), by 2^(W-1) or more unsigned as a comparison.
// None of the rewrites traps, so only divisions that cannot trap are rewritten: a divisor of 0
// stays, and so does a signed division by -1 (it traps on the minimum), but rem_s by -1 is 0.
bool run_strength_reduction(Graph& graph);

}  // namespace keel::jit::opt

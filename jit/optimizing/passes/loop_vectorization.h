// Loop SLP vectorization: in a counted loop of one block, pairs of f64 operations on adjacent
// memory (a[i] and a[i + 1], as clang writes a loop it unrolled by two when the wasm has no SIMD)
// become one f64x2 operation each. Superword-level parallelism (Larsen and Amarasinghe, PLDI 2000)
// applied to a loop body, with the loop versioned: the preheader checks, once per entry, that
// every access of the whole loop is in bounds (so nothing can trap in it, in either order) and
// that no store overlaps another access in part (so the reordering inside a pair is not seen),
// and runs a vector copy of the loop when they hold and the loop as it was otherwise.
// f64x2.add, sub, mul and div compute each lane exactly as the scalar instruction does (the
// packed x86 instruction of the same scalar one), so the results are the same bits.
#pragma once

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

bool run_loop_vectorization(Graph& graph);

}  // namespace keel::jit::opt

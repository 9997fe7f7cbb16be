// Fusing a load into the arithmetic that consumes it: when a plain load's only use is the right
// operand of the very next instruction of its block, an add, sub, mul, and, or or xor of the
// load's width or a float add, sub, mul or div (numeric_accepts_mem), the code generator
// emits `add dst, [address]` instead of a load into a register and a register add. Nothing runs
// between the two, so the access happens at the same point in the program, and it faults or
// traps as the load would, with the load's module offset.
#pragma once

#include <vector>

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// By InstId: the loads emitted as the memory operand of the next instruction. For a
// commutative consumer the load may be either operand; `swapped` tells which it was.
struct FusedLoads {
  std::vector<bool> fused;    // by InstId of the load
  std::vector<bool> into;     // by InstId of the consumer
  std::vector<bool> swapped;  // by InstId of the consumer: the load is operand 0
};

FusedLoads find_fusible_loads(const Graph& graph);

}  // namespace keel::jit::opt

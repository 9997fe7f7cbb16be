// Fusing an integer comparison into the branch or trap_if that consumes it: when a compare's
// only use is the condition of the very next instruction, the code compares and jumps on the
// flags (cmp; jl) instead of materializing 0 or 1 and testing it (cmp; setl; movzx; test; jnz).
#pragma once

#include <asmjit/x86.h>

#include <optional>
#include <vector>

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// The condition code that holds when integer comparison `op` is true (eqz: the operand is
// zero), or nullopt if `op` is not one.
std::optional<asmjit::x86::CondCode> compare_condition(Op op);

// Moves each integer compare whose only use is a later kBranch or kTrapIf of its block to just
// before that user, so that find_fusible_compares can fuse it: clang often puts other code
// between a loop's exit test and its branch. Run after the passes, before code generation.
void sink_compares_into_branches(Graph& graph);

// By InstId: compares whose result only feeds the condition of the next instruction of their
// block, a kBranch or kTrapIf. The code generator emits them as part of that instruction.
std::vector<bool> find_fusible_compares(const Graph& graph);

}  // namespace keel::jit::opt

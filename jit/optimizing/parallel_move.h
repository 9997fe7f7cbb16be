// Block arguments become block parameters all at once: the moves on an edge are a parallel
// assignment. This orders them into a sequence of single moves that reads every source before
// overwriting it, breaking cycles (a loop that swaps two values) through a temporary register.
#pragma once

#include <vector>

#include "jit/optimizing/register_allocator.h"

namespace keel::jit::opt {

struct Move {
  Location src;
  Location dst;
  RegKind kind = RegKind::kGp;
  ValType type = ValType::kI64;
};

// `temp[kind]` is a register no move names (a kReg location), free to clobber. The result moves
// run in order; a move whose source is also its destination is dropped. Destinations must be
// distinct.
std::vector<Move> sequentialize(std::vector<Move> moves, const Location (&temp)[2]);

}  // namespace keel::jit::opt

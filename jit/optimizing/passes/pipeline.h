// The tier-2 mid-end: which passes run, in what order, and a switch per pass so tests (and
// KEEL flags later) can turn each off. Rounds may repeat while a pass still changes the graph
// (folding exposes copies, GVN exposes constants), but one is the default: on Yosys a second
// round changed 25 of 34,004 functions and 500 of 92 million bytes of code, for 11% of tier 2's
// compile time; on each program of bench/ it changed one libc function.
#pragma once

#include "base/result.h"
#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

struct PassOptions {
  bool constant_folding = true;  // also folds branches and drops unreachable blocks
  bool copy_propagation = true;
  bool strength_reduction = true;  // multiplications and divisions by constants
  bool gvn = true;
  bool redundant_loads = true;  // within a block, and loads of what a store just wrote
  bool licm = true;  // hoists loop invariants into preheaders, making preheaders where needed
  bool loop_vectorization = true;  // f64 lane pairs of counted loops become f64x2, versioned
  bool dce = true;
  bool cfg_simplification = true;       // bypasses empty blocks, merges straight-line chains
  bool verify_after_each_pass = false;  // stops at the first pass that leaves a broken graph
  int max_rounds = 1;
};

Status run_passes(Graph& graph, const PassOptions& options = {});

}  // namespace keel::jit::opt

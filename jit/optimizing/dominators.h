// The dominator tree of a Graph, by Cooper, Harvey and Kennedy's "A Simple, Fast Dominance
// Algorithm" (iterating over reverse postorder). The verifier checks SSA dominance with it; GVN
// walks it; loops.h finds natural loops (back edges to a dominating header) with it.
#pragma once

#include <vector>

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

class DominatorTree {
 public:
  explicit DominatorTree(const Graph& graph);

  // Blocks reachable from the entry in reverse postorder, the entry first.
  const std::vector<BlockId>& reverse_postorder() const { return rpo_; }
  bool reachable(BlockId block) const { return rpo_number_[block.index] != kUnreached; }
  // The immediate dominator; invalid for the entry and for unreachable blocks.
  BlockId idom(BlockId block) const { return idom_[block.index]; }
  const std::vector<BlockId>& children(BlockId block) const { return children_[block.index]; }
  // Reflexive: every reachable block dominates itself. False when either is unreachable.
  bool dominates(BlockId a, BlockId b) const;

 private:
  static constexpr uint32_t kUnreached = UINT32_MAX;

  std::vector<BlockId> rpo_;
  std::vector<uint32_t> rpo_number_;
  std::vector<BlockId> idom_;
  std::vector<std::vector<BlockId>> children_;
  // Preorder entry and exit numbers in the tree make dominates() constant time.
  std::vector<uint32_t> enter_, exit_;
};

}  // namespace keel::jit::opt

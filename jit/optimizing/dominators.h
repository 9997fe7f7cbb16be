// The dominator tree of a Graph, by Cooper, Harvey and Kennedy's "A Simple, Fast Dominance
// Algorithm" (iterating over reverse postorder). The verifier checks SSA dominance with it; GVN
// walks it; loops.h finds natural loops (back edges to a dominating header) with it. Every pass
// builds one, so it keeps the CFG it needs in a few flat arrays rather than a vector per block.
#pragma once

#include <span>
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
  std::span<const BlockId> children(BlockId block) const {
    return {children_.data() + child_begin_[block.index],
            children_.data() + child_begin_[block.index + 1]};
  }
  // The distinct successors of a reachable block (as Graph::successors, without allocating).
  std::span<const BlockId> successors(BlockId block) const {
    return {succs_.data() + succ_begin_[block.index], succs_.data() + succ_begin_[block.index + 1]};
  }
  // Reflexive: every reachable block dominates itself. False when either is unreachable.
  bool dominates(BlockId a, BlockId b) const;

 private:
  static constexpr uint32_t kUnreached = UINT32_MAX;

  std::vector<BlockId> rpo_;
  std::vector<uint32_t> rpo_number_;
  std::vector<BlockId> idom_;
  // Successors and dominator-tree children, by BlockId, as offsets into one array each.
  std::vector<uint32_t> succ_begin_;
  std::vector<BlockId> succs_;
  std::vector<uint32_t> child_begin_;
  std::vector<BlockId> children_;
  // Preorder entry and exit numbers in the tree make dominates() constant time.
  std::vector<uint32_t> enter_, exit_;
};

}  // namespace keel::jit::opt

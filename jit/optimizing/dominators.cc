#include "jit/optimizing/dominators.h"

#include <algorithm>
#include <utility>

namespace keel::jit::opt {

DominatorTree::DominatorTree(const Graph& graph)
    : rpo_number_(graph.num_blocks(), kUnreached),
      idom_(graph.num_blocks()),
      children_(graph.num_blocks()),
      enter_(graph.num_blocks(), 0),
      exit_(graph.num_blocks(), 0) {
  size_t n = graph.num_blocks();
  std::vector<std::vector<BlockId>> succs(n);
  for (BlockId b : graph.layout()) succs[b.index] = graph.successors(b);

  // Iterative depth-first search for the postorder.
  std::vector<bool> visited(n, false);
  std::vector<std::pair<BlockId, size_t>> stack{{graph.entry(), 0}};
  visited[graph.entry().index] = true;
  while (!stack.empty()) {
    auto& [block, next] = stack.back();
    if (next < succs[block.index].size()) {
      BlockId s = succs[block.index][next++];
      if (!visited[s.index]) visited[s.index] = true, stack.push_back({s, 0});
    } else {
      rpo_.push_back(block);
      stack.pop_back();
    }
  }
  std::reverse(rpo_.begin(), rpo_.end());
  for (uint32_t i = 0; i < rpo_.size(); ++i) rpo_number_[rpo_[i].index] = i;

  std::vector<std::vector<BlockId>> preds(n);
  for (BlockId b : rpo_)
    for (BlockId s : succs[b.index]) preds[s.index].push_back(b);

  auto intersect = [&](BlockId a, BlockId b) {
    while (a != b) {
      while (rpo_number_[a.index] > rpo_number_[b.index]) a = idom_[a.index];
      while (rpo_number_[b.index] > rpo_number_[a.index]) b = idom_[b.index];
    }
    return a;
  };
  BlockId entry = graph.entry();
  idom_[entry.index] = entry;  // a sentinel while iterating
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 1; i < rpo_.size(); ++i) {
      BlockId b = rpo_[i];
      BlockId new_idom;
      for (BlockId p : preds[b.index]) {
        if (!idom_[p.index].valid()) continue;  // not processed yet
        new_idom = new_idom.valid() ? intersect(p, new_idom) : p;
      }
      if (idom_[b.index] != new_idom) idom_[b.index] = new_idom, changed = true;
    }
  }
  idom_[entry.index] = BlockId();

  for (size_t i = 1; i < rpo_.size(); ++i) children_[idom_[rpo_[i].index].index].push_back(rpo_[i]);

  uint32_t clock = 0;
  std::vector<std::pair<BlockId, size_t>> walk{{entry, 0}};
  enter_[entry.index] = clock++;
  while (!walk.empty()) {
    auto& [block, next] = walk.back();
    if (next < children_[block.index].size()) {
      BlockId c = children_[block.index][next++];
      enter_[c.index] = clock++;
      walk.push_back({c, 0});
    } else {
      exit_[block.index] = clock++;
      walk.pop_back();
    }
  }
}

bool DominatorTree::dominates(BlockId a, BlockId b) const {
  if (!reachable(a) || !reachable(b)) return false;
  return enter_[a.index] <= enter_[b.index] && exit_[b.index] <= exit_[a.index];
}

}  // namespace keel::jit::opt

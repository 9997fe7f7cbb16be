#include "jit/optimizing/dominators.h"

#include <algorithm>
#include <utility>

namespace keel::jit::opt {

DominatorTree::DominatorTree(const Graph& graph)
    : rpo_number_(graph.num_blocks(), kUnreached),
      idom_(graph.num_blocks()),
      succ_begin_(graph.num_blocks() + 1, 0),
      child_begin_(graph.num_blocks() + 1, 0),
      enter_(graph.num_blocks(), 0),
      exit_(graph.num_blocks(), 0) {
  size_t n = graph.num_blocks();
  // Successor lists without repeats (a br_table reaches one block by many cases), in block-id
  // order of their sources: count, then fill.
  std::vector<uint32_t> seen_from(n, kUnreached);
  auto for_each_successor = [&](BlockId b, auto&& fn) {
    InstId term = graph.terminator(b);
    if (!term.valid()) return;
    for (const BlockCall& call : graph.inst(term).targets) {
      if (seen_from[call.block.index] == b.index) continue;
      seen_from[call.block.index] = b.index;
      fn(call.block);
    }
  };
  for (BlockId b : graph.layout())
    for_each_successor(b, [&](BlockId) { ++succ_begin_[b.index + 1]; });
  for (size_t i = 0; i < n; ++i) succ_begin_[i + 1] += succ_begin_[i];
  succs_.resize(succ_begin_[n]);
  std::fill(seen_from.begin(), seen_from.end(), kUnreached);
  for (BlockId b : graph.layout()) {
    uint32_t at = succ_begin_[b.index];
    for_each_successor(b, [&](BlockId s) { succs_[at++] = s; });
  }

  // Iterative depth-first search for the postorder.
  std::vector<std::pair<BlockId, uint32_t>> stack{{graph.entry(), succ_begin_[0]}};
  rpo_number_[graph.entry().index] = 0;  // visited; numbered properly below
  while (!stack.empty()) {
    auto& [block, next] = stack.back();
    if (next < succ_begin_[block.index + 1]) {
      BlockId s = succs_[next++];
      if (rpo_number_[s.index] == kUnreached)
        rpo_number_[s.index] = 0, stack.push_back({s, succ_begin_[s.index]});
    } else {
      rpo_.push_back(block);
      stack.pop_back();
    }
  }
  std::reverse(rpo_.begin(), rpo_.end());
  for (uint32_t i = 0; i < rpo_.size(); ++i) rpo_number_[rpo_[i].index] = i;

  // Predecessors among reachable blocks, by rpo number.
  std::vector<uint32_t> pred_begin(rpo_.size() + 1, 0);
  for (BlockId b : rpo_)
    for (BlockId s : successors(b)) ++pred_begin[rpo_number_[s.index] + 1];
  for (size_t i = 0; i < rpo_.size(); ++i) pred_begin[i + 1] += pred_begin[i];
  std::vector<uint32_t> preds(pred_begin.back());
  {
    std::vector<uint32_t> fill(pred_begin.begin(), pred_begin.end() - 1);
    for (uint32_t i = 0; i < rpo_.size(); ++i)
      for (BlockId s : successors(rpo_[i])) preds[fill[rpo_number_[s.index]]++] = i;
  }

  // Immediate dominators by rpo number while iterating; kUnreached: not processed yet.
  std::vector<uint32_t> idom(rpo_.size(), kUnreached);
  auto intersect = [&](uint32_t a, uint32_t b) {
    while (a != b) {
      while (a > b) a = idom[a];
      while (b > a) b = idom[b];
    }
    return a;
  };
  if (!rpo_.empty()) idom[0] = 0;  // a sentinel while iterating
  for (bool changed = true; changed;) {
    changed = false;
    for (uint32_t i = 1; i < rpo_.size(); ++i) {
      uint32_t new_idom = kUnreached;
      for (uint32_t k = pred_begin[i]; k < pred_begin[i + 1]; ++k) {
        uint32_t p = preds[k];
        if (idom[p] == kUnreached) continue;
        new_idom = new_idom == kUnreached ? p : intersect(p, new_idom);
      }
      if (idom[i] != new_idom) idom[i] = new_idom, changed = true;
    }
  }
  for (uint32_t i = 1; i < rpo_.size(); ++i) idom_[rpo_[i].index] = rpo_[idom[i]];

  // Children, in reverse postorder.
  for (uint32_t i = 1; i < rpo_.size(); ++i) ++child_begin_[idom_[rpo_[i].index].index + 1];
  for (size_t i = 0; i < n; ++i) child_begin_[i + 1] += child_begin_[i];
  children_.resize(child_begin_[n]);
  {
    std::vector<uint32_t> fill(child_begin_.begin(), child_begin_.end() - 1);
    for (uint32_t i = 1; i < rpo_.size(); ++i)
      children_[fill[idom_[rpo_[i].index].index]++] = rpo_[i];
  }

  uint32_t clock = 0;
  BlockId entry = graph.entry();
  std::vector<std::pair<BlockId, uint32_t>> walk{{entry, child_begin_[entry.index]}};
  enter_[entry.index] = clock++;
  while (!walk.empty()) {
    auto& [block, next] = walk.back();
    if (next < child_begin_[block.index + 1]) {
      BlockId c = children_[next++];
      enter_[c.index] = clock++;
      walk.push_back({c, child_begin_[c.index]});
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

#include "jit/optimizing/loops.h"

#include <algorithm>

namespace keel::jit::opt {

std::vector<Loop> find_loops(const Graph& graph, const DominatorTree& dom) {
  std::vector<Loop> loops;
  for (BlockId b : dom.reverse_postorder()) {
    for (BlockId s : graph.successors(b)) {
      if (!dom.dominates(s, b)) continue;
      auto it =
          std::find_if(loops.begin(), loops.end(), [&](const Loop& l) { return l.header == s; });
      if (it == loops.end()) {
        Loop loop;
        loop.header = s;
        loop.members.assign(graph.num_blocks(), false);
        loop.members[s.index] = true;
        loops.push_back(std::move(loop));
        it = loops.end() - 1;
      }
      std::vector<BlockId> work{b};
      while (!work.empty()) {
        BlockId x = work.back();
        work.pop_back();
        if (it->members[x.index] || !dom.reachable(x)) continue;
        it->members[x.index] = true;
        for (BlockId p : graph.predecessor_blocks(x)) work.push_back(p);
      }
    }
  }

  // A header dominates the headers of the loops inside its loop, so it comes first in reverse
  // postorder, and the innermost loop containing another is the last one before it that does.
  std::vector<uint32_t> rpo_number(graph.num_blocks(), 0);
  const std::vector<BlockId>& rpo = dom.reverse_postorder();
  for (uint32_t i = 0; i < rpo.size(); ++i) rpo_number[rpo[i].index] = i;
  std::sort(loops.begin(), loops.end(), [&](const Loop& a, const Loop& b) {
    return rpo_number[a.header.index] < rpo_number[b.header.index];
  });
  for (uint32_t i = 0; i < loops.size(); ++i) {
    Loop& loop = loops[i];
    for (uint32_t j = i; j-- > 0;) {
      if (!loops[j].contains(loop.header)) continue;
      loop.parent = j;
      loop.depth = loops[j].depth + 1;
      break;
    }
    for (BlockId b : rpo)
      if (loop.contains(b)) loop.blocks.push_back(b);
    uint32_t entries = 0;
    for (const Edge& edge : graph.block(loop.header).preds) {
      BlockId from = graph.inst(edge.inst).block;
      if (loop.contains(from)) continue;
      ++entries;
      if (graph.inst(edge.inst).kind == InstKind::kJump) loop.preheader = from;
    }
    if (entries != 1) loop.preheader = BlockId();
  }
  return loops;
}

}  // namespace keel::jit::opt

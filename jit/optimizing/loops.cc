#include "jit/optimizing/loops.h"

#include <algorithm>

#include "jit/optimizing/builder.h"

namespace keel::jit::opt {

std::vector<Loop> find_loops(const Graph& graph, const DominatorTree& dom) {
  std::vector<Loop> loops;
  for (BlockId b : dom.reverse_postorder()) {
    for (BlockId s : dom.successors(b)) {
      if (!dom.dominates(s, b)) continue;
      auto it =
          std::find_if(loops.begin(), loops.end(), [&](const Loop& l) { return l.header == s; });
      if (it == loops.end()) {
        Loop loop;
        loop.header = s;
        loop.members.assign(graph.num_blocks(), false);
        loop.members[s.index] = true;
        loop.blocks.push_back(s);
        loops.push_back(std::move(loop));
        it = loops.end() - 1;
      }
      std::vector<BlockId> work{b};
      while (!work.empty()) {
        BlockId x = work.back();
        work.pop_back();
        if (it->members[x.index] || !dom.reachable(x)) continue;
        it->members[x.index] = true;
        it->blocks.push_back(x);
        for (const Edge& e : graph.block(x).preds) work.push_back(graph.inst(e.inst).block);
      }
    }
  }

  // A header dominates the headers of the loops inside its loop, so it comes first in reverse
  // postorder. Marking each loop's blocks in that order leaves on each block the innermost loop
  // marked so far: for a header, just before its own loop marks it, the loop around it.
  std::vector<uint32_t> rpo_number(graph.num_blocks(), 0);
  const std::vector<BlockId>& rpo = dom.reverse_postorder();
  for (uint32_t i = 0; i < rpo.size(); ++i) rpo_number[rpo[i].index] = i;
  auto earlier = [&](BlockId a, BlockId b) { return rpo_number[a.index] < rpo_number[b.index]; };
  std::sort(loops.begin(), loops.end(),
            [&](const Loop& a, const Loop& b) { return earlier(a.header, b.header); });
  std::vector<uint32_t> innermost(graph.num_blocks(), kNoLoop);
  for (uint32_t i = 0; i < loops.size(); ++i) {
    Loop& loop = loops[i];
    loop.parent = innermost[loop.header.index];
    if (loop.parent != kNoLoop) loop.depth = loops[loop.parent].depth + 1;
    std::sort(loop.blocks.begin(), loop.blocks.end(), earlier);
    for (BlockId b : loop.blocks) innermost[b.index] = i;
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

void make_preheader(Graph& graph, std::vector<Loop>& loops, uint32_t loop_index) {
  Loop& loop = loops[loop_index];
  std::vector<Edge> entries;
  for (const Edge& edge : graph.block(loop.header).preds)
    if (!loop.contains(graph.inst(edge.inst).block)) entries.push_back(edge);
  BlockId preheader = graph.create_block_before(loop.header);
  ValueList args;
  if (entries.size() == 1) {
    BlockCall& call = graph.inst(entries[0].inst).targets[entries[0].slot];
    args = std::move(call.args);
    call.args.clear();
  } else {
    std::vector<ValueId> params = graph.block(loop.header).params;
    for (ValueId p : params) args.push_back(graph.add_block_param(preheader, graph.type_of(p)));
  }
  for (const Edge& edge : entries) graph.inst(edge.inst).targets[edge.slot].block = preheader;
  erase_if(graph.block(loop.header).preds, [&](const Edge& edge) {
    return std::find(entries.begin(), entries.end(), edge) != entries.end();
  });
  graph.block(preheader).preds = entries;
  Builder(graph, preheader).jump(loop.header, std::move(args));
  loop.preheader = preheader;
  for (uint32_t outer = loop.parent; outer != kNoLoop; outer = loops[outer].parent) {
    Loop& around = loops[outer];
    if (around.members.size() <= preheader.index) around.members.resize(preheader.index + 1);
    around.members[preheader.index] = true;
    around.blocks.insert(std::find(around.blocks.begin(), around.blocks.end(), loop.header),
                         preheader);
  }
}

}  // namespace keel::jit::opt

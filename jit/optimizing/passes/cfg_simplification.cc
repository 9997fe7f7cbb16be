#include "jit/optimizing/passes/cfg_simplification.h"

#include <vector>

namespace keel::jit::opt {

namespace {

// An empty block's jump arguments are defined in blocks that strictly dominate it, so they also
// dominate each of its predecessors: redirecting those edges keeps SSA valid.
bool bypass_empty_blocks(Graph& graph) {
  bool changed = false;
  for (BlockId b : graph.layout()) {
    const Block& block = graph.block(b);
    if (b == graph.entry() || !block.params.empty() || block.insts.size() != 1) continue;
    const Inst& jump = graph.inst(block.insts[0]);
    if (jump.kind != InstKind::kJump || jump.targets[0].block == b) continue;
    BlockCall forward = jump.targets[0];
    // The edges move from this block's predecessor list to the target's, by hand: rebuilding
    // every list after each bypass made this pass quadratic on large functions.
    std::vector<Edge> kept;
    for (const Edge& e : graph.block(b).preds) {
      if (graph.inst(e.inst).block == b) {
        kept.push_back(e);
        continue;
      }
      graph.inst(e.inst).targets[e.slot] = forward;
      graph.block(forward.block).preds.push_back(e);
      changed = true;
    }
    graph.block(b).preds = std::move(kept);
  }
  return changed;
}

}  // namespace

bool run_cfg_simplification(Graph& graph) {
  bool changed = bypass_empty_blocks(graph);
  if (changed) graph.remove_unreachable_blocks();
  std::vector<BlockId> order = graph.layout();
  for (BlockId b : order) {
    if (graph.block(b).removed) continue;
    while (graph.merge_with_successor(b)) changed = true;
  }
  if (changed) graph.resolve_aliases();
  return changed;
}

}  // namespace keel::jit::opt

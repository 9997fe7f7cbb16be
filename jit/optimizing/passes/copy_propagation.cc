#include "jit/optimizing/passes/copy_propagation.h"

#include "jit/optimizing/ssa_builder.h"

namespace keel::jit::opt {

bool run_copy_propagation(Graph& graph) {
  bool changed = false;
  for (BlockId b : graph.layout()) {
    for (InstId id : graph.block(b).insts) {
      Inst& inst = graph.inst(id);
      if (inst.dead || inst.kind != InstKind::kSelect) continue;
      if (graph.resolve(inst.operands[1]) != graph.resolve(inst.operands[2])) continue;
      graph.make_alias(graph.result(id), inst.operands[1]);
      graph.kill(id);
      changed = true;
    }
  }
  graph.remove_dead_insts();
  changed |= remove_trivial_block_params(graph);  // resolves every alias
  return changed;
}

}  // namespace keel::jit::opt

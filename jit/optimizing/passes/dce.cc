#include "jit/optimizing/passes/dce.h"

#include <vector>

namespace keel::jit::opt {

bool run_dce(Graph& graph) {
  std::vector<bool> live_value(graph.num_values(), false);
  std::vector<bool> live_inst(graph.num_insts(), false);
  std::vector<ValueId> work;
  auto mark = [&](ValueId v) {
    v = graph.resolve(v);
    if (!live_value[v.index]) live_value[v.index] = true, work.push_back(v);
  };
  for (BlockId b : graph.layout())
    for (InstId id : graph.block(b).insts) {
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      if (inst.effects.removable_if_unused() && inst.num_results > 0) continue;
      live_inst[id.index] = true;
      for (ValueId v : inst.operands) mark(v);  // edge arguments wait for their parameter
    }
  while (!work.empty()) {
    ValueId v = work.back();
    work.pop_back();
    const Value& value = graph.value(v);
    if (value.is_param) {
      if (value.block == graph.entry()) continue;
      for (const Edge& e : graph.block(value.block).preds)
        mark(graph.inst(e.inst).targets[e.slot].args[value.index]);
    } else if (!live_inst[value.inst.index]) {
      live_inst[value.inst.index] = true;
      for (ValueId operand : graph.inst(value.inst).operands) mark(operand);
    }
  }

  bool changed = false;
  for (BlockId b : graph.layout()) {
    for (InstId id : graph.block(b).insts)
      if (!live_inst[id.index] && !graph.inst(id).dead) graph.kill(id), changed = true;
    if (b == graph.entry()) continue;
    for (size_t i = graph.block(b).params.size(); i-- > 0;)
      if (!live_value[graph.block(b).params[i].index])
        graph.remove_block_param(b, static_cast<uint32_t>(i)), changed = true;
  }
  graph.remove_dead_insts();
  return changed;
}

}  // namespace keel::jit::opt

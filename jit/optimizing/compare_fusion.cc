#include "jit/optimizing/compare_fusion.h"

#include <algorithm>

#include "jit/common/numeric_lowering.h"

namespace keel::jit::opt {

namespace x86 = asmjit::x86;

std::optional<x86::CondCode> compare_condition(Op op) {
  const OpInfo& info = op_info(op);
  if (info.cmp == Cmp::kNone || info.cmp > Cmp::kGeU || info.sig.num_params == 0)
    return std::nullopt;
  ValType operand = info.sig.params[0];
  if (operand != ValType::kI32 && operand != ValType::kI64) return std::nullopt;  // floats, SIMD
  return integer_condition(info.cmp);
}

void sink_compares_into_branches(Graph& graph) {
  std::vector<uint32_t> uses = graph.use_counts();
  // By InstId: the compare each consumer takes along, and whether a compare has moved. One pass
  // per block rebuilds its list with each such compare right before its consumer; a compare is
  // pure and its operands are defined before it, so it may move down that far.
  std::vector<InstId> carried(graph.num_insts());
  std::vector<bool> moved(graph.num_insts(), false);
  std::vector<InstId> reordered;
  for (BlockId b : graph.layout()) {
    std::vector<InstId>& insts = graph.block(b).insts;
    bool any = false;
    for (InstId id : insts) {
      const Inst& consumer = graph.inst(id);
      if (consumer.dead ||
          (consumer.kind != InstKind::kBranch && consumer.kind != InstKind::kTrapIf))
        continue;
      ValueId condition = graph.resolve(consumer.operands[0]);
      const Value& value = graph.value(condition);
      if (value.is_param || uses[condition.index] != 1) continue;
      const Inst& compare = graph.inst(value.inst);
      if (compare.block != b || compare.kind != InstKind::kWasm || !compare_condition(compare.op))
        continue;
      carried[id.index] = value.inst;
      moved[value.inst.index] = any = true;
    }
    if (!any) continue;
    reordered.clear();
    for (InstId id : insts) {
      if (moved[id.index]) continue;
      if (carried[id.index].valid()) reordered.push_back(carried[id.index]);
      reordered.push_back(id);
    }
    insts.swap(reordered);
  }
}

std::vector<bool> find_fusible_compares(const Graph& graph) {
  std::vector<bool> fused(graph.num_insts(), false);
  std::vector<uint32_t> uses = graph.use_counts();
  for (BlockId b : graph.layout()) {
    const Block& block = graph.block(b);
    InstId previous;
    for (InstId id : block.insts) {
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      bool consumes = inst.kind == InstKind::kBranch || inst.kind == InstKind::kTrapIf;
      if (consumes && previous.valid()) {
        const Inst& compare = graph.inst(previous);
        ValueId result = graph.result(previous);
        if (compare.kind == InstKind::kWasm && compare_condition(compare.op) &&
            graph.resolve(inst.operands[0]) == result && uses[result.index] == 1)
          fused[previous.index] = true;
      }
      previous = inst.num_results == 1 ? id : InstId();
    }
  }
  return fused;
}

}  // namespace keel::jit::opt

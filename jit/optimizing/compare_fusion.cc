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
  for (BlockId b : graph.layout()) {
    std::vector<InstId>& insts = graph.block(b).insts;
    for (size_t k = 0; k < insts.size(); ++k) {
      const Inst& consumer = graph.inst(insts[k]);
      if (consumer.dead ||
          (consumer.kind != InstKind::kBranch && consumer.kind != InstKind::kTrapIf))
        continue;
      ValueId condition = graph.resolve(consumer.operands[0]);
      const Value& value = graph.value(condition);
      if (value.is_param || uses[condition.index] != 1) continue;
      const Inst& compare = graph.inst(value.inst);
      if (compare.block != b || compare.kind != InstKind::kWasm || !compare_condition(compare.op))
        continue;
      auto at =
          std::find(insts.begin(), insts.begin() + static_cast<std::ptrdiff_t>(k), value.inst);
      if (at == insts.begin() + static_cast<std::ptrdiff_t>(k) ||
          at + 1 == insts.begin() + static_cast<std::ptrdiff_t>(k))
        continue;  // not before it in this block, or already next to it
      // A compare is pure and its operands are defined before it, so it may move down to
      // just before its only user.
      InstId moved = *at;
      insts.erase(at);
      insts.insert(insts.begin() + static_cast<std::ptrdiff_t>(k - 1), moved);
    }
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

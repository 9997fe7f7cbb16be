#include "jit/optimizing/load_fusion.h"

#include "jit/common/numeric_lowering.h"

namespace keel::jit::opt {

namespace {

// The plain full-width load of `type` (no extension, no lanes, no atomics).
bool loads_exactly(Op op, ValType type) {
  switch (type) {
    case ValType::kI32:
      return op == Op::kI32Load;
    case ValType::kI64:
      return op == Op::kI64Load;
    case ValType::kF32:
      return op == Op::kF32Load;
    case ValType::kF64:
      return op == Op::kF64Load;
    default:
      return false;
  }
}

}  // namespace

FusedLoads find_fusible_loads(const Graph& graph) {
  FusedLoads out;
  out.fused.assign(graph.num_insts(), false);
  out.into.assign(graph.num_insts(), false);
  out.swapped.assign(graph.num_insts(), false);
  std::vector<uint32_t> uses = graph.use_counts();
  for (BlockId b : graph.layout()) {
    InstId previous;
    for (InstId id : graph.block(b).insts) {
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      if (previous.valid() && inst.kind == InstKind::kWasm && inst.operands.size() == 2 &&
          numeric_accepts_mem(inst.op)) {
        const Inst& load = graph.inst(previous);
        ValueId loaded = graph.result(previous);
        ValType type = op_info(inst.op).sig.params[0];
        bool rhs = graph.resolve(inst.operands[1]) == loaded;
        bool lhs = graph.resolve(inst.operands[0]) == loaded && numeric_dst_may_be_rhs(inst.op);
        if (load.kind == InstKind::kLoad && load.operands.size() == 1 &&
            loads_exactly(load.op, type) && uses[loaded.index] == 1 && (rhs || lhs)) {
          out.fused[previous.index] = true;
          out.into[id.index] = true;
          out.swapped[id.index] = !rhs;
        }
      }
      previous = inst.kind == InstKind::kLoad && inst.num_results == 1 ? id : InstId();
    }
  }
  return out;
}

}  // namespace keel::jit::opt

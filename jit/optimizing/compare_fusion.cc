#include "jit/optimizing/compare_fusion.h"

namespace keel::jit::opt {

namespace x86 = asmjit::x86;

std::optional<x86::CondCode> compare_condition(Op op) {
  switch (op) {
    case Op::kI32Eqz:
    case Op::kI64Eqz:
    case Op::kI32Eq:
    case Op::kI64Eq:
      return x86::CondCode::kE;
    case Op::kI32Ne:
    case Op::kI64Ne:
      return x86::CondCode::kNE;
    case Op::kI32LtS:
    case Op::kI64LtS:
      return x86::CondCode::kL;
    case Op::kI32LtU:
    case Op::kI64LtU:
      return x86::CondCode::kB;
    case Op::kI32GtS:
    case Op::kI64GtS:
      return x86::CondCode::kG;
    case Op::kI32GtU:
    case Op::kI64GtU:
      return x86::CondCode::kA;
    case Op::kI32LeS:
    case Op::kI64LeS:
      return x86::CondCode::kLE;
    case Op::kI32LeU:
    case Op::kI64LeU:
      return x86::CondCode::kBE;
    case Op::kI32GeS:
    case Op::kI64GeS:
      return x86::CondCode::kGE;
    case Op::kI32GeU:
    case Op::kI64GeU:
      return x86::CondCode::kAE;
    default:
      return std::nullopt;
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

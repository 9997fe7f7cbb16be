#include "jit/optimizing/passes/constant_folding.h"

#include <vector>

#include "jit/optimizing/dominators.h"
#include "jit/optimizing/wasm_semantics.h"

namespace keel::jit::opt {

namespace {

const Inst* constant_def(const Graph& graph, ValueId v) {
  const Value& value = graph.value(graph.resolve(v));
  if (value.is_param) return nullptr;
  const Inst& def = graph.inst(value.inst);
  return def.kind == InstKind::kConst && !def.dead ? &def : nullptr;
}

class ConstantFolder {
 public:
  explicit ConstantFolder(Graph& graph) : graph_(graph) {}

  bool run() {
    DominatorTree dom(graph_);
    for (BlockId b : dom.reverse_postorder()) {
      propagate_into_params(b);
      fold_block(b);
    }
    graph_.remove_dead_insts();
    if (cfg_changed_) graph_.remove_unreachable_blocks();
    graph_.resolve_aliases();
    return changed_;
  }

 private:
  // A parameter that every incoming edge binds to the same constant becomes that constant.
  void propagate_into_params(BlockId b) {
    if (b == graph_.entry()) return;
    for (size_t i = graph_.block(b).params.size(); i-- > 0;) {
      const Block& block = graph_.block(b);
      if (block.preds.empty()) return;
      ValueId param = block.params[i];
      const Inst* first = nullptr;
      bool same = true;
      for (const Edge& e : block.preds) {
        const Inst* c = constant_def(graph_, graph_.inst(e.inst).targets[e.slot].args[i]);
        if (!c || (first && (c->imm[0] != first->imm[0] || c->imm[1] != first->imm[1]))) {
          same = false;
          break;
        }
        first = c;
      }
      if (!same) continue;
      Inst constant;
      constant.kind = InstKind::kConst;
      constant.type = first->type;
      constant.imm[0] = first->imm[0];
      constant.imm[1] = first->imm[1];
      ValueId replacement = graph_.result(graph_.insert(b, 0, std::move(constant)));
      graph_.remove_block_param(b, static_cast<uint32_t>(i));
      graph_.make_alias(param, replacement);
      changed_ = true;
    }
  }

  void become_constant(Inst& inst, uint64_t bits) {
    inst.kind = InstKind::kConst;
    inst.op = Op::kInvalid;
    inst.operands.clear();
    inst.imm[0] = bits;
    inst.imm[1] = 0;
    inst.effects = Effects{};
    changed_ = true;
  }

  void replace_terminator(InstId old, BlockCall target) {
    Inst jump;
    jump.kind = InstKind::kJump;
    jump.targets.push_back(std::move(target));
    jump.effects = default_effects(jump);
    BlockId b = graph_.inst(old).block;
    graph_.kill(old);
    graph_.append(b, std::move(jump));
    changed_ = cfg_changed_ = true;
  }

  void fold_block(BlockId b) {
    std::vector<InstId> insts = graph_.block(b).insts;
    for (size_t i = 0; i < insts.size(); ++i) {
      InstId id = insts[i];
      Inst& inst = graph_.inst(id);
      if (inst.dead) continue;
      switch (inst.kind) {
        case InstKind::kWasm:
          fold_wasm(inst);
          break;
        case InstKind::kSelect:
          if (const Inst* c = constant_def(graph_, inst.operands[0])) {
            graph_.make_alias(graph_.result(id), inst.operands[c->imm[0] ? 1 : 2]);
            graph_.kill(id);
            changed_ = true;
          }
          break;
        case InstKind::kRefIsNull: {
          const Value& ref = graph_.value(graph_.resolve(inst.operands[0]));
          if (ref.is_param) break;
          InstKind def = graph_.inst(ref.inst).kind;
          if (def == InstKind::kRefNull) become_constant(inst, 1);
          if (def == InstKind::kRefFunc) become_constant(inst, 0);
          break;
        }
        case InstKind::kTrapIf:
          if (const Inst* c = constant_def(graph_, inst.operands[0])) {
            if (c->imm[0] == 0) {
              graph_.kill(id);
              changed_ = true;
            } else {
              trap_from(b, insts, i);
              return;
            }
          }
          break;
        case InstKind::kBranch:
          if (const Inst* c = constant_def(graph_, inst.operands[0]))
            replace_terminator(id, inst.targets[c->imm[0] ? 0 : 1]);
          break;
        case InstKind::kSwitch:
          if (const Inst* c = constant_def(graph_, inst.operands[0])) {
            size_t n = inst.targets.size() - 1;
            replace_terminator(id, inst.targets[c->imm[0] < n ? c->imm[0] : n]);
          }
          break;
        default:
          break;
      }
    }
  }

  // A trap_if whose condition is a non-zero constant always traps: the rest of the block goes.
  void trap_from(BlockId b, const std::vector<InstId>& insts, size_t i) {
    TrapCode code = graph_.inst(insts[i]).trap_code;
    for (size_t j = i; j < insts.size(); ++j) graph_.kill(insts[j]);
    Inst trap;
    trap.kind = InstKind::kTrap;
    trap.trap_code = code;
    trap.effects = default_effects(trap);
    graph_.append(b, std::move(trap));
    changed_ = cfg_changed_ = true;
  }

  void fold_wasm(Inst& inst) {
    if (inst.operands.size() > 2) return;
    uint64_t bits[2] = {0, 0};
    bool all_constant = true;
    for (size_t k = 0; k < inst.operands.size(); ++k) {
      const Inst* c = constant_def(graph_, inst.operands[k]);
      if (c) bits[k] = c->imm[0];
      all_constant &= c != nullptr;
    }
    if (inst.effects.may_trap() && inst.operands.size() == 2) {
      if (const Inst* divisor = constant_def(graph_, inst.operands[1])) {
        uint32_t remaining = traps_with_constant_divisor(inst.op, divisor->imm[0]);
        if (remaining != inst.effects.traps) inst.effects.traps = remaining, changed_ = true;
      }
    }
    if (!all_constant) return;
    std::optional<uint64_t> result = fold_wasm_op(inst.op, {bits, inst.operands.size()});
    if (result) become_constant(inst, *result);
  }

  Graph& graph_;
  bool changed_ = false;
  bool cfg_changed_ = false;
};

}  // namespace

bool run_constant_folding(Graph& graph) {
  return ConstantFolder(graph).run();
}

}  // namespace keel::jit::opt

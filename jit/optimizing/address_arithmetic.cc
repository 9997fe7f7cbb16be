#include "jit/optimizing/address_arithmetic.h"

#include "jit/optimizing/register_allocator.h"

namespace keel::jit::opt {

namespace {

class LeaFinder {
 public:
  LeaFinder(const Graph& graph, const FusedLoads& loads)
      : graph_(graph), loads_(loads), uses_(graph.use_counts()) {
    out_.taken.assign(graph.num_insts(), false);
    out_.form.assign(graph.num_insts(), -1);
  }

  AddressArithmetic run() {
    for (BlockId b : graph_.layout()) {
      // The instructions that emit code, in order: an instruction may take the one before it.
      emitted_.clear();
      for (InstId id : graph_.block(b).insts) {
        const Inst& inst = graph_.inst(id);
        if (inst.dead) continue;
        if (inst.kind == InstKind::kConst && is_immediate_constant(graph_, graph_.result(id)))
          continue;  // an immediate: no code, no register
        emitted_.push_back(id);
        consider(id, inst);
      }
    }
    return std::move(out_);
  }

 private:
  bool is_op(const Inst& inst, Op op) const {
    return inst.kind == InstKind::kWasm && inst.op == op;
  }
  // The constant bits of `v` if it is an immediate constant that fits a displacement.
  bool displacement(ValueId v, int32_t& out) const {
    if (!is_immediate_constant(graph_, v)) return false;
    out = static_cast<int32_t>(graph_.inst(graph_.value(v).inst).imm[0]);
    return true;
  }
  // The instruction defining `v` if it is the emitted instruction at position `at` (counting
  // back from the consumer: 1 is the one right before) and `v` has no other use.
  const Inst* previous_def(ValueId v, size_t at, InstId& id) const {
    if (emitted_.size() < at + 1) return nullptr;
    const Value& value = graph_.value(v);
    if (value.is_param || uses_[v.index] != 1) return nullptr;
    id = emitted_[emitted_.size() - 1 - at];
    if (loads_.into[id.index]) return nullptr;
    return value.inst == id ? &graph_.inst(id) : nullptr;
  }
  // `v` as index * 2^scale if it is a shift by 1..3 right before position `at`.
  bool scaled(ValueId v, size_t at, Op shl, LeaForm& form, InstId& id) const {
    const Inst* def = previous_def(v, at, id);
    int32_t k;
    if (!def || !is_op(*def, shl) || !displacement(graph_.resolve(def->operands[1]), k) || k < 1 ||
        k > 3)
      return false;
    form.index = graph_.resolve(def->operands[0]);
    form.scale = static_cast<uint8_t>(k);
    return true;
  }

  void consider(InstId id, const Inst& inst) {
    bool wide = inst.op == Op::kI64Add;
    if ((!is_op(inst, Op::kI32Add) && !wide) || loads_.into[id.index]) return;
    Op add = inst.op, shl = wide ? Op::kI64Shl : Op::kI32Shl;
    ValueId lhs = graph_.resolve(inst.operands[0]), rhs = graph_.resolve(inst.operands[1]);
    LeaForm form;
    std::vector<InstId> taken;
    InstId def_id;
    if (displacement(rhs, form.displacement)) {
      // (a + b) + c, (x << k) + c, ((x << k) + b) + c
      if (const Inst* inner = previous_def(lhs, 1, def_id); inner && is_op(*inner, add)) {
        ValueId a = graph_.resolve(inner->operands[0]), b = graph_.resolve(inner->operands[1]);
        int32_t unused;
        if (displacement(b, unused)) return;  // already one lea
        taken.push_back(def_id);
        InstId shift_id;
        if (scaled(b, 2, shl, form, shift_id)) {
          form.base = a;
          taken.push_back(shift_id);
        } else if (scaled(a, 2, shl, form, shift_id)) {
          form.base = b;
          taken.push_back(shift_id);
        } else {
          form.base = a;
          form.index = b;
        }
      } else if (scaled(lhs, 1, shl, form, def_id)) {
        taken.push_back(def_id);
      } else {
        return;
      }
    } else {
      // a + (x << k), (x << k) + b
      if (scaled(rhs, 1, shl, form, def_id)) {
        form.base = lhs;
      } else if (scaled(lhs, 1, shl, form, def_id)) {
        form.base = rhs;
      } else {
        return;
      }
      taken.push_back(def_id);
    }
    for (InstId t : taken) {
      out_.taken[t.index] = true;
      out_.form[t.index] = -1;  // an inner add that had a lea of its own is now in this one
    }
    out_.form[id.index] = static_cast<int32_t>(out_.forms.size());
    out_.forms.push_back(form);
  }

  const Graph& graph_;
  const FusedLoads& loads_;
  std::vector<uint32_t> uses_;
  std::vector<InstId> emitted_;
  AddressArithmetic out_;
};

}  // namespace

AddressArithmetic find_lea_forms(const Graph& graph, const FusedLoads& loads) {
  return LeaFinder(graph, loads).run();
}

}  // namespace keel::jit::opt

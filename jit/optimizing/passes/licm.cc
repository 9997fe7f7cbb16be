#include "jit/optimizing/passes/licm.h"

#include <algorithm>
#include <vector>

#include "jit/optimizing/compare_fusion.h"
#include "jit/optimizing/dominators.h"
#include "jit/optimizing/loops.h"
#include "jit/optimizing/register_allocator.h"

namespace keel::jit::opt {

namespace {

// The state a loop may change, which decides whether a read in it is invariant.
struct LoopWrites {
  bool any_global = false;  // a call
  std::vector<uint32_t> globals;

  bool may_write_global(uint32_t index) const {
    return any_global || std::find(globals.begin(), globals.end(), index) != globals.end();
  }
};

class Hoister {
 public:
  explicit Hoister(Graph& graph) : graph_(graph) {}

  bool run() {
    loops_ = find_loops(graph_, DominatorTree(graph_));
    if (loops_.empty()) return false;
    fused_compares_ = find_fusible_compares(graph_);
    invariant_.assign(graph_.num_insts(), false);
    moves_.assign(graph_.num_insts(), false);
    // Deepest first: what leaves an inner loop lands in its preheader, which belongs to the
    // enclosing loop and is looked at again there.
    std::vector<uint32_t> order(loops_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    // std::sort with the index as tie-break, as a stable sort would order them (clang's
    // libstdc++ headers deprecate stable_sort's temporary buffer).
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return loops_[a].depth != loops_[b].depth ? loops_[a].depth > loops_[b].depth : a < b;
    });
    bool changed = false;
    for (uint32_t i : order) changed |= hoist_from(i);
    return changed;
  }

 private:
  bool hoist_from(uint32_t loop_index) {
    Loop& loop = loops_[loop_index];
    LoopWrites writes = writes_of(loop);
    auto operand_invariant = [&](ValueId v) {
      const Value& value = graph_.value(graph_.resolve(v));
      return defined_outside(loop, v) || (!value.is_param && invariant_[value.inst.index]);
    };
    // Reverse postorder puts every definition in the loop before its uses.
    std::vector<InstId> candidates;
    for (BlockId b : loop.blocks)
      for (InstId id : graph_.block(b).insts) {
        const Inst& inst = graph_.inst(id);
        if (!movable(inst, writes)) continue;
        if (!std::all_of(inst.operands.begin(), inst.operands.end(), operand_invariant)) continue;
        invariant_[id.index] = true;
        candidates.push_back(id);
      }

    // Uses come after their definitions in `candidates`, so walking it backwards marks the
    // invariant operands of everything that moves, transitively, in one pass.
    for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
      InstId id = *it;
      if (!moves_[id.index] && !worth_hoisting(id, loop)) continue;
      moves_[id.index] = true;
      for (ValueId v : graph_.inst(id).operands) {
        const Value& value = graph_.value(graph_.resolve(v));
        if (!value.is_param && invariant_[value.inst.index]) moves_[value.inst.index] = true;
      }
    }
    std::vector<InstId> moving;
    for (InstId id : candidates) {
      if (moves_[id.index]) moving.push_back(id);
      invariant_[id.index] = false;  // the flags only hold for this loop
    }
    if (moving.empty()) return false;

    if (!loop.preheader.valid()) make_preheader(loop_index);
    for (BlockId b : loop.blocks)
      std::erase_if(graph_.block(b).insts, [&](InstId id) { return moves_[id.index]; });
    std::vector<InstId>& into = graph_.block(loop.preheader).insts;
    into.insert(into.end() - 1, moving.begin(), moving.end());
    for (InstId id : moving) {
      graph_.inst(id).block = loop.preheader;
      moves_[id.index] = false;
    }
    return true;
  }

  bool defined_outside(const Loop& loop, ValueId v) const {
    const Value& value = graph_.value(graph_.resolve(v));
    return !loop.contains(value.is_param ? value.block : graph_.inst(value.inst).block);
  }

  bool movable(const Inst& inst, const LoopWrites& writes) const {
    if (inst.dead || inst.num_results != 1 || is_terminator(inst.kind)) return false;
    if (inst.effects.is_pure()) return true;
    return inst.kind == InstKind::kGlobalGet && inst.effects.traps == 0 &&
           inst.effects.bits == Effects::kReadsGlobal && !writes.may_write_global(inst.index);
  }

  bool worth_hoisting(InstId id, const Loop& loop) const {
    if (fused_compares_[id.index]) return false;
    const Inst& inst = graph_.inst(id);
    if (inst.kind == InstKind::kConst) return !is_immediate_constant(graph_, graph_.result(id));
    // x + constant of a value from outside the loop is one lea wherever it is used; hoisted, it
    // would hold one of the few registers through the whole loop (an interpreter's switch
    // computes frame + 64 in every case). It still moves when something hoisted needs it.
    bool add_or_sub =
        inst.kind == InstKind::kWasm && (inst.op == Op::kI32Add || inst.op == Op::kI32Sub ||
                                         inst.op == Op::kI64Add || inst.op == Op::kI64Sub);
    if (add_or_sub) {
      ValueId rhs = graph_.resolve(inst.operands[1]);
      if (defined_outside(loop, inst.operands[0]) && is_immediate_constant(graph_, rhs))
        return false;
    }
    return true;
  }

  LoopWrites writes_of(const Loop& loop) const {
    LoopWrites writes;
    for (BlockId b : loop.blocks)
      for (InstId id : graph_.block(b).insts) {
        const Inst& inst = graph_.inst(id);
        if (inst.dead) continue;
        if (inst.effects.has(Effects::kCall)) writes.any_global = true;
        if (inst.kind == InstKind::kGlobalSet) writes.globals.push_back(inst.index);
      }
    return writes;
  }

  void make_preheader(uint32_t loop_index) {
    opt::make_preheader(graph_, loops_, loop_index);
    fused_compares_.resize(graph_.num_insts());
    invariant_.resize(graph_.num_insts());
    moves_.resize(graph_.num_insts());
  }

  Graph& graph_;
  std::vector<Loop> loops_;
  // By InstId, grown with the preheaders' jumps.
  std::vector<bool> fused_compares_;
  std::vector<bool> invariant_, moves_;  // for the loop at hand, cleared after it
};

}  // namespace

bool run_licm(Graph& graph) {
  return Hoister(graph).run();
}

}  // namespace keel::jit::opt

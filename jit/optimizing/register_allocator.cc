#include "jit/optimizing/register_allocator.h"

#include <algorithm>
#include <optional>
#include <span>

#include "jit/common/numeric_lowering.h"
#include "jit/optimizing/register_convention.h"

namespace keel::jit::opt {

namespace {

// Frame slots, reused once the value holding one is dead: slot lifetimes follow intervals too.
class SlotPool {
 public:
  int32_t take(ValType type, uint32_t start) {
    release_until(start);
    int32_t size = type == ValType::kV128 ? 16 : 8;
    for (size_t i = 0; i < free_.size(); ++i) {
      if (free_[i].size != size) continue;
      int32_t slot = free_[i].slot;
      free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
      return slot;
    }
    bytes_ = (bytes_ + size + size - 1) & ~(size - 1);
    // Slots start below the saved context at [rbp - 8].
    return -(8 + bytes_);
  }
  void hold(int32_t slot, ValType type, uint32_t end) {
    held_.push_back({slot, type == ValType::kV128 ? 16 : 8, end});
  }
  int32_t bytes() const { return bytes_; }

 private:
  struct Slot {
    int32_t slot;
    int32_t size;
    uint32_t end = 0;
  };
  void release_until(uint32_t start) {
    for (size_t i = 0; i < held_.size();) {
      if (held_[i].end < start) {
        free_.push_back(held_[i]);
        held_[i] = held_.back();
        held_.pop_back();
      } else {
        ++i;
      }
    }
  }
  std::vector<Slot> held_, free_;
  int32_t bytes_ = 0;
};

// The operands whose registers a result must not take, though they die where it is born: the
// code reads them after it first writes the result (emit_numeric's and emit_simd's second and
// third operands; select's condition and true value, after the false value is copied).
void must_differ(const Graph& graph, const FusedLoads* fused_loads, ValueId v,
                 std::vector<ValueId>& out) {
  out.clear();
  const Value& value = graph.value(v);
  if (value.is_param) return;
  const Inst& inst = graph.inst(value.inst);
  if (inst.kind == InstKind::kWasm) {
    if (fused_loads && fused_loads->into[value.inst.index]) {
      ValueId loaded = graph.resolve(inst.operands[fused_loads->swapped[value.inst.index] ? 0 : 1]);
      out.push_back(graph.resolve(graph.inst(graph.value(loaded).inst).operands[0]));
      return;
    }
    if (inst.operands.size() == 2 && numeric_dst_may_be_rhs(inst.op)) return;
    for (size_t i = 1; i < inst.operands.size(); ++i)
      out.push_back(graph.resolve(inst.operands[i]));
  } else if (inst.kind == InstKind::kSelect) {
    out.push_back(graph.resolve(inst.operands[0]));
    out.push_back(graph.resolve(inst.operands[1]));
  }
}

// Values whose sharing a register saves a move: a block argument and its parameter, and a
// numeric result and its first operand (x86's two-operand form).
// Edge relations come first: their moves sit on loop back edges, an operand's copy does not.
// One array for all values (a vector per value cost 5% of tier 2's compile time).
class Preferences {
 public:
  Preferences(const Graph& graph, const Liveness& liveness) : begin_(graph.num_values() + 1, 0) {
    struct Pair {
      uint32_t value;
      ValueId related;
    };
    std::vector<Pair> edges, operands;
    for (BlockId b : liveness.order) {
      for (InstId id : graph.block(b).insts) {
        const Inst& inst = graph.inst(id);
        if (inst.dead) continue;
        for (const BlockCall& call : inst.targets) {
          const std::vector<ValueId>& params = graph.block(call.block).params;
          for (size_t i = 0; i < params.size(); ++i) {
            ValueId arg = graph.resolve(call.args[i]);
            edges.push_back({arg.index, params[i]});
            edges.push_back({params[i].index, arg});
          }
        }
        if (inst.kind == InstKind::kWasm && inst.num_results == 1 && !inst.operands.empty())
          operands.push_back({graph.result(id).index, graph.resolve(inst.operands[0])});
        if (inst.kind == InstKind::kWasm && inst.operands.size() == 2 &&
            numeric_dst_may_be_rhs(inst.op))
          operands.push_back({graph.result(id).index, graph.resolve(inst.operands[1])});
      }
    }
    // Grouped by value, each value's edge relations before its operand ones, each kind in the
    // order found.
    for (const Pair& p : edges) ++begin_[p.value + 1];
    for (const Pair& p : operands) ++begin_[p.value + 1];
    for (size_t v = 0; v + 1 < begin_.size(); ++v) begin_[v + 1] += begin_[v];
    related_.resize(begin_.back());
    std::vector<uint32_t> fill(begin_.begin(), begin_.end() - 1);
    for (const Pair& p : edges) related_[fill[p.value]++] = p.related;
    for (const Pair& p : operands) related_[fill[p.value]++] = p.related;
  }

  std::span<const ValueId> of(ValueId v) const {
    return {related_.data() + begin_[v.index], related_.data() + begin_[v.index + 1]};
  }

 private:
  std::vector<uint32_t> begin_;
  std::vector<ValueId> related_;
};

// The positions where a block argument is copied into its parameter (a terminator's odd
// position), by parameter, for each argument that every edge of that terminator into the block
// passes alike. At such a position the two hold the same value, so they may share a register
// there: a loop variable and its next value then need no move on the back edge.
class CopyPoints {
 public:
  CopyPoints(const Graph& graph, const Liveness& liveness) : by_param_(graph.num_values()) {
    constexpr uint32_t kNoSlot = UINT32_MAX;
    std::vector<uint32_t> slot_of(graph.num_blocks(), kNoSlot);  // by BlockId, into `alike`
    std::vector<std::pair<BlockId, std::vector<ValueId>>> alike;
    for (BlockId b : liveness.order) {
      const Block& block = graph.block(b);
      if (block.insts.empty()) continue;
      InstId term = block.insts.back();
      const Inst& inst = graph.inst(term);
      if (inst.dead || !is_terminator(inst.kind)) continue;
      uint32_t at = liveness.inst_position[term.index] + 1;
      // Per target block, the arguments all its edges pass alike (invalid where they differ);
      // a switch may reach one block by many cases.
      alike.clear();
      for (const BlockCall& call : inst.targets) {
        uint32_t& slot = slot_of[call.block.index];
        if (slot == kNoSlot) {
          slot = static_cast<uint32_t>(alike.size());
          alike.push_back({call.block, {}});
          for (ValueId v : call.args) alike.back().second.push_back(graph.resolve(v));
          continue;
        }
        std::vector<ValueId>& args = alike[slot].second;
        for (size_t i = 0; i < call.args.size(); ++i)
          if (graph.resolve(call.args[i]) != args[i]) args[i] = ValueId();
      }
      for (const auto& [target, args] : alike) {
        slot_of[target.index] = kNoSlot;
        const std::vector<ValueId>& params = graph.block(target).params;
        for (size_t i = 0; i < params.size(); ++i)
          if (args[i].valid()) by_param_[params[i].index].push_back({args[i], at});
      }
    }
  }

  // Whether every position where `a` and `b` are both live is a copy of one into the other.
  bool only_copies_overlap(ValueId a, std::span<const Segment> ra, ValueId b,
                           std::span<const Segment> rb) const {
    size_t i = 0, j = 0;
    while (i < ra.size() && j < rb.size()) {
      if (ra[i].to < rb[j].from) {
        ++i;
      } else if (rb[j].to < ra[i].from) {
        ++j;
      } else {
        uint32_t from = std::max(ra[i].from, rb[j].from), to = std::min(ra[i].to, rb[j].to);
        if (from != to || !(is_copy(a, b, from) || is_copy(b, a, from))) return false;
        if (ra[i].to == to)
          ++i;
        else
          ++j;
      }
    }
    return true;
  }

 private:
  struct Copy {
    ValueId arg;
    uint32_t at;
  };
  bool is_copy(ValueId param, ValueId arg, uint32_t at) const {
    for (const Copy& c : by_param_[param.index])
      if (c.arg == arg && c.at == at) return true;
    return false;
  }
  std::vector<std::vector<Copy>> by_param_;
};

}  // namespace

bool is_rematerializable(const Graph& graph, ValueId value) {
  const Value& v = graph.value(value);
  if (v.is_param || v.type == ValType::kV128) return false;
  return graph.inst(v.inst).kind == InstKind::kConst;
}

bool is_immediate_constant(const Graph& graph, ValueId value) {
  if (!is_rematerializable(graph, value)) return false;
  ValType type = graph.type_of(value);
  int64_t bits = static_cast<int64_t>(graph.inst(graph.value(value).inst).imm[0]);
  return type == ValType::kI32 || (type == ValType::kI64 && bits == static_cast<int32_t>(bits));
}

Allocation allocate_registers(const Graph& graph, const Liveness& liveness,
                              const FusedLoads* fused_loads) {
  Allocation out;
  size_t n = graph.num_values();
  out.locations.assign(n, {});
  out.save_slot.assign(n, 0);
  std::vector<ValueId> sorted;
  for (uint32_t v = 0; v < n; ++v)
    if (!liveness.intervals[v].empty()) sorted.push_back(ValueId(v));
  // By start, ties by value id (the order they were pushed in): what a stable sort would give,
  // without std::stable_sort, whose temporary buffer clang's libstdc++ headers deprecate.
  std::sort(sorted.begin(), sorted.end(), [&](ValueId a, ValueId b) {
    uint32_t sa = liveness.intervals[a.index].start, sb = liveness.intervals[b.index].start;
    return sa != sb ? sa < sb : a.index < b.index;
  });
  auto weight = [&](ValueId v) {
    const Interval& i = liveness.intervals[v.index];
    double w = static_cast<double>(liveness.weighted_uses[v.index]) / (i.end - i.start + 1);
    return is_rematerializable(graph, v) ? w / 4 : w;
  };

  Preferences preferred(graph, liveness);
  CopyPoints copies(graph, liveness);
  auto interferes = [&](ValueId a, ValueId b) {
    std::span<const Segment> ra = liveness.ranges(a);
    std::span<const Segment> rb = liveness.ranges(b);
    return ranges_intersect(ra, rb) && !copies.only_copies_overlap(a, ra, b, rb);
  };
  std::vector<ValueId> excluded;
  constexpr double kForbidden = 1e300;

  // Registers the register convention puts values in: the parameters arrive there, and call
  // arguments go there. A free one of those saves a move.
  std::vector<int16_t> convention_reg(n, -1);
  auto prefer_convention = [&](const FuncType& type, std::span<const ValueId> values) {
    std::optional<RegisterConvention> convention = register_convention(type);
    if (!convention) return;
    for (size_t i = 0; i < values.size() && i < convention->params.size(); ++i) {
      ValueId v = graph.resolve(values[i]);
      if (convention_reg[v.index] < 0) convention_reg[v.index] = convention->params[i].reg;
    }
  };
  if (!graph.osr_entry) prefer_convention(graph.signature(), graph.block(graph.entry()).params);
  for (BlockId b : liveness.order)
    for (InstId id : graph.block(b).insts) {
      const Inst& inst = graph.inst(id);
      if (!inst.dead && inst.kind == InstKind::kCall)
        prefer_convention(graph.call_signature(inst.call_signature), inst.operands);
    }

  std::vector<bool> crosses_call(n, false);
  for (const std::vector<ValueId>& across : liveness.live_across)
    for (ValueId v : across) crosses_call[v.index] = true;

  for (RegKind kind : {RegKind::kGp, RegKind::kXmm}) {
    std::span<const uint8_t> regs = kind == RegKind::kGp
                                        ? std::span<const uint8_t>(kAllocatableGp)
                                        : std::span<const uint8_t>(kAllocatableXmm);
    // Values holding a register whose hull has not ended yet; one may be in a hole of its
    // ranges, where another value can use its register for a while.
    std::vector<ValueId> live;
    std::vector<double> cost(16);
    for (ValueId v : sorted) {
      if (reg_kind(graph.type_of(v)) != kind) continue;
      const Interval& interval = liveness.intervals[v.index];
      std::erase_if(live,
                    [&](ValueId w) { return liveness.intervals[w.index].end < interval.start; });
      ++out.allocated_values;
      if (is_immediate_constant(graph, v)) {
        out.locations[v.index] = {Location::kStack, 0, 0};  // made a kConstant below
        continue;
      }
      // A register is free if no value holding it is live anywhere this one is; otherwise it
      // costs the weights of the values it would take it from.
      std::fill(cost.begin(), cost.end(), 0.0);
      for (ValueId w : live)
        if (interferes(v, w)) cost[out.locations[w.index].reg] += weight(w) + 1e-9;
      must_differ(graph, fused_loads, v, excluded);
      for (ValueId w : excluded)
        if (out.locations[w.index].kind == Location::kReg && reg_kind(graph.type_of(w)) == kind)
          cost[out.locations[w.index].reg] = kForbidden;
      uint8_t best = regs[0];
      for (uint8_t r : regs)
        if (cost[r] < cost[best]) best = r;
      // Among the free registers, one a related value holds saves a move, and so does the one
      // the register convention moves the value to or from.
      if (cost[best] == 0.0) {
        bool related = false;
        for (ValueId w : preferred.of(v)) {
          const Location& loc = out.locations[w.index];
          if (loc.kind == Location::kReg && reg_kind(graph.type_of(w)) == kind &&
              cost[loc.reg] == 0.0) {
            best = loc.reg;
            related = true;
            break;
          }
        }
        int16_t fixed = convention_reg[v.index];
        if (!related && fixed >= 0 && cost[fixed] == 0.0) best = static_cast<uint8_t>(fixed);
      }
      if (cost[best] == 0.0) {
        out.locations[v.index] = {Location::kReg, best, 0};
        live.push_back(v);
        continue;
      }
      // Every register is taken: spill whichever is cheaper, this value or the ones in the way.
      if (weight(v) <= cost[best] || cost[best] >= kForbidden) {
        out.locations[v.index] = {Location::kStack, 0, 0};
        continue;
      }
      std::erase_if(live, [&](ValueId w) {
        if (out.locations[w.index].reg != best || !interferes(v, w)) return false;
        out.locations[w.index] = {Location::kStack, 0, 0};
        return true;
      });
      out.locations[v.index] = {Location::kReg, best, 0};
      live.push_back(v);
    }
  }

  for (ValueId v : sorted) {
    Location& loc = out.locations[v.index];
    if (loc.kind != Location::kStack) continue;
    if (is_rematerializable(graph, v)) {
      uint64_t bits = graph.inst(graph.value(v).inst).imm[0];
      // i32 values are zero-extended wherever they are, constants included.
      if (graph.type_of(v) == ValType::kI32) bits = static_cast<uint32_t>(bits);
      loc = {Location::kConstant, 0, 0, bits};
      ++out.rematerialized_values;
    } else {
      ++out.spilled_values;
    }
  }

  // Frame slots for spilled values and for register values saved around calls.
  SlotPool slots;
  for (ValueId v : sorted) {
    Location& loc = out.locations[v.index];
    bool needs_slot =
        loc.kind == Location::kStack ||
        (loc.kind == Location::kReg && crosses_call[v.index] && !is_rematerializable(graph, v));
    if (!needs_slot) continue;
    const Interval& interval = liveness.intervals[v.index];
    int32_t slot = slots.take(graph.type_of(v), interval.start);
    slots.hold(slot, graph.type_of(v), interval.end);
    if (loc.kind == Location::kStack) {
      loc.slot = slot;
    } else {
      out.save_slot[v.index] = slot;
      ++out.call_saved_values;
    }
  }
  out.frame_slots_bytes = slots.bytes();
  return out;
}

}  // namespace keel::jit::opt

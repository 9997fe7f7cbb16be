#include "jit/optimizing/passes/loop_vectorization.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/loops.h"
#include "jit/optimizing/passes/dce.h"

namespace keel::jit::opt {

namespace {

constexpr int64_t kLaneBytes = 8;
constexpr int64_t kVectorBytes = 16;
// Pairs of accesses with different roots each need a check in the preheader; beyond this many
// the checks would cost more than the loop saves.
constexpr size_t kMaxOverlapChecks = 16;
// How deep the tree of paired values under one pair of stores may be.
constexpr int kMaxPackDepth = 32;

// The operations whose f64x2 form is the packed x86 instruction of the scalar one (addsd and
// addpd), so both give the same bits, NaNs included.
bool exact_lane_wise(Op op) {
  return op == Op::kF64Add || op == Op::kF64Sub || op == Op::kF64Mul || op == Op::kF64Div;
}

// The loop's counter: a header parameter the back edge passes as itself plus a constant step (a
// power of two), the loop going round while that sum differs from a bound set outside the loop
// or a constant.
struct Counter {
  uint32_t param = 0;
  uint32_t step = 0;
  ValueId bound;
};

// An address as root + offset: the root is the counter, or the counter plus a value from outside
// the loop, so it moves by the step each time round; the offset is the constants added to it and
// the access's offset immediate.
struct Address {
  ValueId root;
  ValueId invariant;  // invalid when the root is the counter itself
  int64_t offset = 0;
};

enum class PackKind { kLoad, kStore, kArith, kSplat };

// Two scalar instructions that become one vector instruction: lane 0 and lane 1, lane 0 at the
// lower address. A splat is one value from outside the loop in both lanes.
struct Pack {
  PackKind kind = PackKind::kArith;
  InstId insts[2];
  ValueId splat;
  uint32_t operands[2] = {0, 0};  // kArith: the packs of the two operands; kStore: [0], the value
  uint32_t position = 0;          // the index in the loop's block where the vector one goes
  Address address;                // kLoad, kStore: lane 0's
  ValueId vector;                 // made by the rewrite
};

// Two accesses with different roots: at least one writes, and they must not overlap in part.
struct OverlapCheck {
  uint32_t first, second;  // packs
  bool may_coincide;       // the same 16 bytes are fine: the vector order keeps each lane's order
};

class LoopVectorizer {
 public:
  explicit LoopVectorizer(Graph& graph) : graph_(graph) {}

  // The loops are blocks that branch to themselves. Not find_loops' natural loops: in an OSR
  // entry's graph the innermost loop's header is the header of one loop around everything.
  bool run() {
    bool changed = false;
    for (BlockId block : std::vector<BlockId>(graph_.layout())) {
      if (!analyze(block)) continue;
      rewrite();
      graph_.rebuild_predecessors();
      changed = true;
    }
    return changed;
  }

 private:
  ValueId resolve(ValueId v) const { return graph_.resolve(v); }

  bool inside(ValueId v) const {
    const Value& value = graph_.value(resolve(v));
    return (value.is_param ? value.block : graph_.inst(value.inst).block) == header_;
  }

  // The instruction making v, if it is one of kind `kind` and op `op`.
  const Inst* defined_by(ValueId v, InstKind kind, Op op = Op::kInvalid) const {
    const Value& value = graph_.value(resolve(v));
    if (value.is_param) return nullptr;
    const Inst& inst = graph_.inst(value.inst);
    if (inst.kind != kind || (op != Op::kInvalid && inst.op != op)) return nullptr;
    return &inst;
  }

  std::optional<int32_t> i32_constant(ValueId v) const {
    const Inst* inst = defined_by(v, InstKind::kConst);
    if (inst == nullptr || inst->type != ValType::kI32) return std::nullopt;
    return static_cast<int32_t>(inst->imm[0]);
  }

  // A header parameter the back edge passes unchanged: the value it has on entry all along (an
  // OSR entry's graph carries every local round its loops like this).
  bool invariant_param(ValueId v) const {
    const Value& value = graph_.value(resolve(v));
    if (!value.is_param || value.block != header_) return false;
    const Inst& term = graph_.inst(graph_.terminator(header_));
    return resolve(term.targets[back_].args[value.index]) == resolve(v);
  }
  // Whether the preheader can have v: made before the loop, the same all through it, or a
  // constant (which the back end folds into instructions, so LICM leaves it where it is used).
  bool available_before(ValueId v) const {
    return !inside(v) || invariant_param(v) || defined_by(v, InstKind::kConst) != nullptr;
  }
  // v in the preheader: itself, its value on entry, or a copy of the constant.
  ValueId before_loop(Builder& b, ValueId v) const {
    v = resolve(v);
    if (!inside(v)) return v;
    if (invariant_param(v)) return resolve(entry_args_[graph_.value(v).index]);
    const Inst* constant = defined_by(v, InstKind::kConst);
    return constant->type == ValType::kV128 ? b.v128_const(constant->imm[0], constant->imm[1])
                                            : b.constant(constant->type, constant->imm[0]);
  }

  ValueId counter_value() const { return graph_.block(header_).params[counter_.param]; }

  void reset(BlockId header) {
    header_ = header;
    packs_.clear();
    loads_.clear();
    stores_.clear();
    lane_of_.clear();
    position_.clear();
    checks_.clear();
    memory_ = UINT32_MAX;
  }

  bool analyze(BlockId block) {
    reset(block);
    InstId term_id = graph_.terminator(header_);
    if (!term_id.valid()) return false;
    const Inst& term = graph_.inst(term_id);
    if (term.kind != InstKind::kBranch) return false;
    back_ = term.targets[0].block == header_ ? 0 : 1;
    if (term.targets[back_].block != header_ || term.targets[1 - back_].block == header_)
      return false;
    return find_counter(term) && collect() && pair_stores() && all_loads_packed() &&
           lanes_used_only_in_packs() && order_accesses();
  }

  bool find_counter(const Inst& term) {
    const Inst* compare =
        defined_by(term.operands[0], InstKind::kWasm, back_ == 0 ? Op::kI32Ne : Op::kI32Eq);
    if (compare == nullptr) return false;
    for (int side : {0, 1}) {
      ValueId next = resolve(compare->operands[side]), bound = compare->operands[1 - side];
      const Inst* add = defined_by(next, InstKind::kWasm, Op::kI32Add);
      if (!available_before(bound) || add == nullptr || add->block != header_) continue;
      for (int which : {0, 1}) {
        const Value& counter = graph_.value(resolve(add->operands[which]));
        std::optional<int32_t> step = i32_constant(add->operands[1 - which]);
        if (!counter.is_param || counter.block != header_ || !step || *step <= 0 ||
            (*step & (*step - 1)) != 0)
          continue;
        if (resolve(term.targets[back_].args[counter.index]) != next) continue;
        counter_ = {counter.index, static_cast<uint32_t>(*step), resolve(bound)};
        return true;
      }
    }
    return false;
  }

  std::optional<Address> decompose(ValueId address, uint64_t offset_immediate) const {
    int64_t offset = static_cast<int64_t>(offset_immediate);
    ValueId v = resolve(address);
    for (const Inst* add; (add = defined_by(v, InstKind::kWasm, Op::kI32Add)) != nullptr;) {
      std::optional<int32_t> c = i32_constant(add->operands[1]);
      int other = 0;
      if (!c) c = i32_constant(add->operands[0]), other = 1;
      if (!c) break;
      offset += *c;
      v = resolve(add->operands[other]);
    }
    if (offset < 0 || offset > INT32_MAX) return std::nullopt;
    ValueId counter = counter_value();
    if (v == counter) return Address{v, {}, offset};
    const Inst* sum = defined_by(v, InstKind::kWasm, Op::kI32Add);
    if (sum == nullptr || sum->block != header_) return std::nullopt;
    for (int which : {0, 1})
      if (resolve(sum->operands[which]) == counter && available_before(sum->operands[1 - which]))
        return Address{v, resolve(sum->operands[1 - which]), offset};
    return std::nullopt;
  }

  // Positions and accesses; false when the loop has anything that would make the reordering
  // visible: calls, traps, other memory operations.
  bool collect() {
    const std::vector<InstId>& insts = graph_.block(header_).insts;
    for (uint32_t i = 0; i + 1 < insts.size(); ++i) {
      const Inst& inst = graph_.inst(insts[i]);
      if (inst.dead) continue;
      position_[insts[i].index] = i;
      if (inst.kind == InstKind::kLoad || inst.kind == InstKind::kStore) {
        bool load = inst.kind == InstKind::kLoad;
        if (inst.op != (load ? Op::kF64Load : Op::kF64Store)) return false;
        if (memory_ != UINT32_MAX && inst.index != memory_) return false;
        memory_ = inst.index;
        std::optional<Address> address = decompose(inst.operands[0], inst.imm[0]);
        if (!address) return false;
        (load ? loads_ : stores_).emplace_back(insts[i], *address);
        continue;
      }
      const Effects& e = inst.effects;
      if (e.may_trap() || e.has(Effects::kCall) || e.has(Effects::kReadsMemory) ||
          e.has(Effects::kWritesMemory))
        return false;
    }
    return !stores_.empty();
  }

  const Address& address_of_load(InstId id) const {
    return std::find_if(loads_.begin(), loads_.end(), [&](const auto& l) { return l.first == id; })
        ->second;
  }

  bool pair_stores() {
    std::sort(stores_.begin(), stores_.end(), [](const auto& a, const auto& b) {
      if (a.second.root != b.second.root) return a.second.root < b.second.root;
      return a.second.offset < b.second.offset;
    });
    for (size_t i = 0; i < stores_.size(); i += 2) {
      if (i + 1 == stores_.size()) return false;
      const auto& [low, low_address] = stores_[i];
      const auto& [high, high_address] = stores_[i + 1];
      if (high_address.root != low_address.root ||
          high_address.offset != low_address.offset + kLaneBytes)
        return false;
      std::optional<uint32_t> value =
          pack_values(graph_.inst(low).operands[1], graph_.inst(high).operands[1], 0);
      if (!value) return false;
      Pack pack;
      pack.kind = PackKind::kStore;
      pack.insts[0] = low;
      pack.insts[1] = high;
      pack.operands[0] = *value;
      pack.position = std::max(position_.at(low.index), position_.at(high.index));
      pack.address = low_address;
      packs_.push_back(pack);
    }
    return true;
  }

  // The pack whose lanes are v0 and v1, made (with the packs under it) if need be.
  std::optional<uint32_t> pack_values(ValueId v0, ValueId v1, int depth) {
    v0 = resolve(v0);
    v1 = resolve(v1);
    if (depth > kMaxPackDepth) return std::nullopt;
    auto lane0 = lane_of_.find(v0.index);
    if (lane0 != lane_of_.end()) {
      auto lane1 = lane_of_.find(v1.index);
      if (lane1 == lane_of_.end() || lane0->second.first != lane1->second.first ||
          lane0->second.second != 0 || lane1->second.second != 1)
        return std::nullopt;
      return lane0->second.first;
    }
    if (lane_of_.count(v1.index)) return std::nullopt;
    if (v0 == v1) {
      if (!available_before(v0)) return std::nullopt;
      for (uint32_t i = 0; i < packs_.size(); ++i)
        if (packs_[i].kind == PackKind::kSplat && packs_[i].splat == v0) return i;
      Pack pack;
      pack.kind = PackKind::kSplat;
      pack.splat = v0;
      packs_.push_back(pack);
      return static_cast<uint32_t>(packs_.size() - 1);
    }
    const Value &value0 = graph_.value(v0), &value1 = graph_.value(v1);
    if (!inside(v0) || !inside(v1) || value0.is_param || value1.is_param) return std::nullopt;
    const Inst &inst0 = graph_.inst(value0.inst), &inst1 = graph_.inst(value1.inst);
    Pack pack;
    if (inst0.kind == InstKind::kLoad && inst1.kind == InstKind::kLoad) {
      const Address &a0 = address_of_load(value0.inst), &a1 = address_of_load(value1.inst);
      if (a0.root != a1.root || a1.offset != a0.offset + kLaneBytes) return std::nullopt;
      pack.kind = PackKind::kLoad;
      pack.position = position_.at(value0.inst.index);
      pack.address = a0;
    } else if (inst0.kind == InstKind::kWasm && inst1.kind == InstKind::kWasm &&
               inst0.op == inst1.op && exact_lane_wise(inst0.op)) {
      ValueId x0 = inst0.operands[0], y0 = inst0.operands[1];
      ValueId x1 = inst1.operands[0], y1 = inst1.operands[1];
      std::optional<uint32_t> x = pack_values(x0, x1, depth + 1);
      if (!x) return std::nullopt;
      std::optional<uint32_t> y = pack_values(y0, y1, depth + 1);
      if (!y) return std::nullopt;
      pack.kind = PackKind::kArith;
      pack.operands[0] = *x;
      pack.operands[1] = *y;
      pack.position = std::max(position_.at(value0.inst.index), position_.at(value1.inst.index));
    } else {
      return std::nullopt;
    }
    pack.insts[0] = value0.inst;
    pack.insts[1] = value1.inst;
    packs_.push_back(pack);
    uint32_t index = static_cast<uint32_t>(packs_.size() - 1);
    lane_of_[v0.index] = {index, 0};
    lane_of_[v1.index] = {index, 1};
    return index;
  }

  bool all_loads_packed() const {
    return std::all_of(loads_.begin(), loads_.end(), [&](const auto& load) {
      return lane_of_.count(graph_.result(load.first).index) != 0;
    });
  }

  // A lane's scalar value has no vector copy, so nothing but the packs may use it.
  bool lanes_used_only_in_packs() const {
    std::vector<uint32_t> counts = graph_.use_counts();
    std::unordered_map<uint32_t, uint32_t> uses_in_packs;
    for (const Pack& pack : packs_) {
      if (pack.kind != PackKind::kArith && pack.kind != PackKind::kStore) continue;
      for (InstId id : pack.insts)
        for (ValueId v : graph_.inst(id).operands)
          if (lane_of_.count(resolve(v).index)) ++uses_in_packs[resolve(v).index];
    }
    for (const auto& [value, lane] : lane_of_)
      if (counts[value] != uses_in_packs[value]) return false;
    return true;
  }

  // Which pairs of accesses may touch the same bytes, and whether the vector loop keeps the
  // order of each lane's two accesses where they do.
  bool order_accesses() {
    std::vector<uint32_t> accesses;
    for (uint32_t i = 0; i < packs_.size(); ++i)
      if (packs_[i].kind == PackKind::kLoad || packs_[i].kind == PackKind::kStore)
        accesses.push_back(i);
    for (size_t a = 0; a < accesses.size(); ++a)
      for (size_t b = a + 1; b < accesses.size(); ++b) {
        const Pack &p = packs_[accesses[a]], &q = packs_[accesses[b]];
        if (p.kind == PackKind::kLoad && q.kind == PackKind::kLoad) continue;
        bool same_order = true;
        for (int lane : {0, 1})
          same_order &= (position_.at(p.insts[lane].index) < position_.at(q.insts[lane].index)) ==
                        (p.position < q.position);
        if (p.address.root == q.address.root) {
          int64_t distance = q.address.offset - p.address.offset;
          if (distance >= kVectorBytes || distance <= -kVectorBytes) continue;
          if (distance == 0 && same_order) continue;
          return false;
        }
        if (checks_.size() == kMaxOverlapChecks) return false;
        checks_.push_back({accesses[a], accesses[b], same_order});
      }
    return true;
  }

  // The conditions that make the vector loop exact, evaluated in the preheader: the loop runs a
  // whole number of steps from `initial` to the bound, every access of every pass lies inside the
  // memory, and no two accesses with different roots overlap in part.
  ValueId emit_checks(Builder& b, ValueId initial) {
    auto op = [&](Op o, ValueId x, ValueId y) { return b.wasm(o, {x, y}); };
    ValueId distance = op(Op::kI32Sub, before_loop(b, counter_.bound), initial);
    ValueId ok = op(Op::kI32Ne, distance, b.i32_const(0));
    if (counter_.step > 1) {
      ValueId rest =
          op(Op::kI32And, distance, b.i32_const(static_cast<int32_t>(counter_.step - 1)));
      ok = op(Op::kI32And, ok, b.wasm(Op::kI32Eqz, {rest}));
    }
    // From the first pass's addresses to the last one's.
    ValueId span =
        op(Op::kI64Sub, b.wasm(Op::kI64ExtendI32U, {distance}), b.i64_const(counter_.step));
    ValueId pages = b.wasm(Op::kI64ExtendI32U, {b.memory_size(memory_)});
    ValueId memory_bytes = op(Op::kI64Shl, pages, b.i64_const(16));

    // Each root's value in the first pass, zero-extended, and the highest offset used with it.
    std::unordered_map<uint32_t, ValueId> first;
    std::unordered_map<uint32_t, int64_t> highest;
    std::vector<ValueId> roots;
    for (const Pack& pack : packs_) {
      if (pack.kind != PackKind::kLoad && pack.kind != PackKind::kStore) continue;
      uint32_t root = pack.address.root.index;
      if (!first.count(root)) {
        ValueId start = pack.address.invariant.valid()
                            ? op(Op::kI32Add, before_loop(b, pack.address.invariant), initial)
                            : initial;
        first[root] = b.wasm(Op::kI64ExtendI32U, {start});
        highest[root] = pack.address.offset;
        roots.push_back(pack.address.root);
      }
      highest[root] = std::max(highest[root], pack.address.offset);
    }
    for (ValueId root : roots) {
      ValueId last = op(Op::kI64Add, first[root.index], span);
      ValueId end = op(Op::kI64Add, last, b.i64_const(highest[root.index] + kVectorBytes));
      ok = op(Op::kI32And, ok, op(Op::kI64LeU, end, memory_bytes));
    }
    for (const OverlapCheck& check : checks_) {
      const Address &p = packs_[check.first].address, &q = packs_[check.second].address;
      ValueId apart = op(Op::kI64Add, op(Op::kI64Sub, first[q.root.index], first[p.root.index]),
                         b.i64_const(q.offset - p.offset));
      // |apart| < 16: apart + 15 <= 30 unsigned.
      ValueId overlap = op(Op::kI64LeU, op(Op::kI64Add, apart, b.i64_const(kVectorBytes - 1)),
                           b.i64_const(2 * kVectorBytes - 2));
      if (check.may_coincide)
        overlap = op(Op::kI32And, overlap, op(Op::kI64Ne, apart, b.i64_const(0)));
      ok = op(Op::kI32And, ok, b.wasm(Op::kI32Eqz, {overlap}));
    }
    return ok;
  }

  // The block whose jump is the loop's one way in, made if need be.
  BlockId preheader() {
    std::vector<Loop> loop(1);
    loop[0].header = header_;
    loop[0].members.assign(graph_.num_blocks(), false);
    loop[0].members[header_.index] = true;
    loop[0].blocks = {header_};
    uint32_t entries = 0;
    for (const Edge& edge : graph_.block(header_).preds) {
      const Inst& from = graph_.inst(edge.inst);
      if (from.block == header_) continue;
      ++entries;
      if (from.kind == InstKind::kJump) loop[0].preheader = from.block;
    }
    if (entries != 1 || !loop[0].preheader.valid()) make_preheader(graph_, loop, 0);
    return loop[0].preheader;
  }

  void rewrite() {
    BlockId preheader = this->preheader();
    const std::vector<InstId> body = graph_.block(header_).insts;
    const InstId term_id = body.back();
    const BlockId exit = graph_.inst(term_id).targets[1 - back_].block;
    const uint32_t loop_depth = graph_.block(header_).wasm_loop_depth;

    // The values of the loop that code after it uses: both loops pass them to a new exit block.
    std::vector<ValueId> escaping;
    std::unordered_map<uint32_t, uint32_t> escaping_index;
    for (BlockId b : graph_.layout()) {
      if (b == header_) continue;
      for (InstId id : graph_.block(b).insts)
        for_each_use(graph_.inst(id), [&](const ValueId& v) {
          ValueId r = resolve(v);
          if (inside(r) && !escaping_index.count(r.index)) {
            escaping_index[r.index] = static_cast<uint32_t>(escaping.size());
            escaping.push_back(r);
          }
        });
    }

    // The preheader chooses the loop.
    InstId jump = graph_.terminator(preheader);
    ValueList entry_args = graph_.inst(jump).targets[0].args;
    entry_args_ = entry_args;
    graph_.block(preheader).insts.pop_back();
    graph_.kill(jump);
    Builder b(graph_, preheader);
    ValueId ok = emit_checks(b, resolve(entry_args[counter_.param]));
    for (Pack& pack : packs_)
      if (pack.kind == PackKind::kSplat)
        pack.vector = b.wasm(Op::kF64x2Splat, {before_loop(b, pack.splat)});
    BlockId vector_loop = graph_.create_block_before(header_);
    graph_.block(vector_loop).wasm_loop_depth = loop_depth;

    // The vector loop's parameters are the ones that change; an invariant one is its entry value.
    std::unordered_map<uint32_t, ValueId> copy;
    ValueList vector_entry_args;
    const std::vector<ValueId> params = graph_.block(header_).params;
    for (uint32_t k = 0; k < params.size(); ++k) {
      if (invariant_param(params[k])) {
        copy[params[k].index] = resolve(entry_args[k]);
        continue;
      }
      copy[params[k].index] = graph_.add_block_param(vector_loop, graph_.type_of(params[k]));
      vector_entry_args.push_back(entry_args[k]);
    }
    // The vector loop as the branch's second target: the back end's block order (reverse
    // postorder) then puts it first, right after the checks, and the scalar copy's values,
    // rather than the vector loop's, live across the other loop.
    b.branch(b.wasm(Op::kI32Eqz, {ok}), header_, entry_args, vector_loop, vector_entry_args);

    auto mapped = [&](ValueId v) {
      v = resolve(v);
      auto it = copy.find(v.index);
      return it == copy.end() ? v : it->second;
    };
    std::unordered_set<uint32_t> in_pack;
    std::vector<std::vector<uint32_t>> packs_at(body.size());
    for (uint32_t i = 0; i < packs_.size(); ++i) {
      if (packs_[i].kind == PackKind::kSplat) continue;
      in_pack.insert(packs_[i].insts[0].index);
      in_pack.insert(packs_[i].insts[1].index);
      packs_at[packs_[i].position].push_back(i);
    }
    Builder vb(graph_, vector_loop);
    for (uint32_t i = 0; i + 1 < body.size(); ++i) {
      if (graph_.inst(body[i]).dead) continue;
      if (!in_pack.count(body[i].index)) {
        Inst inst = graph_.inst(body[i]);
        for (ValueId& v : inst.operands) v = mapped(v);
        InstId made = graph_.append(vector_loop, std::move(inst));
        for (uint32_t r = 0; r < graph_.inst(made).num_results; ++r)
          copy[graph_.result(body[i], r).index] = graph_.result(made, r);
      }
      for (uint32_t p : packs_at[i]) emit_pack(vb, packs_[p], mapped);
    }

    Inst branch = graph_.inst(term_id);
    branch.operands[0] = mapped(branch.operands[0]);
    ValueList back_args;
    for (uint32_t k = 0; k < params.size(); ++k)
      if (!invariant_param(params[k])) back_args.push_back(branch.targets[back_].args[k]);
    branch.targets[back_].args = std::move(back_args);
    for (BlockCall& call : branch.targets)
      for (ValueId& v : call.args) v = mapped(v);
    branch.targets[back_].block = vector_loop;
    if (!escaping.empty()) {
      // exit(args) becomes merge(args, escaping...) from both loops, and merge jumps to exit.
      BlockId merge = graph_.create_block_before(exit);
      graph_.block(merge).wasm_loop_depth = graph_.block(exit).wasm_loop_depth;
      ValueList& scalar_args = graph_.inst(term_id).targets[1 - back_].args;
      ValueList forwarded;
      for (ValueId v : scalar_args)
        forwarded.push_back(graph_.add_block_param(merge, graph_.type_of(v)));
      std::vector<ValueId> merged;
      for (ValueId v : escaping) merged.push_back(graph_.add_block_param(merge, graph_.type_of(v)));
      for (BlockId blk : graph_.layout()) {
        if (blk == header_ || blk == vector_loop || blk == merge) continue;
        for (InstId id : graph_.block(blk).insts)
          for_each_use(graph_.inst(id), [&](ValueId& v) {
            auto it = escaping_index.find(resolve(v).index);
            if (it != escaping_index.end()) v = merged[it->second];
          });
      }
      ValueList& vector_args = branch.targets[1 - back_].args;
      for (ValueId v : escaping) {
        scalar_args.push_back(v);
        vector_args.push_back(mapped(v));
      }
      graph_.inst(term_id).targets[1 - back_].block = merge;
      branch.targets[1 - back_].block = merge;
      Builder(graph_, merge).jump(exit, forwarded);
    }
    graph_.append(vector_loop, std::move(branch));
  }

  template <class Mapped>
  void emit_pack(Builder& vb, Pack& pack, Mapped& mapped) {
    const Inst lane0 = graph_.inst(pack.insts[0]);
    switch (pack.kind) {
      case PackKind::kLoad:
        pack.vector = vb.load(Op::kV128Load, memory_, lane0.imm[0], mapped(lane0.operands[0]));
        break;
      case PackKind::kStore:
        vb.store(Op::kV128Store, memory_, lane0.imm[0], mapped(lane0.operands[0]),
                 packs_[pack.operands[0]].vector);
        break;
      case PackKind::kArith:
        pack.vector = vb.wasm(lane_wise_counterpart(lane0.op, LaneShape::kF64x2),
                              {packs_[pack.operands[0]].vector, packs_[pack.operands[1]].vector});
        break;
      case PackKind::kSplat:
        return;
    }
    graph_.inst(graph_.block(vb.block()).insts.back()).module_offset = lane0.module_offset;
  }

  Graph& graph_;
  // The loop at hand.
  BlockId header_;
  int back_ = 0;  // the branch's target slot that goes round again
  Counter counter_;
  uint32_t memory_ = UINT32_MAX;
  std::vector<std::pair<InstId, Address>> loads_, stores_;
  std::vector<Pack> packs_;
  std::unordered_map<uint32_t, std::pair<uint32_t, int>> lane_of_;  // value: pack, lane
  std::unordered_map<uint32_t, uint32_t> position_;                 // instruction: index
  std::vector<OverlapCheck> checks_;
  ValueList entry_args_;  // the preheader's, once the rewrite has made it
};

}  // namespace

bool run_loop_vectorization(Graph& graph) {
  if (!LoopVectorizer(graph).run()) return false;
  // The vector loop keeps the scalar lanes' address arithmetic it no longer uses.
  run_dce(graph);
  return true;
}

}  // namespace keel::jit::opt

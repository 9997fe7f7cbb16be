#include "jit/optimizing/passes/gvn.h"

#include <array>
#include <bit>
#include <utility>
#include <vector>

#include "jit/optimizing/dominators.h"
#include "jit/optimizing/wasm_semantics.h"

namespace keel::jit::opt {

namespace {

// Pure instructions have at most three operands (select, v128.bitselect); one with more is
// left alone rather than making every key variable-sized.
constexpr size_t kMaxKeyOperands = 3;

struct Key {
  InstKind kind;
  Op op;
  ValType type;
  uint8_t num_operands;
  uint32_t index, index2;
  uint64_t imm0, imm1;
  std::array<uint32_t, kMaxKeyOperands> operands;

  bool operator==(const Key&) const = default;
  uint64_t hash() const {
    uint64_t h = static_cast<uint64_t>(kind) | static_cast<uint64_t>(op) << 8 |
                 static_cast<uint64_t>(type) << 24 | static_cast<uint64_t>(num_operands) << 32;
    auto mix = [&](uint64_t x) { h = (h ^ x) * 0x9e3779b97f4a7c15ull, h ^= h >> 29; };
    mix(index | static_cast<uint64_t>(index2) << 32);
    mix(imm0);
    mix(imm1);
    for (uint32_t i = 0; i < num_operands; ++i) mix(operands[i]);
    return h;
  }
};

bool numberable(const Inst& inst) {
  return !inst.dead && inst.num_results == 1 && inst.effects.is_pure() &&
         !is_terminator(inst.kind) && inst.operands.size() <= kMaxKeyOperands;
}

Key key_of(const Graph& graph, const Inst& inst) {
  Key key{inst.kind,  inst.op,     inst.type,   static_cast<uint8_t>(inst.operands.size()),
          inst.index, inst.index2, inst.imm[0], inst.imm[1],
          {}};
  for (size_t i = 0; i < inst.operands.size(); ++i)
    key.operands[i] = graph.resolve(inst.operands[i]).index;
  if (inst.kind == InstKind::kWasm && key.num_operands == 2 && is_commutative(inst.op) &&
      key.operands[0] > key.operands[1])
    std::swap(key.operands[0], key.operands[1]);
  return key;
}

// The instructions available at the current point of the dominator-tree walk: an open-addressing
// table with linear probing. Entries leave in the reverse order they came (a block's, when the
// walk leaves its subtree), and undoing the latest insertion of a linear-probing table is just
// emptying its slot, so no tombstones are needed.
class AvailableSet {
 public:
  explicit AvailableSet(size_t max_entries)
      : slots_(std::bit_ceil(2 * max_entries + 2)), mask_(slots_.size() - 1) {}

  // The value already available for `key`, or an invalid id after inserting `value` at the
  // slot returned through `inserted`.
  ValueId find_or_insert(const Key& key, ValueId value, uint32_t& inserted) {
    for (size_t i = key.hash() & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.value.valid()) {
        slot = {key, value};
        inserted = static_cast<uint32_t>(i);
        return ValueId();
      }
      if (slot.key == key) return slot.value;
    }
  }
  void erase(uint32_t slot) { slots_[slot].value = ValueId(); }

 private:
  struct Slot {
    Key key;
    ValueId value;
  };
  std::vector<Slot> slots_;
  size_t mask_;
};

}  // namespace

bool run_gvn(Graph& graph) {
  DominatorTree dom(graph);
  size_t candidates = 0;
  for (BlockId b : dom.reverse_postorder())
    for (InstId id : graph.block(b).insts) candidates += numberable(graph.inst(id));
  AvailableSet available(candidates);
  bool changed = false;

  // The walk's stack of blocks, and of the slots each one's instructions took.
  struct Frame {
    BlockId block;
    uint32_t next_child = 0;
    size_t inserted_begin;
  };
  std::vector<Frame> stack;
  std::vector<uint32_t> inserted;
  auto enter = [&](BlockId b) {
    stack.push_back({b, 0, inserted.size()});
    for (InstId id : graph.block(b).insts) {
      const Inst& inst = graph.inst(id);
      if (!numberable(inst)) continue;
      uint32_t slot = 0;
      ValueId existing = available.find_or_insert(key_of(graph, inst), graph.result(id), slot);
      if (!existing.valid()) {
        inserted.push_back(slot);
      } else {
        graph.make_alias(graph.result(id), existing);
        graph.kill(id);
        changed = true;
      }
    }
  };
  enter(graph.entry());
  while (!stack.empty()) {
    Frame& top = stack.back();
    std::span<const BlockId> children = dom.children(top.block);
    if (top.next_child < children.size()) {
      enter(children[top.next_child++]);
      continue;
    }
    while (inserted.size() > top.inserted_begin) {
      available.erase(inserted.back());
      inserted.pop_back();
    }
    stack.pop_back();
  }
  graph.remove_dead_insts();
  graph.resolve_aliases();
  return changed;
}

}  // namespace keel::jit::opt

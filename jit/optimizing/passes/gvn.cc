#include "jit/optimizing/passes/gvn.h"

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "jit/optimizing/dominators.h"
#include "jit/optimizing/wasm_semantics.h"

namespace keel::jit::opt {

namespace {

struct Key {
  InstKind kind;
  Op op;
  ValType type;
  uint32_t index, index2;
  uint64_t imm0, imm1;
  std::vector<uint32_t> operands;

  auto tie() const { return std::tie(kind, op, type, index, index2, imm0, imm1, operands); }
  bool operator<(const Key& other) const { return tie() < other.tie(); }
};

Key key_of(const Graph& graph, const Inst& inst) {
  Key key{inst.kind, inst.op, inst.type, inst.index, inst.index2, inst.imm[0], inst.imm[1], {}};
  for (ValueId v : inst.operands) key.operands.push_back(graph.resolve(v).index);
  if (inst.kind == InstKind::kWasm && key.operands.size() == 2 && is_commutative(inst.op) &&
      key.operands[0] > key.operands[1])
    std::swap(key.operands[0], key.operands[1]);
  return key;
}

bool numberable(const Inst& inst) {
  return !inst.dead && inst.num_results == 1 && inst.effects.is_pure() && !is_terminator(inst.kind);
}

}  // namespace

bool run_gvn(Graph& graph) {
  DominatorTree dom(graph);
  std::map<Key, ValueId> available;
  bool changed = false;

  struct Frame {
    BlockId block;
    size_t next_child = 0;
    std::vector<std::map<Key, ValueId>::iterator> inserted;
  };
  std::vector<Frame> stack;
  auto enter = [&](BlockId b) {
    Frame frame{b, 0, {}};
    for (InstId id : graph.block(b).insts) {
      const Inst& inst = graph.inst(id);
      if (!numberable(inst)) continue;
      auto [it, fresh] = available.emplace(key_of(graph, inst), graph.result(id));
      if (fresh) {
        frame.inserted.push_back(it);
      } else {
        graph.make_alias(graph.result(id), it->second);
        graph.kill(id);
        changed = true;
      }
    }
    stack.push_back(std::move(frame));
  };
  enter(graph.entry());
  while (!stack.empty()) {
    Frame& top = stack.back();
    const std::vector<BlockId>& children = dom.children(top.block);
    if (top.next_child < children.size()) {
      enter(children[top.next_child++]);
      continue;
    }
    for (auto it : top.inserted) available.erase(it);
    stack.pop_back();
  }
  graph.remove_dead_insts();
  graph.resolve_aliases();
  return changed;
}

}  // namespace keel::jit::opt

#include "jit/optimizing/ir.h"

#include <algorithm>
#include <utility>

namespace keel::jit::opt {

uint32_t wasm_op_traps(Op op) {
  constexpr uint32_t kDivZero = Effects::trap_bit(TrapCode::kIntegerDivideByZero);
  constexpr uint32_t kOverflow = Effects::trap_bit(TrapCode::kIntegerOverflow);
  constexpr uint32_t kInvalid = Effects::trap_bit(TrapCode::kInvalidConversion);
  switch (op) {
    case Op::kI32DivS:
    case Op::kI64DivS:
      return kDivZero | kOverflow;
    case Op::kI32DivU:
    case Op::kI64DivU:
    case Op::kI32RemS:
    case Op::kI64RemS:
    case Op::kI32RemU:
    case Op::kI64RemU:
      return kDivZero;
    case Op::kI32TruncF32S:
    case Op::kI32TruncF32U:
    case Op::kI32TruncF64S:
    case Op::kI32TruncF64U:
    case Op::kI64TruncF32S:
    case Op::kI64TruncF32U:
    case Op::kI64TruncF64S:
    case Op::kI64TruncF64U:
      return kInvalid | kOverflow;
    default:
      return 0;
  }
}

Effects default_effects(const Inst& inst) {
  // A callee may raise any trap a wasm function can.
  constexpr uint32_t kAnyTrap =
      ((Effects::trap_bit(TrapCode::kExit) << 1) - 1) & ~Effects::trap_bit(TrapCode::kNone);
  constexpr uint32_t kMemoryOob = Effects::trap_bit(TrapCode::kMemoryOutOfBounds);
  constexpr uint32_t kTableOob = Effects::trap_bit(TrapCode::kTableOutOfBounds);
  Effects e;
  switch (inst.kind) {
    case InstKind::kConst:
    case InstKind::kSelect:
    case InstKind::kMulHigh:
    case InstKind::kRefNull:
    case InstKind::kRefFunc:
    case InstKind::kRefIsNull:
      break;
    case InstKind::kWasm:
      e.traps = wasm_op_traps(inst.op);
      break;
    case InstKind::kLoad:
    case InstKind::kStore:
      e.bits = inst.kind == InstKind::kLoad ? Effects::kReadsMemory : Effects::kWritesMemory;
      e.traps = kMemoryOob;
      // Atomics order other accesses (and read-modify-writes and waits write too); all of them
      // also trap when misaligned, which keel reports as out of bounds.
      if (op_text(inst.op).find(".atomic.") != std::string_view::npos)
        e.bits = Effects::kReadsMemory | Effects::kWritesMemory;
      break;
    case InstKind::kGlobalGet:
    case InstKind::kOsrValue:  // the buffer is written before the entry runs, read only by it
      e.bits = Effects::kReadsGlobal;
      break;
    case InstKind::kGlobalSet:
      e.bits = Effects::kWritesGlobal;
      break;
    case InstKind::kTableGet:
      e.bits = Effects::kReadsTable;
      e.traps = kTableOob;
      break;
    case InstKind::kTableSet:
      e.bits = Effects::kWritesTable;
      e.traps = kTableOob;
      break;
    case InstKind::kTableSize:
      e.bits = Effects::kReadsTable;
      break;
    case InstKind::kMemorySize:
      e.bits = Effects::kReadsMemory;
      break;
    case InstKind::kRuntimeCall:
      // Bulk operations and growth read and write their memory or table and trap on bounds.
      e.bits = Effects::kReadsMemory | Effects::kWritesMemory | Effects::kReadsTable |
               Effects::kWritesTable;
      if (inst.op != Op::kMemoryGrow && inst.op != Op::kTableGrow && inst.op != Op::kDataDrop &&
          inst.op != Op::kElemDrop)
        e.traps = kMemoryOob | kTableOob;
      break;
    case InstKind::kCall:
    case InstKind::kCallIndirect:
      e.bits = Effects::kCall;
      e.traps = kAnyTrap;
      break;
    case InstKind::kTrapIf:
      e.traps = Effects::trap_bit(inst.trap_code);
      break;
    case InstKind::kJump:
    case InstKind::kBranch:
    case InstKind::kSwitch:
    case InstKind::kReturn:
      e.bits = Effects::kControl;
      break;
    case InstKind::kTrap:
      e.bits = Effects::kControl;
      e.traps = Effects::trap_bit(inst.trap_code);
      break;
  }
  return e;
}

Graph::Graph(FuncType signature) : signature_(std::move(signature)) {
  BlockId entry = create_block();
  for (ValType t : signature_.params) add_block_param(entry, t);
}

BlockId Graph::create_block() {
  BlockId id(static_cast<uint32_t>(blocks_.size()));
  blocks_.emplace_back();
  layout_.push_back(id);
  return id;
}

BlockId Graph::create_block_before(BlockId next) {
  BlockId id = create_block();
  layout_.pop_back();
  layout_.insert(std::find(layout_.begin(), layout_.end(), next), id);
  return id;
}

ValueId Graph::add_block_param(BlockId block, ValType type) {
  ValueId id(static_cast<uint32_t>(values_.size()));
  Block& b = blocks_[block.index];
  values_.push_back(Value{type, true, block, InstId(), static_cast<uint32_t>(b.params.size()), {}});
  b.params.push_back(id);
  return id;
}

void Graph::remove_block_param(BlockId block, uint32_t position) {
  Block& b = blocks_[block.index];
  b.params.erase(b.params.begin() + position);
  for (uint32_t i = position; i < b.params.size(); ++i) values_[b.params[i].index].index = i;
  for (const Edge& e : b.preds) {
    ValueList& args = insts_[e.inst.index].targets[e.slot].args;
    if (position < args.size()) args.erase(args.begin() + position);
  }
}

uint32_t Graph::add_signature(FuncType type) {
  for (uint32_t i = 0; i < signatures_.size(); ++i)
    if (signatures_[i] == type) return i;
  signatures_.push_back(std::move(type));
  return static_cast<uint32_t>(signatures_.size() - 1);
}

InstId Graph::append(BlockId block, Inst inst) {
  return insert(block, blocks_[block.index].insts.size(), std::move(inst));
}

InstId Graph::insert(BlockId block, size_t position, Inst inst) {
  InstId id(static_cast<uint32_t>(insts_.size()));
  inst.block = block;
  inst.first_result = ValueId(static_cast<uint32_t>(values_.size()));
  auto add_result = [&](ValType t) {
    values_.push_back(Value{t, false, {}, id, inst.num_results++, {}});
  };
  inst.num_results = 0;
  if (inst.kind == InstKind::kCall || inst.kind == InstKind::kCallIndirect) {
    for (ValType t : signatures_[inst.call_signature].results) add_result(t);
  } else if (inst.type != ValType::kBottom) {
    add_result(inst.type);
  }
  insts_.push_back(std::move(inst));
  std::vector<InstId>& list = blocks_[block.index].insts;
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(position), id);
  register_edges(id);
  return id;
}

void Graph::register_edges(InstId id) {
  const Inst& inst = insts_[id.index];
  for (uint32_t slot = 0; slot < inst.targets.size(); ++slot)
    blocks_[inst.targets[slot].block.index].preds.push_back(Edge{id, slot});
}

InstId Graph::terminator(BlockId block) const {
  const Block& b = blocks_[block.index];
  if (b.insts.empty()) return InstId();
  InstId last = b.insts.back();
  return is_terminator(insts_[last.index].kind) ? last : InstId();
}

std::vector<BlockId> Graph::successors(BlockId block) const {
  std::vector<BlockId> out;
  InstId term = terminator(block);
  if (!term.valid()) return out;
  for (const BlockCall& call : insts_[term.index].targets)
    if (std::find(out.begin(), out.end(), call.block) == out.end()) out.push_back(call.block);
  return out;
}

std::vector<BlockId> Graph::predecessor_blocks(BlockId block) const {
  std::vector<BlockId> out;
  for (const Edge& e : blocks_[block.index].preds) {
    BlockId from = insts_[e.inst.index].block;
    if (std::find(out.begin(), out.end(), from) == out.end()) out.push_back(from);
  }
  return out;
}

void Graph::make_alias(ValueId from, ValueId to) {
  to = resolve(to);
  if (from != to) values_[from.index].alias = to;
}

ValueId Graph::resolve(ValueId id) const {
  while (id.valid() && values_[id.index].alias.valid()) id = values_[id.index].alias;
  return id;
}

void Graph::resolve_aliases() {
  for (BlockId b : layout_)
    for (InstId i : blocks_[b.index].insts)
      for_each_use(insts_[i.index], [&](ValueId& v) { v = resolve(v); });
}

void Graph::kill(InstId id) {
  insts_[id.index].dead = true;
}

void Graph::remove_dead_insts() {
  bool edges_changed = false;
  for (BlockId b : layout_) {
    std::erase_if(blocks_[b.index].insts, [&](InstId i) {
      if (!insts_[i.index].dead) return false;
      edges_changed |= !insts_[i.index].targets.empty();
      return true;
    });
  }
  if (edges_changed) rebuild_predecessors();
}

bool Graph::remove_unreachable_blocks() {
  std::vector<bool> reached(blocks_.size(), false);
  std::vector<BlockId> work{entry()};
  reached[entry().index] = true;
  while (!work.empty()) {
    BlockId b = work.back();
    work.pop_back();
    for (BlockId s : successors(b))
      if (!reached[s.index]) reached[s.index] = true, work.push_back(s);
  }
  bool changed = false;
  for (BlockId b : layout_) {
    if (reached[b.index]) continue;
    changed = true;
    blocks_[b.index].removed = true;
    for (InstId i : blocks_[b.index].insts) insts_[i.index].dead = true;
  }
  if (!changed) return false;
  std::erase_if(layout_, [&](BlockId b) { return !reached[b.index]; });
  rebuild_predecessors();
  return true;
}

bool Graph::merge_with_successor(BlockId block) {
  InstId jump = terminator(block);
  if (!jump.valid() || insts_[jump.index].kind != InstKind::kJump) return false;
  BlockId next = insts_[jump.index].targets[0].block;
  if (next == block || next == entry() || blocks_[next.index].preds.size() != 1) return false;
  Block& from = blocks_[next.index];
  const ValueList& args = insts_[jump.index].targets[0].args;
  for (size_t i = 0; i < from.params.size(); ++i) make_alias(from.params[i], args[i]);
  from.params.clear();
  insts_[jump.index].dead = true;
  Block& into = blocks_[block.index];
  into.insts.pop_back();
  for (InstId i : from.insts) {
    insts_[i.index].block = block;
    into.insts.push_back(i);
  }
  from.insts.clear();
  from.preds.clear();
  from.removed = true;
  std::erase(layout_, next);
  return true;
}

void Graph::rebuild_predecessors() {
  for (Block& b : blocks_) b.preds.clear();
  for (BlockId b : layout_)
    for (InstId i : blocks_[b.index].insts)
      if (!insts_[i.index].dead) register_edges(i);
}

std::vector<uint32_t> Graph::use_counts() const {
  std::vector<uint32_t> counts(values_.size(), 0);
  for (BlockId b : layout_)
    for (InstId i : blocks_[b.index].insts) {
      if (insts_[i.index].dead) continue;
      for_each_use(insts_[i.index], [&](const ValueId& v) { ++counts[resolve(v).index]; });
    }
  return counts;
}

std::vector<std::vector<InstId>> Graph::users() const {
  std::vector<std::vector<InstId>> out(values_.size());
  for (BlockId b : layout_)
    for (InstId i : blocks_[b.index].insts) {
      if (insts_[i.index].dead) continue;
      for_each_use(insts_[i.index], [&](const ValueId& v) { out[resolve(v).index].push_back(i); });
    }
  return out;
}

}  // namespace keel::jit::opt

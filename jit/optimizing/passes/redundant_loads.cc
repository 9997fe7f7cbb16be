#include "jit/optimizing/passes/redundant_loads.h"

#include <algorithm>
#include <vector>

namespace keel::jit::opt {

namespace {

// What a load of the same place reads back: the load's own op, or for a store, the load that
// reads exactly the bytes and type it wrote.
struct Known {
  Op op;            // a load
  uint32_t memory;  // index
  uint64_t offset;
  ValueId address;
  ValueId value;
};

uint32_t type_bytes(ValType type) {
  switch (type) {
    case ValType::kI32:
    case ValType::kF32:
      return 4;
    case ValType::kI64:
    case ValType::kF64:
      return 8;
    case ValType::kV128:
      return 16;
    default:
      return 0;
  }
}

// Plain loads and stores: one address (and a value for stores), no lanes, not atomic.
bool plain_access(const Inst& inst) {
  size_t operands = inst.kind == InstKind::kLoad ? 1 : 2;
  return (inst.kind == InstKind::kLoad || inst.kind == InstKind::kStore) &&
         inst.operands.size() == operands && op_info(inst.op).feature != Feature::kThreads;
}

// A store writes all the bytes of its value, unnarrowed: a full-width load of that type reads
// the value back bit for bit.
bool full_width_store(const Inst& store) {
  ValType value = op_info(store.op).sig.params[1];
  return access_bytes(store.op) == type_bytes(value);
}

// What a table slot holds since a table.set wrote it.
struct KnownSlot {
  uint32_t table;
  ValueId index;
  ValueId ref;
};

// call_indirect through a slot known to hold ref.func f of the expected type calls f: the slot
// is in bounds (the table.set would have trapped) and the type check passes.
bool call_known_function(Graph& graph, Inst& call, const std::vector<KnownSlot>& slots) {
  ValueId index = graph.resolve(call.operands.back());
  for (const KnownSlot& slot : slots) {
    if (slot.table != call.index2 || slot.index != index) continue;
    const Value& ref = graph.value(slot.ref);
    if (ref.is_param) return false;
    const Inst& made = graph.inst(ref.inst);
    if (made.kind != InstKind::kRefFunc || made.call_signature == kUnknownSignature ||
        !(graph.call_signature(made.call_signature) == graph.call_signature(call.call_signature)))
      return false;
    call.kind = InstKind::kCall;
    call.index = made.index;
    call.index2 = 0;
    call.operands.pop_back();
    call.effects = default_effects(call);
    return true;
  }
  return false;
}

}  // namespace

bool run_redundant_load_elimination(Graph& graph) {
  bool changed = false;
  std::vector<Known> known;
  std::vector<KnownSlot> slots;
  for (BlockId b : graph.layout()) {
    known.clear();
    slots.clear();
    for (InstId id : graph.block(b).insts) {
      Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      if (inst.kind == InstKind::kTableGet) {
        ValueId index = graph.resolve(inst.operands[0]);
        auto slot = std::find_if(slots.begin(), slots.end(), [&](const KnownSlot& s) {
          return s.table == inst.index && s.index == index;
        });
        if (slot != slots.end()) {
          graph.make_alias(graph.result(id), slot->ref);
          graph.kill(id);
          changed = true;
        }
        continue;
      }
      if (inst.kind == InstKind::kCallIndirect) changed |= call_known_function(graph, inst, slots);
      if (inst.effects.has(Effects::kWritesTable) || inst.effects.has(Effects::kCall)) {
        slots.clear();
        if (inst.kind == InstKind::kTableSet)
          slots.push_back(
              {inst.index, graph.resolve(inst.operands[0]), graph.resolve(inst.operands[1])});
      }
      if (inst.kind == InstKind::kLoad && plain_access(inst)) {
        ValueId address = graph.resolve(inst.operands[0]);
        ValType type = graph.type_of(graph.result(id));
        const Known* same = nullptr;
        for (const Known& k : known) {
          if (k.memory != inst.index || k.offset != inst.imm[0] || k.address != address) continue;
          bool same_load = k.op == inst.op;
          bool stored = k.op == Op::kInvalid && graph.type_of(k.value) == type &&
                        access_bytes(inst.op) == type_bytes(type);
          if (same_load || stored) same = &k;
        }
        if (same) {
          graph.make_alias(graph.result(id), same->value);
          graph.kill(id);
          changed = true;
        } else {
          known.push_back({inst.op, inst.index, inst.imm[0], address, graph.result(id)});
        }
        continue;
      }
      if (inst.effects.has(Effects::kWritesMemory) || inst.effects.has(Effects::kCall)) {
        known.clear();
        if (plain_access(inst) && inst.kind == InstKind::kStore && full_width_store(inst))
          known.push_back({Op::kInvalid, inst.index, inst.imm[0], graph.resolve(inst.operands[0]),
                           graph.resolve(inst.operands[1])});
      }
    }
  }
  if (changed) {
    graph.remove_dead_insts();
    graph.resolve_aliases();
  }
  return changed;
}

}  // namespace keel::jit::opt

// A reference interpreter for the integer subset of tier-2 IR (constants, kWasm integer
// instructions, mul_high, select, trap_if and the terminators), so tests can check that a pass
// keeps what a function computes, not only that the graph stays well formed. With an Environment it
// also runs calls (through a callback) and the i32 loads and stores on a memory of its own.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include "jit/optimizing/ir.h"
#include "jit/optimizing/wasm_semantics.h"

namespace keel::jit::opt::test {

struct Outcome {
  bool finished = false;  // false: ran out of steps
  bool trapped = false;
  std::vector<uint64_t> results;
  bool operator==(const Outcome&) const = default;
};

struct Environment {
  // kCall: the callee's results, or nullopt when it trapped.
  std::function<std::optional<std::vector<uint64_t>>(uint32_t function,
                                                     const std::vector<uint64_t>& args)>
      call;
  std::vector<uint8_t>* memory = nullptr;  // memory 0, for kLoad and kStore
};

// The i32 loads and stores: the access size and, for loads, the sign extension.
inline bool memory_access(Op op, uint32_t& size, bool& sign) {
  sign = op == Op::kI32Load8S || op == Op::kI32Load16S;
  switch (op) {
    case Op::kI32Load:
    case Op::kI32Store:
      size = 4;
      return true;
    case Op::kI32Load8S:
    case Op::kI32Load8U:
    case Op::kI32Store8:
      size = 1;
      return true;
    case Op::kI32Load16S:
    case Op::kI32Load16U:
    case Op::kI32Store16:
      size = 2;
      return true;
    default:
      return false;
  }
}

// The high half of the double-width product of two i32 or i64 values (their bits, i32 in the
// low half).
inline uint64_t mul_high(bool wide, bool is_signed, uint64_t a, uint64_t b) {
  if (!wide) {
    uint64_t product = is_signed ? static_cast<uint64_t>(int64_t{static_cast<int32_t>(a)} *
                                                         int64_t{static_cast<int32_t>(b)})
                                 : (a & 0xffffffff) * (b & 0xffffffff);
    return product >> 32;
  }
  if (is_signed)
    return static_cast<uint64_t>(static_cast<unsigned __int128>(__int128{static_cast<int64_t>(a)} *
                                                                static_cast<int64_t>(b)) >>
                                 64);
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
}

inline Outcome interpret(const Graph& graph, const std::vector<uint64_t>& args,
                         uint64_t max_steps = 100000, Environment* env = nullptr) {
  std::vector<uint64_t> values(graph.num_values(), 0);
  auto get = [&](ValueId v) { return values[graph.resolve(v).index]; };
  const std::vector<ValueId>& params = graph.block(graph.entry()).params;
  for (size_t i = 0; i < params.size(); ++i) values[params[i].index] = args[i];
  Outcome outcome;
  BlockId block = graph.entry();
  uint64_t steps = 0;
  auto take = [&](const BlockCall& call) {
    std::vector<uint64_t> incoming;
    for (ValueId v : call.args) incoming.push_back(get(v));
    const std::vector<ValueId>& to = graph.block(call.block).params;
    for (size_t i = 0; i < to.size(); ++i) values[to[i].index] = incoming[i];
    block = call.block;
  };
  while (steps < max_steps) {
    bool moved = false;
    for (InstId id : graph.block(block).insts) {
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      if (++steps >= max_steps) return outcome;
      switch (inst.kind) {
        case InstKind::kConst:
          values[graph.result(id).index] = inst.imm[0];
          break;
        case InstKind::kWasm: {
          std::vector<uint64_t> operands;
          for (ValueId v : inst.operands) operands.push_back(get(v));
          std::optional<uint64_t> r = fold_wasm_op(inst.op, operands);
          if (!r) {
            outcome.finished = outcome.trapped = true;
            return outcome;
          }
          values[graph.result(id).index] = *r;
          break;
        }
        case InstKind::kMulHigh:
          values[graph.result(id).index] = mul_high(inst.type == ValType::kI64, inst.index != 0,
                                                    get(inst.operands[0]), get(inst.operands[1]));
          break;
        case InstKind::kSelect:
          values[graph.result(id).index] =
              get(inst.operands[0]) ? get(inst.operands[1]) : get(inst.operands[2]);
          break;
        case InstKind::kCall: {
          if (!env || !env->call) return outcome;
          std::vector<uint64_t> operands;
          for (ValueId v : inst.operands) operands.push_back(get(v));
          std::optional<std::vector<uint64_t>> r = env->call(inst.index, operands);
          if (!r) {
            outcome.finished = outcome.trapped = true;
            return outcome;
          }
          for (uint32_t i = 0; i < inst.num_results; ++i)
            values[graph.result(id, i).index] = (*r)[i];
          break;
        }
        case InstKind::kLoad:
        case InstKind::kStore: {
          uint32_t size = 0;
          bool sign = false;
          if (!env || !env->memory || inst.index != 0 || !memory_access(inst.op, size, sign))
            return outcome;
          uint64_t at = (get(inst.operands[0]) & 0xffffffffu) + inst.imm[0];
          if (at + size > env->memory->size()) {
            outcome.finished = outcome.trapped = true;
            return outcome;
          }
          uint8_t* p = env->memory->data() + at;
          if (inst.kind == InstKind::kStore) {
            uint64_t v = get(inst.operands[1]);
            std::memcpy(p, &v, size);  // little-endian: the low bytes
            break;
          }
          uint32_t v = 0;
          std::memcpy(&v, p, size);
          if (sign && size < 4)
            v = static_cast<uint32_t>(size == 1 ? int32_t(int8_t(v)) : int32_t(int16_t(v)));
          values[graph.result(id).index] = v;
          break;
        }
        case InstKind::kTrapIf:
          if (get(inst.operands[0])) {
            outcome.finished = outcome.trapped = true;
            return outcome;
          }
          break;
        case InstKind::kJump:
          take(inst.targets[0]);
          moved = true;
          break;
        case InstKind::kBranch:
          take(inst.targets[get(inst.operands[0]) ? 0 : 1]);
          moved = true;
          break;
        case InstKind::kSwitch: {
          uint64_t i = get(inst.operands[0]);
          size_t n = inst.targets.size() - 1;
          take(inst.targets[i < n ? i : n]);
          moved = true;
          break;
        }
        case InstKind::kReturn:
          outcome.finished = true;
          for (ValueId v : inst.operands) outcome.results.push_back(get(v));
          return outcome;
        case InstKind::kTrap:
          outcome.finished = outcome.trapped = true;
          return outcome;
        default:
          return outcome;  // outside the subset: reported as not finished
      }
      if (moved) break;
    }
    if (!moved) return outcome;
  }
  return outcome;
}

}  // namespace keel::jit::opt::test

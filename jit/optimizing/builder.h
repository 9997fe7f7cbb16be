// Appends instructions to one block of a Graph: the API the wasm graph builder, the passes and the
// tests make IR with. Result types come from opcodes.def (kWasm, loads) or the arguments.
#pragma once

#include <array>
#include <initializer_list>
#include <span>
#include <vector>

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

class Builder {
 public:
  explicit Builder(Graph& graph, BlockId block = BlockId(0)) : graph_(graph), block_(block) {}

  Graph& graph() { return graph_; }
  BlockId block() const { return block_; }
  void set_block(BlockId block) { block_ = block; }

  ValueId i32_const(int32_t value);
  ValueId i64_const(int64_t value);
  ValueId f32_const_bits(uint32_t bits);
  ValueId f64_const_bits(uint64_t bits);
  ValueId v128_const(uint64_t low, uint64_t high);
  ValueId constant(ValType type, uint64_t bits);

  // A non-polymorphic wasm instruction; `lane` is its lane immediate if it has one.
  ValueId wasm(Op op, std::initializer_list<ValueId> args, uint32_t lane = 0);
  ValueId shuffle(ValueId a, ValueId b, const std::array<uint8_t, 16>& lanes);
  ValueId select(ValueId condition, ValueId if_true, ValueId if_false);
  ValueId mul_high(bool is_signed, ValueId a, ValueId b);
  ValueId ref_null(ValType type);
  // With the function's type, passes can turn a call_indirect through the reference into a call.
  ValueId ref_func(uint32_t function, const FuncType* type = nullptr);
  ValueId ref_is_null(ValueId ref);

  // `op` is the wasm load or store: it fixes the access width, extension and value type.
  ValueId load(Op op, uint32_t memory, uint64_t offset, ValueId address);
  void store(Op op, uint32_t memory, uint64_t offset, ValueId address, ValueId value);
  // v128.loadN_lane and v128.storeN_lane.
  ValueId load_lane(Op op, uint32_t memory, uint64_t offset, ValueId address, ValueId vector,
                    uint32_t lane);
  void store_lane(Op op, uint32_t memory, uint64_t offset, ValueId address, ValueId vector,
                  uint32_t lane);
  ValueId global_get(uint32_t global, ValType type);
  ValueId osr_value(uint32_t index, ValType type);
  void global_set(uint32_t global, ValueId value);
  ValueId table_get(uint32_t table, ValType type, ValueId index);
  void table_set(uint32_t table, ValueId index, ValueId ref);
  ValueId table_size(uint32_t table);
  ValueId memory_size(uint32_t memory);
  // memory.grow, memory.fill/copy/init, data.drop, table.grow/fill/copy/init, elem.drop.
  // `result` is kBottom for the ones without a result.
  InstId runtime_call(Op op, uint32_t index, uint32_t index2, std::span<const ValueId> args,
                      ValType result);

  std::vector<ValueId> call(uint32_t function, const FuncType& type, std::span<const ValueId> args);
  std::vector<ValueId> call_indirect(uint32_t type_index, uint32_t table, const FuncType& type,
                                     std::span<const ValueId> args, ValueId callee);
  void trap_if(ValueId condition, TrapCode code);

  void jump(BlockId target, ValueList args = {});
  void branch(ValueId condition, BlockId if_true, ValueList true_args, BlockId if_false,
              ValueList false_args = {});
  void switch_(ValueId index, std::vector<BlockCall> cases, BlockCall default_target);
  void ret(ValueList values = {});
  void trap(TrapCode code);

  InstId append(Inst inst);

 private:
  ValueId append_value(Inst inst);

  Graph& graph_;
  BlockId block_;
};

}  // namespace keel::jit::opt

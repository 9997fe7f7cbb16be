#include "jit/optimizing/builder.h"

#include <cstring>
#include <utility>

namespace keel::jit::opt {

namespace {
Inst make(InstKind kind, ValType type = ValType::kBottom) {
  Inst inst;
  inst.kind = kind;
  inst.type = type;
  return inst;
}
}  // namespace

InstId Builder::append(Inst inst) {
  inst.effects = default_effects(inst);
  return graph_.append(block_, std::move(inst));
}

ValueId Builder::append_value(Inst inst) {
  return graph_.result(append(std::move(inst)));
}

ValueId Builder::constant(ValType type, uint64_t bits) {
  Inst inst = make(InstKind::kConst, type);
  inst.imm[0] = bits;
  return append_value(std::move(inst));
}

ValueId Builder::i32_const(int32_t value) {
  return constant(ValType::kI32, static_cast<uint32_t>(value));
}
ValueId Builder::i64_const(int64_t value) {
  return constant(ValType::kI64, static_cast<uint64_t>(value));
}
ValueId Builder::f32_const_bits(uint32_t bits) {
  return constant(ValType::kF32, bits);
}
ValueId Builder::f64_const_bits(uint64_t bits) {
  return constant(ValType::kF64, bits);
}

ValueId Builder::v128_const(uint64_t low, uint64_t high) {
  Inst inst = make(InstKind::kConst, ValType::kV128);
  inst.imm[0] = low;
  inst.imm[1] = high;
  return append_value(std::move(inst));
}

ValueId Builder::wasm(Op op, std::initializer_list<ValueId> args, uint32_t lane) {
  Inst inst = make(InstKind::kWasm, op_info(op).sig.result);
  inst.op = op;
  inst.operands.assign(args.begin(), args.end());
  inst.imm[1] = lane;
  InstId id = append(std::move(inst));
  return graph_.inst(id).num_results ? graph_.result(id) : ValueId();
}

ValueId Builder::shuffle(ValueId a, ValueId b, const std::array<uint8_t, 16>& lanes) {
  Inst inst = make(InstKind::kWasm, ValType::kV128);
  inst.op = Op::kI8x16Shuffle;
  inst.operands = {a, b};
  std::memcpy(inst.imm, lanes.data(), sizeof(inst.imm));
  return append_value(std::move(inst));
}

ValueId Builder::select(ValueId condition, ValueId if_true, ValueId if_false) {
  Inst inst = make(InstKind::kSelect, graph_.type_of(if_true));
  inst.operands = {condition, if_true, if_false};
  return append_value(std::move(inst));
}

ValueId Builder::mul_high(bool is_signed, ValueId a, ValueId b) {
  Inst inst = make(InstKind::kMulHigh, graph_.type_of(a));
  inst.index = is_signed ? 1 : 0;
  inst.operands = {a, b};
  return append_value(std::move(inst));
}

ValueId Builder::ref_null(ValType type) {
  return append_value(make(InstKind::kRefNull, type));
}

ValueId Builder::ref_func(uint32_t function, const FuncType* type) {
  Inst inst = make(InstKind::kRefFunc, ValType::kFuncRef);
  inst.index = function;
  inst.call_signature = type ? graph_.add_signature(*type) : kUnknownSignature;
  return append_value(std::move(inst));
}

ValueId Builder::ref_is_null(ValueId ref) {
  Inst inst = make(InstKind::kRefIsNull, ValType::kI32);
  inst.operands = {ref};
  return append_value(std::move(inst));
}

ValueId Builder::load(Op op, uint32_t memory, uint64_t offset, ValueId address) {
  Inst inst = make(InstKind::kLoad, op_info(op).sig.result);
  inst.op = op;
  inst.index = memory;
  inst.imm[0] = offset;
  inst.operands = {address};
  return append_value(std::move(inst));
}

void Builder::store(Op op, uint32_t memory, uint64_t offset, ValueId address, ValueId value) {
  Inst inst = make(InstKind::kStore);
  inst.op = op;
  inst.index = memory;
  inst.imm[0] = offset;
  inst.operands = {address, value};
  append(std::move(inst));
}

ValueId Builder::load_lane(Op op, uint32_t memory, uint64_t offset, ValueId address, ValueId vector,
                           uint32_t lane) {
  Inst inst = make(InstKind::kLoad, op_info(op).sig.result);
  inst.op = op;
  inst.index = memory;
  inst.imm[0] = offset;
  inst.imm[1] = lane;
  inst.operands = {address, vector};
  return append_value(std::move(inst));
}

void Builder::store_lane(Op op, uint32_t memory, uint64_t offset, ValueId address, ValueId vector,
                         uint32_t lane) {
  Inst inst = make(InstKind::kStore);
  inst.op = op;
  inst.index = memory;
  inst.imm[0] = offset;
  inst.imm[1] = lane;
  inst.operands = {address, vector};
  append(std::move(inst));
}

ValueId Builder::global_get(uint32_t global, ValType type) {
  Inst inst = make(InstKind::kGlobalGet, type);
  inst.index = global;
  return append_value(std::move(inst));
}

ValueId Builder::osr_value(uint32_t index, ValType type) {
  Inst inst = make(InstKind::kOsrValue, type);
  inst.index = index;
  return append_value(std::move(inst));
}

void Builder::global_set(uint32_t global, ValueId value) {
  Inst inst = make(InstKind::kGlobalSet);
  inst.index = global;
  inst.operands = {value};
  append(std::move(inst));
}

ValueId Builder::table_get(uint32_t table, ValType type, ValueId index) {
  Inst inst = make(InstKind::kTableGet, type);
  inst.index = table;
  inst.operands = {index};
  return append_value(std::move(inst));
}

void Builder::table_set(uint32_t table, ValueId index, ValueId ref) {
  Inst inst = make(InstKind::kTableSet);
  inst.index = table;
  inst.operands = {index, ref};
  append(std::move(inst));
}

ValueId Builder::table_size(uint32_t table) {
  Inst inst = make(InstKind::kTableSize, ValType::kI32);
  inst.index = table;
  return append_value(std::move(inst));
}

ValueId Builder::memory_size(uint32_t memory) {
  Inst inst = make(InstKind::kMemorySize, ValType::kI32);
  inst.index = memory;
  return append_value(std::move(inst));
}

InstId Builder::runtime_call(Op op, uint32_t index, uint32_t index2, std::span<const ValueId> args,
                             ValType result) {
  Inst inst = make(InstKind::kRuntimeCall, result);
  inst.op = op;
  inst.index = index;
  inst.index2 = index2;
  inst.operands.assign(args.begin(), args.end());
  return append(std::move(inst));
}

std::vector<ValueId> Builder::call(uint32_t function, const FuncType& type,
                                   std::span<const ValueId> args) {
  Inst inst = make(InstKind::kCall);
  inst.index = function;
  inst.call_signature = graph_.add_signature(type);
  inst.operands.assign(args.begin(), args.end());
  InstId id = append(std::move(inst));
  std::vector<ValueId> results;
  for (uint32_t i = 0; i < graph_.inst(id).num_results; ++i)
    results.push_back(graph_.result(id, i));
  return results;
}

std::vector<ValueId> Builder::call_indirect(uint32_t type_index, uint32_t table,
                                            const FuncType& type, std::span<const ValueId> args,
                                            ValueId callee) {
  Inst inst = make(InstKind::kCallIndirect);
  inst.index = type_index;
  inst.index2 = table;
  inst.call_signature = graph_.add_signature(type);
  inst.operands.assign(args.begin(), args.end());
  inst.operands.push_back(callee);
  InstId id = append(std::move(inst));
  std::vector<ValueId> results;
  for (uint32_t i = 0; i < graph_.inst(id).num_results; ++i)
    results.push_back(graph_.result(id, i));
  return results;
}

void Builder::trap_if(ValueId condition, TrapCode code) {
  Inst inst = make(InstKind::kTrapIf);
  inst.trap_code = code;
  inst.operands = {condition};
  append(std::move(inst));
}

void Builder::jump(BlockId target, ValueList args) {
  Inst inst = make(InstKind::kJump);
  inst.targets.push_back(BlockCall{target, std::move(args)});
  append(std::move(inst));
}

void Builder::branch(ValueId condition, BlockId if_true, ValueList true_args, BlockId if_false,
                     ValueList false_args) {
  Inst inst = make(InstKind::kBranch);
  inst.operands = {condition};
  inst.targets.push_back(BlockCall{if_true, std::move(true_args)});
  inst.targets.push_back(BlockCall{if_false, std::move(false_args)});
  append(std::move(inst));
}

void Builder::switch_(ValueId index, std::vector<BlockCall> cases, BlockCall default_target) {
  Inst inst = make(InstKind::kSwitch);
  inst.operands = {index};
  inst.targets = std::move(cases);
  inst.targets.push_back(std::move(default_target));
  append(std::move(inst));
}

void Builder::ret(ValueList values) {
  Inst inst = make(InstKind::kReturn);
  inst.operands = std::move(values);
  append(std::move(inst));
}

void Builder::trap(TrapCode code) {
  Inst inst = make(InstKind::kTrap);
  inst.trap_code = code;
  append(std::move(inst));
}

}  // namespace keel::jit::opt

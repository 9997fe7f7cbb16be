// Tier-2 calls: wasm calls through VMFuncRef code slots (vm_abi.h: direct ones through this
// module's slot array, imports and call_indirect with the context switch), and runtime helper
// calls (SysV). Every allocatable register is clobbered, so each register value live across the
// call is stored to its call-save slot before and reloaded after.
#include <array>
#include <optional>

#include "jit/common/call_sequences.h"
#include "jit/optimizing/codegen_internal.h"

namespace keel::jit::opt {

using vm::TrapCode;

void Codegen::save_at_definition(ValueId v) {
  const Location& loc = allocation_.locations[v.index];
  if (loc.kind != Location::kReg || allocation_.save_slot[v.index] == 0 ||
      is_rematerializable(graph_, v))
    return;
  ValType t = graph_.type_of(v);
  store_value(t, x86::ptr(x86::rbp, allocation_.save_slot[v.index]), reg_for(reg_kind(t), loc.reg));
}

void Codegen::restore_live_across(InstId id) {
  for (ValueId v : liveness_.live_across[id.index]) {
    const Location& loc = allocation_.locations[v.index];
    if (loc.kind != Location::kReg) continue;
    ValType t = graph_.type_of(v);
    if (is_rematerializable(graph_, v)) {
      materialize(t, graph_.inst(graph_.value(v).inst).imm[0], reg_for(reg_kind(t), loc.reg));
      continue;
    }
    load_value(t == ValType::kI32 ? ValType::kI64 : t, reg_for(reg_kind(t), loc.reg),
               x86::ptr(x86::rbp, allocation_.save_slot[v.index]));
  }
}

void Codegen::emit_call(InstId id, const Inst& inst) {
  const FuncType& type = graph_.call_signature(inst.call_signature);
  bool indirect = inst.kind == InstKind::kCallIndirect;
  if (!indirect && inst.index >= module_.functions.size())
    return unsupported("calls to unknown functions");
  bool switch_context = indirect || module_.functions[inst.index].imported;
  if (!switch_context) {
    if (std::optional<RegisterConvention> convention = register_convention(type))
      return emit_register_call(id, inst, *convention);
  }
  for (size_t i = 0; i < type.params.size(); ++i)
    store_to_area(inst.operands[i],
                  x86::ptr(x86::rsp, static_cast<int32_t>(vm::value_offset(type.params, i))));
  if (!switch_context) {
    emit_area_call_sequence(inst);
    for (uint32_t j = 0; j < inst.num_results; ++j)
      load_from_area(graph_.result(id, j),
                     x86::ptr(x86::rsp, static_cast<int32_t>(vm::value_offset(type.results, j))));
    return restore_live_across(id);
  }
  if (indirect) {
    a_.mov(x86::ecx, gp(inst.operands.back(), 1).r32());
    emit_indirect_callee(a_, *this, inst.index2, inst.index);
  } else {
    a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextFuncs));
    a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(8 * inst.index)));
  }
  a_.mov(x86::r13, x86::r14);
  a_.mov(x86::r14, x86::qword_ptr(x86::rax, vm::kFuncRefCtx));
  a_.mov(x86::r15, x86::qword_ptr(x86::r14, vm::kContextMemoryBase));
  a_.mov(x86::rcx, x86::qword_ptr(x86::rax, vm::kFuncRefCode));
  record_here();
  a_.call(x86::qword_ptr(x86::rcx));
  a_.mov(x86::r14, x86::qword_ptr(x86::rbp, -8));
  a_.mov(x86::r15, x86::qword_ptr(x86::r14, vm::kContextMemoryBase));
  for (uint32_t j = 0; j < inst.num_results; ++j)
    load_from_area(graph_.result(id, j),
                   x86::ptr(x86::rsp, static_cast<int32_t>(vm::value_offset(type.results, j))));
  restore_live_across(id);
}

void Codegen::emit_area_call_sequence(const Inst& inst) {
  // rax must hold the VMFuncRef at every call (the lazy-compile stub finds its function there).
  a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextFuncs));
  a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(8 * inst.index)));
  int32_t slot = static_cast<int32_t>(8 * (inst.index - module_.num_imported_functions));
  a_.mov(x86::rcx, x86::qword_ptr(x86::r14, vm::kContextCodeSlots));
  record_here();
  a_.call(x86::qword_ptr(x86::rcx, slot));
}

void Codegen::emit_register_call(InstId id, const Inst& inst,
                                 const RegisterConvention& convention) {
  const FuncType& type = graph_.call_signature(inst.call_signature);
  AreaCallStub stub{a_.newLabel(), a_.newLabel(), id, module_offset_, convention.result};
  int32_t slot = static_cast<int32_t>(8 * (inst.index - module_.num_imported_functions));
  a_.mov(x86::rcx, x86::qword_ptr(x86::r14, vm::kContextRegisterSlots));
  a_.mov(x86::rcx, x86::qword_ptr(x86::rcx, slot));
  a_.test(x86::rcx, x86::rcx);
  a_.jz(stub.label);
  // The arguments into their registers, in parallel: an argument may sit in another's register.
  // None of the moves touches rcx.
  std::vector<Move> moves;
  for (size_t i = 0; i < type.params.size(); ++i) {
    ValType t = type.params[i];
    moves.push_back({location(inst.operands[i]), convention.params[i], reg_kind(t), t});
  }
  emit_moves(std::move(moves));
  record_here();
  a_.call(x86::rcx);
  a_.bind(stub.resume);
  if (convention.result) {
    ValueId result = graph_.result(id);
    const Location& to = allocation_.locations[result.index];
    ValType t = graph_.type_of(result);
    if (to.kind != Location::kNone) emit_move({*convention.result, to, reg_kind(t), t});
  }
  area_calls_.push_back(stub);
  restore_live_across(id);
}

void Codegen::emit_area_call_stub(const AreaCallStub& stub) {
  const Inst& inst = graph_.inst(stub.call);
  const FuncType& type = graph_.call_signature(inst.call_signature);
  a_.bind(stub.label);
  module_offset_ = stub.module_offset;
  for (size_t i = 0; i < type.params.size(); ++i)
    store_to_area(inst.operands[i],
                  x86::ptr(x86::rsp, static_cast<int32_t>(vm::value_offset(type.params, i))));
  emit_area_call_sequence(inst);
  if (stub.result) {
    ValType t = type.results[0];
    load_value(t, reg_for(reg_kind(t), stub.result->reg), x86::ptr(x86::rsp, 0));
  }
  a_.jmp(stub.resume);
}

namespace {

struct Helper {
  vm::Builtin fn;
  bool returns_trap;  // nonzero result: trap with that code
};

}  // namespace

void Codegen::emit_runtime_call(InstId id, const Inst& inst) {
  // The SysV arguments after the context: the helper's index arguments, then the operands
  // (vm_abi.h's signatures; the orders are tier 1's).
  std::vector<uint32_t> fixed;
  Helper helper{};
  auto on_memory_0 = [&](uint32_t memory) {
    if (memory != 0 || module_.memories.empty()) {
      unsupported("multiple memories");
      return false;
    }
    return true;
  };
  switch (inst.op) {
    case Op::kMemoryGrow:
      if (!on_memory_0(inst.index)) return;
      helper = {vm::Builtin::kMemoryGrow, false};
      fixed = {inst.index};
      break;
    case Op::kMemoryFill:
      if (!on_memory_0(inst.index)) return;
      helper = {vm::Builtin::kMemoryFill, true};
      fixed = {inst.index};
      break;
    case Op::kMemoryCopy:
      if (!on_memory_0(inst.index) || !on_memory_0(inst.index2)) return;
      helper = {vm::Builtin::kMemoryCopy, true};
      fixed = {inst.index, inst.index2};
      break;
    case Op::kDataDrop:
      helper = {vm::Builtin::kDataDrop, false};
      fixed = {inst.index};
      break;
    case Op::kTableGrow:
      helper = {vm::Builtin::kTableGrow, false};
      fixed = {inst.index};
      break;
    case Op::kTableFill:
      helper = {vm::Builtin::kTableFill, true};
      fixed = {inst.index};
      break;
    case Op::kTableCopy:
      helper = {vm::Builtin::kTableCopy, true};
      fixed = {inst.index, inst.index2};
      break;
    case Op::kElemDrop:
      helper = {vm::Builtin::kElemDrop, false};
      fixed = {inst.index};
      break;
    case Op::kMemoryInit:  // index: data, index2: memory (binary order)
      if (!on_memory_0(inst.index2)) return;
      helper = {vm::Builtin::kMemoryInit, true};
      fixed = {inst.index2, inst.index};
      break;
    case Op::kTableInit:  // index: elem, index2: table (binary order)
      helper = {vm::Builtin::kTableInit, true};
      fixed = {inst.index2, inst.index};
      break;
    default:
      return unsupported(std::string(op_text(inst.op)));
  }
  static const std::array<uint8_t, 6> kArgRegs = {7 /*rdi*/, 6 /*rsi*/, 2 /*rdx*/, 1 /*rcx*/, 8, 9};
  if (1 + fixed.size() + inst.operands.size() > kArgRegs.size())
    return unsupported("this runtime call");
  // The operands may sit in argument registers: they move in parallel, then the constants.
  std::vector<Move> moves;
  size_t arg = 1 + fixed.size();
  for (ValueId v : inst.operands)
    moves.push_back(
        {location(v), Location{Location::kReg, kArgRegs[arg++], 0}, RegKind::kGp, type_of(v)});
  emit_moves(std::move(moves));
  arg = 1;
  for (uint32_t value : fixed) a_.mov(x86::gpd(kArgRegs[arg++]), value);
  a_.mov(x86::rdi, x86::r14);
  record_here();
  a_.call(x86::qword_ptr(x86::r14, vm::builtin_offset(helper.fn)));
  if (helper.returns_trap) {
    a_.test(x86::eax, x86::eax);
    a_.jnz(get(TrapCode::kNone));
  }
  if (inst.num_results) {
    ValueId result = graph_.result(id);
    x86::Gp d = def_reg(result).as<x86::Gp>();
    a_.mov(d.r32(), x86::eax);
    def_done(result, d);
  }
  restore_live_across(id);
}

}  // namespace keel::jit::opt

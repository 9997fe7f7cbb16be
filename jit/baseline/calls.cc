// Calls between wasm functions through VMFuncRefs (vm_abi.h): arguments go to the outgoing area
// at [rsp], results come back in the same place. Every other value and every local goes to
// memory first, since a call clobbers every allocatable register.
#include "jit/baseline/baseline_emitter.h"
#include "jit/common/call_sequences.h"

namespace keel::jit {

namespace x86 = asmjit::x86;
using vm::TrapCode;

void BaselineCompiler::call(Op op, uint32_t func_index) {
  if (!reachable_) return;
  if (op == Op::kReturnCall) return unsupported("tail calls");
  // An import may belong to another instance (or the host): it gets the context switch.
  emit_call(module_->function_type(func_index), module_->functions[func_index].imported, false,
            func_index, 0);
}

void BaselineCompiler::call_indirect(Op op, uint32_t type_index, uint32_t table) {
  if (!reachable_) return;
  if (op == Op::kReturnCallIndirect) return unsupported("tail calls");
  emit_call(module_->types[type_index], true, true, type_index, table);
}

void BaselineCompiler::emit_call(const FuncType& type, bool switch_context, bool indirect,
                                 uint32_t index, uint32_t table) {
  uint32_t area = vm::call_area_bytes(type);
  if (area > max_out_area_) max_out_area_ = area;
  // Arguments go straight from where they are to the outgoing area; only the values below them
  // and the locals must survive the call in memory.
  size_t base = stack_.size() - type.params.size() - (indirect ? 1 : 0);
  for (size_t i = 0; i < base; ++i) spill(stack_[i]);
  for (size_t i = 0; i < type.params.size(); ++i) {
    int32_t offset = static_cast<int32_t>(vm::value_offset(type.params, i));
    store_value(stack_[base + i], x86::ptr(x86::rsp, offset));
  }
  if (indirect) {
    const VarState& element = stack_.back();
    if (element.loc == Loc::kConst)
      a_.mov(x86::ecx, static_cast<uint32_t>(element.imm));
    else if (element.loc == Loc::kStack)
      a_.mov(x86::ecx, x86::dword_ptr(x86::rbp, -element.offset));
    else
      a_.mov(x86::ecx, x86::gpd(element.reg));
  }
  // Argument references to locals have been read: the locals may go to their slots now.
  flush_locals();
  resize_stack(base);
  if (indirect) {
    emit_indirect_callee(a_, *this, table, index);
  } else {
    a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextFuncs));
    a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(8 * index)));
  }
  if (switch_context) {
    a_.mov(x86::r13, x86::r14);
    a_.mov(x86::r14, x86::qword_ptr(x86::rax, vm::kFuncRefCtx));
    a_.mov(x86::r15, x86::qword_ptr(x86::r14, vm::kContextMemoryBase));
  }
  // The callee's code slot: this module's own slot array for a function it defines (a load that
  // does not wait for rax), else the one the VMFuncRef names.
  if (!indirect && !switch_context) {
    int32_t slot = static_cast<int32_t>(8 * (index - module_->num_imported_functions));
    a_.mov(x86::rcx, x86::qword_ptr(x86::r14, vm::kContextCodeSlots));
    record_here();
    a_.call(x86::qword_ptr(x86::rcx, slot));
  } else {
    a_.mov(x86::rcx, x86::qword_ptr(x86::rax, vm::kFuncRefCode));
    record_here();
    a_.call(x86::qword_ptr(x86::rcx));
  }
  if (switch_context) {
    a_.mov(x86::r14, x86::qword_ptr(x86::rbp, -8));
    a_.mov(x86::r15, x86::qword_ptr(x86::r14, vm::kContextMemoryBase));
  }
  for (size_t j = 0; j < type.results.size(); ++j) {
    ValType t = type.results[j];
    int32_t offset = static_cast<int32_t>(vm::value_offset(type.results, j));
    uint8_t reg = alloc(reg_class(t));
    load_mem(t, reg, x86::ptr(x86::rsp, offset));
    used_.remove(reg_class(t), reg);
    push_reg(t, reg);
  }
}

}  // namespace keel::jit

// The parts of a wasm call both tiers emit alike (vm_abi.h's calling convention): finding and
// checking a call_indirect callee, and calling into another context.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>

#include "jit/common/numeric_lowering.h"
#include "runtime/vm_abi.h"

namespace keel::jit {

// In: ecx = the element index. Out: rax = the callee's VMFuncRef*, after the three checks of
// call_indirect (in the table, not null, of type `type_index`). Clobbers rdx.
inline void emit_indirect_callee(asmjit::x86::Assembler& a, TrapLabels& traps, uint32_t table,
                                 uint32_t type_index) {
  namespace x86 = asmjit::x86;
  a.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextTables));
  a.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(8 * table)));
  a.cmp(x86::ecx, x86::dword_ptr(x86::rax, vm::kTableSize));
  a.jae(traps.get(vm::TrapCode::kUndefinedElement));
  a.mov(x86::rax, x86::qword_ptr(x86::rax, vm::kTableElements));
  a.mov(x86::rax, x86::qword_ptr(x86::rax, x86::rcx, 3));
  a.test(x86::rax, x86::rax);
  a.jz(traps.get(vm::TrapCode::kUninitializedElement));
  a.mov(x86::rdx, x86::qword_ptr(x86::r14, vm::kContextTypeIds));
  a.mov(x86::edx, x86::dword_ptr(x86::rdx, static_cast<int32_t>(4 * type_index)));
  a.cmp(x86::edx, x86::dword_ptr(x86::rax, vm::kFuncRefTypeId));
  a.jne(traps.get(vm::TrapCode::kIndirectCallTypeMismatch));
}

}  // namespace keel::jit

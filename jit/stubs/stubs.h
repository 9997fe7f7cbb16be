// The fixed pieces of generated code, made once per process and installed in code memory.
#pragma once

#include <cstdint>

#include "runtime/vm_abi.h"

namespace keel::jit {

// Calls wasm function `callee` from the host: saves callee-saved registers, sets r14 to
// callee->ctx and r15 to its memory base, r13 to null, copies `area_bytes` (a multiple of 8) from
// `area` into a stack argument area, calls through callee->code, and copies the same number of
// bytes of results back into `area`. The C++ caller arms the trap landing (setjmp) around it.
using EntryTrampoline = void (*)(vm::VMFuncRef* callee, uint64_t* area, uint32_t area_bytes);

struct Stubs {
  EntryTrampoline entry = nullptr;
  // VMFuncRef::code of every host function: calls VMHostFunc::callback(r14, r13, rbp + 16) and
  // raises a returned trap code through keel_rt_trap.
  const void* host_thunk = nullptr;
  // VMFuncRef::code of a function not compiled yet: calls keel_rt_compile_lazy(rax) and jumps
  // to the code it returns (traps with kOutOfMemory if it returns null).
  const void* lazy_compile = nullptr;
};

// Generated on first use; aborts the process if code memory cannot be had at all.
const Stubs& stubs();

}  // namespace keel::jit

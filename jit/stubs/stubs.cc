#include "jit/stubs/stubs.h"

#include <asmjit/x86.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "platform/code_memory.h"

namespace keel::jit {

namespace x86 = asmjit::x86;
using asmjit::Label;

namespace {

// Traps with `code` (or eax when code is kNone) at the stub's own address, context `ctx_reg`.
void emit_trap(x86::Assembler& a, const x86::Gp& ctx_reg, vm::TrapCode code) {
  Label here = a.newLabel();
  a.bind(here);
  if (code == vm::TrapCode::kNone)
    a.mov(x86::esi, x86::eax);
  else
    a.mov(x86::esi, static_cast<uint32_t>(code));
  a.mov(x86::rdi, ctx_reg);
  a.lea(x86::rdx, x86::ptr(here));
  a.mov(x86::rcx, x86::rbp);
  a.mov(x86::rax, reinterpret_cast<uint64_t>(&keel_rt_trap));
  a.call(x86::rax);
}

// SysV in: rdi = callee, rsi = area, edx = area_bytes.
void emit_entry(x86::Assembler& a) {
  a.push(x86::rbp);
  a.mov(x86::rbp, x86::rsp);
  a.push(x86::rbx);
  a.push(x86::r12);
  a.push(x86::r13);
  a.push(x86::r14);
  a.push(x86::r15);
  a.sub(x86::rsp, 24);  // rsp = rbp - 64: 16-aligned
  // Wasm code preserves only rbp, r14, r15: the area and its size live in this frame.
  a.mov(x86::qword_ptr(x86::rbp, -48), x86::rsi);
  a.mov(x86::dword_ptr(x86::rbp, -56), x86::edx);
  a.mov(x86::rax, x86::rdi);
  a.mov(x86::ecx, x86::edx);
  a.add(x86::rcx, 15);
  a.and_(x86::rcx, -16);
  a.sub(x86::rsp, x86::rcx);
  a.mov(x86::ecx, x86::edx);
  a.shr(x86::ecx, 3);
  a.mov(x86::rdi, x86::rsp);
  a.cld();
  a.rep().movsq();
  a.xor_(x86::r13d, x86::r13d);
  a.mov(x86::r14, x86::qword_ptr(x86::rax, vm::kFuncRefCtx));
  a.mov(x86::r15, x86::qword_ptr(x86::r14, vm::kContextMemoryBase));
  a.mov(x86::rcx, x86::qword_ptr(x86::rax, vm::kFuncRefCode));
  a.call(x86::qword_ptr(x86::rcx));
  a.mov(x86::rsi, x86::rsp);
  a.mov(x86::rdi, x86::qword_ptr(x86::rbp, -48));
  a.mov(x86::ecx, x86::dword_ptr(x86::rbp, -56));
  a.shr(x86::ecx, 3);
  a.cld();
  a.rep().movsq();
  a.lea(x86::rsp, x86::ptr(x86::rbp, -40));
  a.pop(x86::r15);
  a.pop(x86::r14);
  a.pop(x86::r13);
  a.pop(x86::r12);
  a.pop(x86::rbx);
  a.pop(x86::rbp);
  a.ret();
}

// In: r14 = VMHostFunc*, r13 = the calling instance's context, the area at [rsp + 8].
void emit_host_thunk(x86::Assembler& a) {
  Label trap = a.newLabel();
  a.push(x86::rbp);
  a.mov(x86::rbp, x86::rsp);
  a.mov(x86::rdi, x86::r14);
  a.mov(x86::rsi, x86::r13);
  a.lea(x86::rdx, x86::ptr(x86::rbp, 16));
  a.call(x86::qword_ptr(x86::r14, vm::kHostFuncCallback));
  a.test(x86::eax, x86::eax);
  a.jnz(trap);
  a.pop(x86::rbp);
  a.ret();
  a.bind(trap);
  emit_trap(a, x86::r13, vm::TrapCode::kNone);
}

// In: rax = the VMFuncRef being called, its arguments at [rsp + 8].
void emit_lazy_compile(x86::Assembler& a) {
  Label oom = a.newLabel();
  a.push(x86::rbp);
  a.mov(x86::rbp, x86::rsp);
  a.push(x86::rax);
  a.sub(x86::rsp, 8);
  a.mov(x86::rdi, x86::rax);
  a.mov(x86::rax, reinterpret_cast<uint64_t>(&keel_rt_compile_lazy));
  a.call(x86::rax);
  a.test(x86::rax, x86::rax);
  a.jz(oom);
  a.mov(x86::rcx, x86::rax);
  a.mov(x86::rax, x86::qword_ptr(x86::rbp, -8));
  a.leave();
  a.jmp(x86::rcx);
  a.bind(oom);
  emit_trap(a, x86::r14, vm::TrapCode::kOutOfMemory);
}

template <class Emit>
const void* install(Emit emit) {
  asmjit::CodeHolder code;
  code.init(asmjit::Environment::host());
  x86::Assembler a(&code);
  emit(a);
  if (code.flatten() != asmjit::kErrorOk || code.resolveUnresolvedLinks() != asmjit::kErrorOk) {
    std::fprintf(stderr, "keel: cannot assemble the JIT stubs\n");
    std::abort();
  }
  asmjit::CodeBuffer& buffer = code.textSection()->buffer();
  auto installed = platform::CodeMemory::global().install({buffer.data(), buffer.size()});
  if (!installed.ok()) {
    std::fprintf(stderr, "keel: no code memory for the JIT stubs\n");
    std::abort();
  }
  return *installed;
}

runtime::RuntimeStubs make_stubs() {
  runtime::RuntimeStubs s;
  s.entry = reinterpret_cast<runtime::EntryTrampoline>(const_cast<void*>(install(emit_entry)));
  s.host_thunk = install(emit_host_thunk);
  s.lazy_compile = install(emit_lazy_compile);
  return s;
}

}  // namespace

const runtime::RuntimeStubs& stubs() {
  static const runtime::RuntimeStubs s = make_stubs();
  return s;
}

}  // namespace keel::jit

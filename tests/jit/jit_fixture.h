// A stand-in for the runtime, enough to run tier-1 code in unit tests: it loads a module,
// hand-builds the VM structures (context, function refs, an mmap'd memory, tables, globals),
// publishes every function through the lazy-compile stub and calls through the entry trampoline.
// Traps come back as values: the test runtime's keel_rt_trap longjmps to the call.
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <csetjmp>
#include <cstdint>
#include <memory>
#include <vector>

#include "jit/baseline/baseline_compiler.h"
#include "jit/stubs/stubs.h"
#include "platform/code_memory.h"
#include "runtime/vm_abi.h"
#include "support/wasm_builder.h"
#include "validate/validator.h"

namespace keel::test {

using jit::CompiledFunction;
using jit::CompileOptions;

struct CallResult {
  vm::TrapCode trap = vm::TrapCode::kNone;
  std::vector<uint64_t> results;
};

class JitInstance {
 public:
  // Compile errors fail the test; `host` implements every imported function.
  explicit JitInstance(const Bytes& bytes, vm::HostCallback host = nullptr,
                       CompileOptions options = default_options());
  ~JitInstance();

  static CompileOptions default_options() {
    CompileOptions o;
    o.cpu = platform::host_cpu_features();
    return o;
  }

  CallResult call(uint32_t func_index, std::vector<uint64_t> args);
  uint64_t call1(uint32_t func_index, std::vector<uint64_t> args) {
    CallResult r = call(func_index, std::move(args));
    EXPECT_EQ(r.trap, vm::TrapCode::kNone);
    return r.results.empty() ? 0 : r.results[0];
  }

  Module& module() { return *module_; }
  vm::VMContext& ctx() { return ctx_; }
  uint8_t* memory() { return memory_.base; }
  vm::VMGlobal& global(uint32_t i) { return globals_[i]; }
  vm::VMTable& table(uint32_t i) { return tables_[i]; }
  vm::VMFuncRef* ref(uint32_t i) { return refs_[i].get(); }
  void set_table(uint32_t t, uint32_t i, void* value) { tables_[t].elements[i] = value; }
  const CompiledFunction* compiled(uint32_t i) const { return compiled_[i].get(); }

  // Called by the test runtime's keel_rt_compile_lazy.
  const void* compile(vm::VMFuncRef* ref);

  uint32_t attention_calls = 0;
  uint32_t attention_result = 0;  // what keel_rt_attention returns
  uint32_t tier_up_calls = 0;     // of keel_rt_tier_up

 private:
  std::unique_ptr<Module> module_;
  std::unique_ptr<ValidationContext> vctx_;
  CompileOptions options_;
  vm::VMContext ctx_{};
  vm::VMMemory memory_{};
  void* reservation_ = nullptr;
  std::unique_ptr<vm::CodeSlot[]> slots_;  // one per function
  std::vector<std::unique_ptr<vm::VMFuncRef>> refs_;
  std::vector<vm::VMFuncRef*> funcs_;
  std::vector<vm::VMHostFunc> hosts_;
  std::vector<vm::VMTable> tables_;
  std::vector<vm::VMTable*> table_ptrs_;
  std::vector<std::vector<void*>> table_storage_;
  std::vector<vm::VMGlobal> globals_;
  std::vector<vm::VMGlobal*> global_ptrs_;
  std::vector<uint32_t> type_ids_;
  std::vector<std::unique_ptr<CompiledFunction>> compiled_;
};

// The instance whose code runs (the test runtime's helpers find it here).
JitInstance*& current_instance();

}  // namespace keel::test

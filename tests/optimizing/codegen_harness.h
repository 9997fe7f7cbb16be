// Runs tier-2 code in unit tests without instantiating a wasm module: a hand-built module and VM
// structures (context, function refs and code slots, tables, globals), every defined function
// compiled from a Graph by compile_graph and installed in code memory, calls through the real
// entry trampoline. The real runtime does the rest, so the code meets the same helpers it will in
// production: a real LinearMemory (guard region included) and a bare InstanceImpl and StoreState
// behind the context for the helpers that look them up (memory.grow, attention); the harness
// makes the Activation keel_rt_trap unwinds to, registers the code with the CodeRegistry (so
// guard-region faults become traps and backtraces carry the source map) and installs the trap
// handler.
#pragma once

#include <gtest/gtest.h>

#include <csetjmp>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "jit/optimizing/codegen.h"
#include "jit/stubs/stubs.h"
#include "platform/code_memory.h"
#include "platform/cpu_features.h"
#include "platform/trap_handler.h"
#include "runtime/code_registry.h"
#include "runtime/linear_memory.h"
#include "runtime/store_impl.h"
#include "runtime/table_instance.h"
#include "runtime/vm_abi.h"

namespace keel::jit::opt::test {

struct RunResult {
  vm::TrapCode trap = vm::TrapCode::kNone;
  std::vector<uint64_t> results;
  std::optional<uint32_t> trap_module_offset;  // of the innermost frame of a trap's backtrace
  std::vector<std::optional<uint32_t>> backtrace_offsets;  // every frame's, innermost first
};

namespace harness_detail {
[[gnu::noinline]] inline bool run_protected(runtime::Activation& activation, vm::VMFuncRef* ref,
                                            uint64_t* area, uint32_t bytes) {
  if (sigsetjmp(activation.landing, 0) != 0) return false;
  jit::stubs().entry(ref, area, bytes);
  return true;
}
}  // namespace harness_detail

class Tier2Harness {
 public:
  explicit Tier2Harness(uint32_t memory_pages = 0, uint32_t num_globals = 4)
      : memory_pages_(memory_pages), store_(EngineConfig{}) {
    options_.tier = runtime::Tier::kOptimizing;
    options_.cpu = platform::host_cpu_features();
    globals_.resize(num_globals);
    for (vm::VMGlobal& g : globals_) std::memset(&g, 0, sizeof g);
  }
  ~Tier2Harness() { runtime::CodeRegistry::global().remove_module(&module_); }
  Tier2Harness(const Tier2Harness&) = delete;
  Tier2Harness& operator=(const Tier2Harness&) = delete;

  runtime::CompileOptions& options() { return options_; }

  // Imports come first in the index space: add them before any function.
  uint32_t add_import(const FuncType& type, vm::HostCallback callback) {
    EXPECT_EQ(graphs_.size(), 0u);
    module_.types.push_back(type);
    Function function;
    function.type_index = static_cast<uint32_t>(module_.types.size() - 1);
    function.imported = true;
    module_.functions.push_back(function);
    ++module_.num_imported_functions;
    callbacks_.push_back(callback);
    return static_cast<uint32_t>(module_.functions.size() - 1);
  }
  uint32_t add_function(Graph graph) {
    module_.types.push_back(graph.signature());
    Function function;
    function.type_index = static_cast<uint32_t>(module_.types.size() - 1);
    module_.functions.push_back(function);
    graphs_.push_back(std::make_unique<Graph>(std::move(graph)));
    return static_cast<uint32_t>(module_.functions.size() - 1);
  }
  // A funcref table with `size` null elements; set_element fills it after build().
  uint32_t add_table(uint32_t size) {
    table_sizes_.push_back(size);
    return static_cast<uint32_t>(table_sizes_.size() - 1);
  }

  // Compiles every function; an error fails the test and leaves build() false.
  bool build() {
    Memory memory;
    memory.type.limits.min = memory_pages_;
    module_.memories.push_back(memory);
    uint32_t n = static_cast<uint32_t>(module_.functions.size());
    slots_ = std::make_unique<vm::CodeSlot[]>(n);
    register_slots_ = std::make_unique<vm::CodeSlot[]>(n);
    for (uint32_t i = 0; i < n; ++i) register_slots_[i].store(nullptr);
    hosts_.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      auto ref = std::make_unique<vm::VMFuncRef>();
      ref->type_id = vm::canonical_type_id(module_.function_type(i));
      ref->func_index = i;
      ref->code = &slots_[i];
      if (module_.functions[i].imported) {
        hosts_[i].callback = callbacks_[i];
        ref->ctx = &hosts_[i];
        slots_[i].store(jit::stubs().host_thunk);
      } else {
        ref->ctx = &ctx_;
      }
      funcs_.push_back(ref.get());
      refs_.push_back(std::move(ref));
    }
    for (const FuncType& t : module_.types) type_ids_.push_back(vm::canonical_type_id(t));
    MemoryType memory_type;
    memory_type.limits.min = memory_pages_;
    memory_type.limits.max = kMaxPages;
    auto linear = runtime::LinearMemory::create(memory_type, kMaxPages * 65536);
    if (!linear.ok()) {
      ADD_FAILURE() << "no linear memory: " << linear.error().message;
      return false;
    }
    memory_ = std::move(linear).value();
    ctx_.memory_base = memory_->vm()->base;
    ctx_.memory = memory_->vm();
    instance_.memories.push_back(memory_->vm());
    instance_.store = &store_;
    ctx_.instance = &instance_;
    store_.contexts.push_back(&ctx_);
    for (uint32_t size : table_sizes_) {
      TableType type;
      type.limits.min = size;
      type.limits.max = 64;
      auto table = runtime::TableInstance::create(type, nullptr);
      if (!table.ok()) {
        ADD_FAILURE() << "no table: " << table.error().message;
        return false;
      }
      tables_.push_back(std::move(table).value());
      table_ptrs_.push_back(tables_.back()->vm());
    }
    instance_.tables = table_ptrs_;
    // Segments exist only to be dropped: the helpers mark them.
    instance_.data_dropped.assign(4, 0);
    instance_.elem_dropped.assign(4, 0);
    instance_.elem_refs.assign(4, std::vector<void*>(2, nullptr));
    for (vm::VMGlobal& g : globals_) global_ptrs_.push_back(&g);
    ctx_.funcs = funcs_.data();
    ctx_.tables = table_ptrs_.data();
    ctx_.globals = global_ptrs_.data();
    ctx_.type_ids = type_ids_.data();
    ctx_.code_slots = slots_.get() + module_.num_imported_functions;
    ctx_.register_slots = register_slots_.get() + module_.num_imported_functions;
    compiled_.resize(n);
    for (uint32_t i = module_.num_imported_functions; i < n; ++i) {
      const Graph& graph = *graphs_[i - module_.num_imported_functions];
      auto compiled = compile_graph(graph, module_, i, options_, &stats_);
      if (!compiled.ok()) {
        error_ = compiled.error().message;
        return false;
      }
      compiled_[i] = std::make_unique<runtime::CompiledFunction>(std::move(compiled).value());
      auto installed = platform::CodeMemory::global().install(compiled_[i]->code);
      if (!installed.ok()) {
        ADD_FAILURE() << "cannot install code";
        return false;
      }
      auto begin = reinterpret_cast<uintptr_t>(*installed);
      runtime::CodeRegistry::global().add({begin, begin + compiled_[i]->code.size(), &module_, i,
                                           compiled_[i]->source_map, compiled_[i]->trap_sites});
      publish_register_entry(i, *installed);
      slots_[i].store(*installed, std::memory_order_release);
    }
    return true;
  }

  // Off: every call between tier-2 functions goes the area way, as before the callee's tier-2
  // code exists. Set before build().
  void set_register_entries(bool on) { register_entries_ = on; }

  RunResult call(uint32_t func, const std::vector<uint64_t>& args) {
    const FuncType& type = module_.function_type(func);
    uint32_t bytes = vm::call_area_bytes(type);
    std::vector<uint64_t> area(bytes / 8 + 1, 0);
    for (size_t i = 0; i < args.size(); ++i) area[vm::value_offset(type.params, i) / 8] = args[i];
    platform::install_trap_handler(reinterpret_cast<platform::TrapEntry>(&keel_rt_trap),
                                   &runtime::trap_site_code);
    platform::ensure_alt_signal_stack();
    ctx_.stack_limit = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) - (1u << 20);
    runtime::Activation activation;
    activation.prev = runtime::Activation::current();
    runtime::Activation::set_current(&activation);
    bool ok = harness_detail::run_protected(activation, funcs_[func], area.data(), bytes);
    runtime::Activation::set_current(activation.prev);
    RunResult out;
    if (!ok) {
      out.trap = activation.trap.code;
      if (!activation.trap.backtrace.empty())
        out.trap_module_offset = activation.trap.backtrace.front().module_offset;
      for (const TrapFrame& frame : activation.trap.backtrace)
        out.backtrace_offsets.push_back(frame.module_offset);
      return out;
    }
    for (size_t j = 0; j < type.results.size(); ++j) {
      uint64_t v = area[vm::value_offset(type.results, j) / 8];
      ValType t = type.results[j];
      out.results.push_back(t == ValType::kI32 || t == ValType::kF32 ? v & 0xffffffffu : v);
    }
    return out;
  }

  // Installs another copy of a compiled function's code (at another address) and publishes it
  // in the function's slot: position-independent code runs the same from there.
  bool install_copy(uint32_t func) {
    auto installed = platform::CodeMemory::global().install(compiled_[func]->code);
    if (!installed.ok()) return false;
    auto begin = reinterpret_cast<uintptr_t>(*installed);
    runtime::CodeRegistry::global().add({begin, begin + compiled_[func]->code.size(), &module_,
                                         func, compiled_[func]->source_map,
                                         compiled_[func]->trap_sites});
    publish_register_entry(func, *installed);
    slots_[func].store(*installed, std::memory_order_release);
    return true;
  }

  void set_element(uint32_t table, uint32_t i, uint32_t func) {
    tables_[table]->elements()[i] = funcs_[func];
  }
  uint8_t* memory() { return ctx_.memory_base; }
  // Makes the next attention check trap with "interrupted", as Store::interrupt() does.
  void interrupt() {
    store_.interrupted.store(true);
    ctx_.attention.store(1);
  }
  vm::VMGlobal& global(uint32_t i) { return globals_[i]; }
  runtime::TableInstance& table(uint32_t i) { return *tables_[i]; }
  runtime::InstanceImpl& instance() { return instance_; }
  vm::VMContext& ctx() { return ctx_; }
  const std::string& error() const { return error_; }
  const CodegenStats& stats() const { return stats_; }  // of the last function compiled
  const runtime::CompiledFunction& compiled(uint32_t func) const { return *compiled_[func]; }
  Module& module() { return module_; }

 private:
  Module module_;
  runtime::CompileOptions options_;
  uint32_t memory_pages_;
  std::vector<std::unique_ptr<Graph>> graphs_;
  std::vector<vm::HostCallback> callbacks_;
  static constexpr uint64_t kMaxPages = 16;
  runtime::StoreState store_;
  runtime::InstanceImpl instance_;
  std::unique_ptr<runtime::LinearMemory> memory_;
  vm::VMContext ctx_{};
  void publish_register_entry(uint32_t func, const uint8_t* code) {
    uint32_t entry = compiled_[func]->register_entry;
    if (register_entries_ && entry != runtime::CompiledFunction::kNoRegisterEntry)
      register_slots_[func].store(code + entry, std::memory_order_release);
  }

  std::unique_ptr<vm::CodeSlot[]> slots_;
  std::unique_ptr<vm::CodeSlot[]> register_slots_;
  bool register_entries_ = true;
  std::vector<std::unique_ptr<vm::VMFuncRef>> refs_;
  std::vector<vm::VMFuncRef*> funcs_;
  std::vector<vm::VMHostFunc> hosts_;
  std::vector<uint32_t> table_sizes_;
  std::vector<std::unique_ptr<runtime::TableInstance>> tables_;
  std::vector<vm::VMTable*> table_ptrs_;
  std::vector<vm::VMGlobal> globals_;
  std::vector<vm::VMGlobal*> global_ptrs_;
  std::vector<uint32_t> type_ids_;
  std::vector<std::unique_ptr<runtime::CompiledFunction>> compiled_;
  CodegenStats stats_;
  std::string error_;
};

}  // namespace keel::jit::opt::test

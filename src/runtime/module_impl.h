// LoadedModule's implementation: the validated module, its ValidationContext, and the code slot
// of each defined function, shared by every instance (vm_abi.h, "Code slots"). Code is compiled
// at most once per function and tier: lazily on first call (any thread) or eagerly at load, by
// the EngineConfig's compiler.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "runtime/compiler.h"
#include "runtime/store.h"
#include "validate/validation_context.h"

namespace keel::runtime {

class ModuleImpl final : public LoadedModule {
 public:
  static Result<std::shared_ptr<ModuleImpl>> create(std::shared_ptr<const ByteBuffer> bytes,
                                                    const EngineConfig& config);
  ~ModuleImpl() override;

  const Module& module() const override { return module_; }
  double compile_seconds() const override;
  uint64_t compiled_body_bytes() const override {
    return body_bytes_.load(std::memory_order_relaxed);
  }

  const EngineConfig& config() const { return config_; }
  // Canonical signature id per module type index.
  const std::vector<uint32_t>& type_ids() const { return type_ids_; }
  // The code slot of defined function `func_index`; code_slots() is the whole array, indexed by
  // defined-function index (VMContext::code_slots).
  vm::CodeSlot* code_slot(uint32_t func_index) const {
    return &code_[func_index - module_.num_imported_functions];
  }
  vm::CodeSlot* code_slots() const { return code_.get(); }
  // The code of function `func_index` (a defined one), or null if not compiled yet.
  const void* code(uint32_t func_index) const {
    const void* code = code_slot(func_index)->load(std::memory_order_acquire);
    return code == lazy_stub_ ? nullptr : code;
  }
  // Compiles it if needed (once, whichever threads ask); null on failure, with the reason in
  // `error` if given.
  const void* compile(uint32_t func_index, std::string* error = nullptr);

 private:
  explicit ModuleImpl(Module module, const EngineConfig& config);
  Status compile_all();
  // Registers the code installed at `code` for backtraces and the trap handler, then stores it
  // in the function's slot. Takes the compiled function's maps.
  void publish(uint32_t func_index, const uint8_t* code, CompiledFunction& compiled);
  CompileOptions compile_options() const;
  void add_compile_time(double seconds, uint64_t body_bytes);

  Module module_;
  std::unique_ptr<ValidationContext> validation_;
  EngineConfig config_;
  std::vector<uint32_t> type_ids_;
  const void* lazy_stub_;                 // what a slot holds until its code is published
  std::unique_ptr<vm::CodeSlot[]> code_;  // per defined function
  std::unique_ptr<std::vector<SourceMapEntry>[]> source_maps_;
  std::unique_ptr<std::vector<TrapSite>[]> trap_sites_;
  // Striped so that unrelated functions compile concurrently while one function compiles once.
  static constexpr size_t kCompileLocks = 64;
  std::mutex compile_locks_[kCompileLocks];
  mutable std::mutex stats_mutex_;
  double compile_seconds_ = 0;
  std::atomic<uint64_t> body_bytes_{0};
};

}  // namespace keel::runtime

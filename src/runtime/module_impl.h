// LoadedModule's implementation: the validated module, its ValidationContext, and the code of
// each defined function, shared by every instance. Code is compiled at most once per function:
// lazily on first call (any thread) or eagerly at load.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "jit/baseline/baseline_compiler.h"
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
  // The code of function `func_index` (a defined one), or null if not compiled yet.
  const void* code(uint32_t func_index) const {
    return code_[func_index - module_.num_imported_functions].load(std::memory_order_acquire);
  }
  // Compiles it if needed (once, whichever threads ask); null on failure, with the reason in
  // `error` if given.
  const void* compile(uint32_t func_index, std::string* error = nullptr);

 private:
  explicit ModuleImpl(Module module, const EngineConfig& config);
  Status compile_all();
  void publish(uint32_t func_index, const uint8_t* code, size_t size,
               std::vector<jit::SourceMapEntry> source_map);
  jit::CompileOptions compile_options() const;
  void add_compile_time(double seconds, uint64_t body_bytes);

  Module module_;
  std::unique_ptr<ValidationContext> validation_;
  EngineConfig config_;
  std::vector<uint32_t> type_ids_;
  std::unique_ptr<std::atomic<const void*>[]> code_;  // per defined function
  std::unique_ptr<std::vector<jit::SourceMapEntry>[]> source_maps_;
  // Striped so that unrelated functions compile concurrently while one function compiles once.
  static constexpr size_t kCompileLocks = 64;
  std::mutex compile_locks_[kCompileLocks];
  mutable std::mutex stats_mutex_;
  double compile_seconds_ = 0;
  std::atomic<uint64_t> body_bytes_{0};
};

}  // namespace keel::runtime

// LoadedModule's implementation: the validated module, its ValidationContext, and the code slot
// of each defined function, shared by every instance (vm_abi.h, "Code slots"). Code is compiled
// at most once per function and tier: lazily on first call (any thread) or eagerly at load, by
// the EngineConfig's compiler; with tiering, hot functions again at tier 2 (tier_up.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "runtime/artifact.h"
#include "runtime/compiler.h"
#include "runtime/store.h"
#include "validate/validation_context.h"

namespace keel::runtime {

class ModuleImpl final : public LoadedModule {
 public:
  // `precompiled`: the checked artifact of a precompiled module (`file` holds it), whose code is
  // installed instead of compiling; else the code cache is asked, if the configuration has one.
  static Result<std::shared_ptr<ModuleImpl>> create(
      std::shared_ptr<const ByteBuffer> bytes, const EngineConfig& config,
      const ArtifactView* precompiled = nullptr, std::shared_ptr<const ByteBuffer> file = nullptr);
  ~ModuleImpl() override;

  const Module& module() const override { return module_; }
  double compile_seconds() const override;
  uint64_t compiled_body_bytes() const override {
    return body_bytes_.load(std::memory_order_relaxed);
  }

  TierUpCounts tier_up_counts() const override;
  std::vector<uint8_t> precompiled() const override;
  uint32_t cached_functions() const override { return cached_functions_; }
  Status save_to_code_cache() override;
  // What the code of this module depends on besides its bytes (artifact.h).
  ArtifactIdentity identity() const { return identity_for(config_); }
  static ArtifactIdentity identity_for(const EngineConfig& config);

  const EngineConfig& config() const { return config_; }
  // Canonical signature id per module type index.
  const std::vector<uint32_t>& type_ids() const { return type_ids_; }
  // The code slot of defined function `func_index`; code_slots() is the whole array, indexed by
  // defined-function index (VMContext::code_slots).
  vm::CodeSlot* code_slot(uint32_t func_index) const {
    return &code_[func_index - module_.num_imported_functions];
  }
  vm::CodeSlot* code_slots() const { return code_.get(); }
  // Register slots (vm_abi.h), by defined-function index: null until tier 2 publishes one.
  vm::CodeSlot* register_slots() const { return register_code_.get(); }
  // The code of function `func_index` (a defined one), or null if not compiled yet.
  const void* code(uint32_t func_index) const {
    const void* code = code_slot(func_index)->load(std::memory_order_acquire);
    return code == lazy_stub_ ? nullptr : code;
  }
  // Compiles it if needed (once, whichever threads ask); null on failure, with the reason in
  // `error` if given.
  const void* compile(uint32_t func_index, std::string* error = nullptr);

  // Tiering (config().tiering.enabled; else null): the budgets VMContext::tier_budgets points at.
  std::atomic<int32_t>* tier_budgets() const { return tier_budgets_.get(); }
  // keel_rt_tier_up: the budget of `func_index` ran out. Queues it for tier 2 the first time
  // (`self` is this module), or compiles it now in synchronous mode.
  void tier_up(const std::shared_ptr<ModuleImpl>& self, uint32_t func_index);
  // Compiles a queued function at tier 2 and publishes it; on failure it stays in tier 1.
  void compile_tier2(uint32_t func_index, double queued_seconds);
  // keel_rt_tier_up_loop: a tier-1 frame (`frame`, its rbp) ran out at OSR point `point` of
  // `func_index`. Also does what tier_up does; then returns the loop's OSR entry with the frame's
  // values copied to ctx->osr_buffer, or null (not compiled yet: queued, or compiled now in
  // synchronous mode).
  const void* tier_up_loop(const std::shared_ptr<ModuleImpl>& self, vm::VMContext* ctx,
                           uint32_t func_index, uint32_t point, uintptr_t frame);
  // Compiles the OSR entry of the loop at `loop_offset` (a queued request).
  void compile_osr(uint32_t func_index, uint32_t loop_offset, double queued_seconds);

 private:
  explicit ModuleImpl(Module module, const EngineConfig& config);
  Status compile_all();
  // Registers the code installed at `code` for backtraces and the trap handler, then stores it
  // in the function's slot. Takes the compiled function's maps.
  void publish(uint32_t func_index, const uint8_t* code, CompiledFunction& compiled);
  // Names installed code for backtraces, the trap handler and perf maps (`label` ends the name).
  void register_code(uint32_t func_index, const uint8_t* code, size_t size,
                     std::span<const SourceMapEntry> source_map,
                     std::span<const TrapSite> trap_sites, const std::string& label);
  // Installs an artifact's code (one install for all of it) and publishes each function at the
  // tier it was compiled with; the maps stay in `file`, which the module keeps.
  Status install_artifact(const ArtifactView& view, std::shared_ptr<const ByteBuffer> file);
  // The artifact of the code published so far.
  std::vector<uint8_t> write_artifact(ArtifactKind kind) const;
  CompileOptions compile_options(Tier tier) const;
  void add_compile_time(double seconds, uint64_t body_bytes);

  Module module_;
  std::unique_ptr<ValidationContext> validation_;
  EngineConfig config_;
  std::vector<uint32_t> type_ids_;
  const void* lazy_stub_;                          // what a slot holds until its code is published
  std::unique_ptr<vm::CodeSlot[]> code_;           // per defined function
  std::unique_ptr<vm::CodeSlot[]> register_code_;  // per defined function
  // Per tier (index tier - 1), per defined function: a tier-1 frame may still run while its
  // function's tier-2 code is published, and both need their maps.
  static constexpr size_t kTiers = 2;
  std::unique_ptr<std::vector<SourceMapEntry>[]> source_maps_[kTiers];
  std::unique_ptr<std::vector<TrapSite>[]> trap_sites_[kTiers];
  // Per tier, per defined function: the published code and its maps (in the vectors above, or
  // in artifact_), for writing an artifact. `code` is stored last (release).
  struct Published {
    std::atomic<const uint8_t*> code{nullptr};
    uint32_t size = 0;
    uint32_t register_entry = CompiledFunction::kNoRegisterEntry;
    std::span<const SourceMapEntry> source_map;
    std::span<const TrapSite> trap_sites;
  };
  std::unique_ptr<Published[]> published_[kTiers];
  // The code cache and precompiled modules.
  std::shared_ptr<const ByteBuffer> artifact_;  // the file whose code was installed
  Sha256Digest module_hash_{};
  Sha256Digest cache_key_{};
  bool cache_keyed_ = false;
  // False for a precompiled module: its bodies were not validated, so compiling one validates it.
  bool bodies_validated_ = true;
  uint32_t cached_functions_ = 0;
  std::atomic<bool> compiled_new_{false};  // code the cache entry lacks
  // Tiering, per defined function.
  enum TierState : uint8_t { kInTier1, kQueued, kCompiling, kInTier2, kTier2Failed };
  std::unique_ptr<std::atomic<int32_t>[]> tier_budgets_;
  std::unique_ptr<std::atomic<uint8_t>[]> tier_states_;
  std::atomic<uint32_t> tier_queued_{0}, tier_compiled_{0}, tier_failed_{0};
  unsigned tier_up_threads() const;
  // A tier-1 function's budget once tier 2 has it (or gave up on it).
  int32_t done_budget() const;
  // OSR: tier 1's points per defined function, and the entries compiled for them, by (function,
  // loop offset). An entry's maps live here, as the code registry's range points at them.
  std::unique_ptr<std::vector<OsrPoint>[]> osr_points_;
  struct OsrEntry {
    enum State : uint8_t { kCompiling, kReady, kFailed } state = kCompiling;
    const void* code = nullptr;
    std::vector<SourceMapEntry> source_map;
    std::vector<TrapSite> trap_sites;
  };
  std::mutex osr_mutex_;
  std::map<std::pair<uint32_t, uint32_t>, OsrEntry> osr_entries_;
  std::atomic<uint32_t> osr_compiled_{0}, osr_failed_{0}, osr_entered_{0};
  // Striped so that unrelated functions compile concurrently while one function compiles once.
  static constexpr size_t kCompileLocks = 64;
  std::mutex compile_locks_[kCompileLocks];
  mutable std::mutex stats_mutex_;
  double compile_seconds_ = 0;
  std::atomic<uint64_t> body_bytes_{0};
};

}  // namespace keel::runtime

// The runtime's public face: engine configuration, loaded (validated, lazily compiled) modules,
// the store that owns instances, memories, tables, globals and host functions, and calls into
// wasm with traps reported as values.
//
// Typical use:
//   auto module = LoadedModule::load(buffer, config);      // decode + validate (+ eager compile)
//   Store store(config);
//   Imports imports;  imports.add("spectest", "print_i32", store.host_function(...));
//   auto instance = store.instantiate(*module, imports);   // links, initialises, runs start
//   auto results = store.call((*instance)->export_func("f"), args);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_buffer.h"
#include "base/result.h"
#include "ir/features.h"
#include "ir/module.h"
#include "runtime/code_cache.h"
#include "runtime/compiler.h"
#include "runtime/value.h"
#include "runtime/vm_abi.h"

namespace keel {

enum class CompileMode : uint8_t {
  kLazy,   // a function is compiled on its first call
  kEager,  // every function is compiled at load, in parallel
};

// Tiering (-C tier=tiered): every function starts in tier 1, which counts how much of it runs,
// and hot functions are compiled again by tier 2 on background threads and published in their
// code slots, so their next call runs tier-2 code.
struct TieringConfig {
  // About 5 ms of tier-1 execution: V8's Liftoff budget is of the same order.
  static constexpr int32_t kDefaultBudget = 2'000'000;
  bool enabled = false;
  // Bytes of wasm a function may run in tier 1 before it is queued for tier 2: each call is
  // charged its body's size, each pass through a loop header the loop body's. 0: its first call.
  int32_t budget = kDefaultBudget;
  // Compile tier 2 on the thread whose budget ran out, before it goes on (tests: deterministic).
  bool synchronous = false;
  unsigned threads = 0;  // background compile threads; 0: the cores but one, at least one
  // On-stack replacement: a tier-1 frame stuck in a hot loop moves to tier-2 code at the loop's
  // header (an OSR entry compiled for that loop), without waiting for the function's next call.
  // With budget 0 every loop a tier-1 frame reaches is entered so (tests).
  bool osr = true;
};

struct EngineConfig {
  // Compiles functions and provides the stubs calls go through: jit::jit_compiler() in keel's own
  // tools. Required: a module cannot load, nor a store be made, without one.
  std::shared_ptr<const runtime::Compiler> compiler;
  // The tier every function is compiled at first (with tiering.enabled, tier 1 and then tier 2).
  runtime::Tier tier = runtime::Tier::kBaseline;
  TieringConfig tiering;
  Features features;
  CompileMode compile_mode = CompileMode::kLazy;
  unsigned compile_threads = 0;                  // eager mode; 0: one per hardware thread
  uint64_t max_wasm_stack = 1024 * 1024;         // bytes of native stack wasm frames may use
  uint64_t max_memory_size = uint64_t{4} << 30;  // bytes per linear memory (--max-memory-size)
  uint64_t max_table_elements = UINT64_MAX;      // per table (-W max-table-elements)
  bool trap_on_grow_failure = false;             // a failed grow traps (not -1)
  bool perfmap = false;                          // write /tmp/perf-<pid>.map for `perf report`
  bool interrupt_checks = true;                  // off only to measure their cost (bench/)
  // Who compiles: keel's version and commit. Part of the code cache's key, and precompiled
  // modules run only under the same engine.
  std::string engine_id = "keel";
  // Reuse compiled code across processes (code_cache.h): lookup at load, write-back by
  // LoadedModule::save_to_code_cache.
  runtime::CodeCacheConfig code_cache;
  // Eager compilation: called now and then (and once at the end) with the functions compiled so
  // far, of how many, and the seconds since compiling began (`keel compile` on a terminal).
  std::function<void(uint32_t done, uint32_t total, double seconds)> compile_progress;
};

// A frame of a trap's backtrace, innermost first.
struct TrapFrame {
  std::string module_name;  // from the name section, else empty
  uint32_t func_index = 0;
  std::string func_name;                  // "$name" from the name section, else "#index"
  std::optional<uint32_t> module_offset;  // byte offset of the instruction, where known
};

struct TrapInfo {
  vm::TrapCode code = vm::TrapCode::kNone;
  std::string message;  // trap_message(code), or the host's message for kHostError
  int exit_status = 0;  // kExit only
  std::vector<TrapFrame> backtrace;

  // "wasm trap: out of bounds memory access\nwasm backtrace:\n    0: 0x1a2 - m!$f\n ..."
  std::string to_string() const;
};

// A decoded, validated module and its compiled code (shared by every instance of it).
class LoadedModule {
 public:
  static Result<std::shared_ptr<LoadedModule>> load(std::shared_ptr<const ByteBuffer> bytes,
                                                    const EngineConfig& config);
  virtual ~LoadedModule() = default;
  virtual const Module& module() const = 0;
  // Seconds spent compiling and bytes of code section compiled so far (for `--stats` and bench).
  virtual double compile_seconds() const = 0;
  virtual uint64_t compiled_body_bytes() const = 0;
  // Tiering: functions queued for tier 2 so far, and how many of them tier 2 compiled (published)
  // or failed to. Tier-2 compile time counts in compile_seconds() too.
  struct TierUpCounts {
    uint32_t queued = 0;
    uint32_t compiled = 0;
    uint32_t failed = 0;
    uint32_t osr_compiled = 0;  // OSR entries (one per loop) tier 2 compiled
    uint32_t osr_failed = 0;
    uint32_t osr_entered = 0;  // tier-1 frames that moved to one
  };
  virtual TierUpCounts tier_up_counts() const = 0;

  // A precompiled module (`keel compile -o`, artifact.h): its wasm bytes and all its code. The
  // file's engine must be this one and the CPU must have the features it was compiled for;
  // `config`'s tier and tiering are replaced by the file's.
  static Result<std::shared_ptr<LoadedModule>> load_precompiled(
      std::shared_ptr<const ByteBuffer> file, const EngineConfig& config);
  // The precompiled-module file of this module: its bytes and the code compiled so far.
  virtual std::vector<uint8_t> precompiled() const = 0;
  // The code cache: whether this load found an entry, and how many functions it installed.
  virtual uint32_t cached_functions() const = 0;
  // Writes the code compiled so far to the code cache, if the configuration has one and this
  // process compiled something the entry lacked. Call it when no compile is running (after
  // stop_background_compiles()).
  virtual Status save_to_code_cache() = 0;
};

// Tiering: background tier-2 compiles that have not finished are abandoned, and none publishes
// code or logs after this returns. The CLI calls it before it exits (a process must not wait for
// them, nor be torn down under them); later tier-up requests are ignored.
void stop_background_compiles();
// Tiering's counts over every module this process loaded (LoadedModule::tier_up_counts).
LoadedModule::TierUpCounts process_tier_up_counts();

// A store-owned entity an import or export names. `handle` is the VM structure:
// VMFuncRef* (kFunc), VMTable* (kTable), VMMemory* (kMemory), VMGlobal* (kGlobal).
struct Extern {
  ExternKind kind = ExternKind::kFunc;
  void* handle = nullptr;
  // The entity's type, for import type checks and for callers that need it.
  FuncType func_type;      // kFunc
  TableType table_type;    // kTable (limits.min is the current size)
  MemoryType memory_type;  // kMemory (limits.min is the current size in pages)
  GlobalType global_type;  // kGlobal
};

// Named externs offered to instantiate(): module name -> field name -> extern.
class Imports {
 public:
  void add(std::string module, std::string name, Extern value);
  // Every export of `instance`, under `module` (the spec runner's `register`).
  void add_instance(std::string module, const class Instance& instance);
  const Extern* find(std::string_view module, std::string_view name) const;

 private:
  std::map<std::pair<std::string, std::string>, Extern, std::less<>> map_;
};

class Instance {
 public:
  virtual ~Instance() = default;
  virtual const Module& module() const = 0;
  virtual std::optional<Extern> get_export(std::string_view name) const = 0;
  virtual std::vector<std::pair<std::string, Extern>> exports() const = 0;
};

// A host function: reads `args`, writes `results` (already sized and typed), returns kNone or a
// trap code. For kHostError it sets `message`. `caller_memory` is the calling instance's memory 0
// (null without one).
struct HostCall {
  std::span<const Value> args;
  std::span<Value> results;
  vm::VMMemory* caller_memory = nullptr;
  std::string message;  // kHostError
  int exit_status = 0;  // kExit
};
using HostFunction = std::function<vm::TrapCode(HostCall&)>;

class Store {
 public:
  explicit Store(const EngineConfig& config);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Links `imports` (unknown import / incompatible import type are kUnlinkable errors),
  // allocates, initialises tables and memories from active segments (out of bounds: kTrap error
  // and the instance is not returned; a partial initialisation stays visible to other instances
  // as the spec requires), then runs the start function (a trap: kTrap error).
  Result<Instance*> instantiate(const std::shared_ptr<LoadedModule>& module,
                                const Imports& imports);

  // Calls a function (VMFuncRef* handle of an Extern of kind kFunc). Arguments are checked
  // against its type. A trap returns an Error of kind kTrap whose message is the trap message;
  // last_trap() has the details and the backtrace.
  Result<std::vector<Value>> call(const Extern& func, std::span<const Value> args);
  const TrapInfo& last_trap() const;

  Extern host_function(FuncType type, HostFunction fn);
  Result<Extern> new_memory(MemoryType type);
  Result<Extern> new_table(TableType type, void* init);
  Extern new_global(GlobalType type, Value value);
  Value read_global(const Extern& global) const;

  // Thread-safe: makes running code trap with "interrupted" at its next function entry or loop
  // back-edge (--timeout uses it).
  void interrupt();

  const EngineConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel

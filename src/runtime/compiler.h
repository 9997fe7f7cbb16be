// What the runtime needs from a compiler, and nothing more: compile one defined function of a
// validated module at a tier into position-independent code with its source map and trap sites,
// and the few fixed pieces of generated code (stubs) the runtime calls through. jit/ implements
// it; the embedder (CLI, spec runner, tests) puts an implementation in EngineConfig::compiler.
// The runtime never includes jit/: a second tier, tier-up and a code cache all meet here.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "platform/cpu_features.h"
#include "runtime/vm_abi.h"
#include "validate/validation_context.h"

namespace keel::runtime {

// Numbered as wasmtime's and V8's tiers are: higher is slower to compile and faster to run.
enum class Tier : uint8_t {
  kBaseline = 1,    // one pass, the consumer of the body decoder (jit/baseline/)
  kOptimizing = 2,  // SSA IR, optimizations, register allocation (jit/optimizing/)
};

constexpr const char* tier_name(Tier tier) {
  return tier == Tier::kBaseline ? "baseline" : "optimizing";
}

// Maps a code offset to the wasm instruction it belongs to, for backtraces. Entries are sorted by
// code_offset and recorded at least at every call and trap site.
struct SourceMapEntry {
  uint32_t code_offset;
  uint32_t module_offset;  // byte offset in the module
};

// Code that may fault on purpose: the instructions of a linear-memory access, whose
// out-of-bounds address lands in the guard region. The trap handler turns a fault into a wasm
// trap only inside such a range; anywhere else a fault is a bug and is not hidden.
struct TrapSite {
  uint32_t code_offset;  // of the range's first instruction
  uint32_t length;       // bytes
  vm::TrapCode code;
};

// On-stack replacement (tier 1 with tier_up_counters): a loop header where the tier-1 frame can
// be left for tier-2 code. At the header the runtime finds every value the loop needs in the
// frame: the locals in order, then the loop's parameters, value k at [rbp + values[k].offset].
// Only loops with nothing but their parameters on the operand stack get one.
struct OsrPoint {
  struct Value {
    int32_t offset;  // from the tier-1 frame's rbp
    uint8_t bytes;   // 4, 8 or 16
  };
  uint32_t loop_offset;  // module offset of the `loop` instruction
  std::vector<Value> values;
};

struct CompiledFunction {
  std::vector<uint8_t> code;  // position independent: installable at any address
  std::vector<SourceMapEntry> source_map;
  std::vector<TrapSite> trap_sites;  // sorted by code_offset, not overlapping
  std::vector<OsrPoint> osr_points;  // tier 1, tiered: indexed by keel_rt_tier_up_loop's `point`
  // The offset in `code` of the register-convention entry (vm_abi.h), or kNoRegisterEntry.
  static constexpr uint32_t kNoRegisterEntry = UINT32_MAX;
  uint32_t register_entry = kNoRegisterEntry;
  Tier tier = Tier::kBaseline;
};

// Everything that changes the code a compiler produces (so a code cache keys on all of it).
struct CompileOptions {
  Tier tier = Tier::kBaseline;
  platform::CpuFeatures cpu;
  // The attention-word test at function entry and loop back-edges. Off only to measure its
  // cost (bench/); without it interrupts and --timeout cannot stop a loop.
  bool interrupt_checks = true;
  // Tier 1 only: charge the function's tier-up budget at entry and at loop headers
  // (VMContext::tier_budgets) and call keel_rt_tier_up when it runs out. Set in tiered mode.
  bool tier_up_counters = false;
  // With tier_up_counters: loop headers that qualify get an OSR point (keel_rt_tier_up_loop).
  bool osr_points = false;
  // Tier 2: compile the OSR entry of the loop at this module offset (its OsrPoint's values come
  // from VMContext::osr_buffer) instead of the function's normal entry. UINT32_MAX: normal.
  uint32_t osr_loop = UINT32_MAX;
  // ctx.module passed validation (load_module): bodies are decoded without checking them again.
  // Set it only for such modules: an invalid body is then undefined behaviour, not an error. It
  // changes no code, only how much checking compiling does.
  bool validated = false;
};

// Calls wasm function `callee` from the host: saves callee-saved registers, sets r14 to
// callee->ctx and r15 to its memory base, r13 to null, copies `area_bytes` (a multiple of 8) from
// `area` into a stack argument area, calls through callee's code slot, and copies the same number
// of bytes of results back into `area`. The C++ caller arms the trap landing around it.
using EntryTrampoline = void (*)(vm::VMFuncRef* callee, uint64_t* area, uint32_t area_bytes);

struct RuntimeStubs {
  EntryTrampoline entry = nullptr;
  // The code of every host function: calls VMHostFunc::callback(r14, r13, rbp + 16) and raises a
  // returned trap code through keel_rt_trap.
  const void* host_thunk = nullptr;
  // The code of a function not compiled yet: calls keel_rt_compile_lazy(rax) and jumps to the
  // code it returns (traps with kOutOfMemory if it returns null).
  const void* lazy_compile = nullptr;
};

class Compiler {
 public:
  virtual ~Compiler() = default;
  // Whether this compiler compiles at `tier`; if not, an error that says why.
  virtual Status tier_available(Tier tier) const = 0;
  // Compiles defined function `func_index` of ctx.module. Thread-safe: any number of threads may
  // compile functions of one module at once.
  virtual Result<CompiledFunction> compile(const ValidationContext& ctx, uint32_t func_index,
                                           const CompileOptions& options) const = 0;
  // Made once and installed in code memory; valid for the life of the process.
  virtual const RuntimeStubs& stubs() const = 0;
};

}  // namespace keel::runtime

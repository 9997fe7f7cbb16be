// The contract between JIT-compiled code and the runtime: the structures compiled code reads at
// fixed offsets, the calling convention between wasm functions, and the runtime helpers compiled
// code calls. Tier 1 and tier 2 both compile against this file and nothing else of the runtime.
//
// Registers (x86-64), pinned for the whole of a wasm function:
//   r14  VMContext* of the running instance
//   r15  base of its memory 0 (VMContext::memory_base); memories never move, so it stays valid
//        across memory.grow
//   rbp  frame pointer; every wasm frame is `push rbp; mov rbp, rsp` so backtraces walk it
// Every other register is caller-saved between wasm functions: a call clobbers all of them.
// Runtime helpers are ordinary SysV C functions; r14, r15, rbx, rbp, r12, r13 survive them.
//
// Calling convention between wasm functions (direct, imported, indirect, host):
//   - The caller reserves an argument area at [rsp, rsp + area) before `call`, with rsp 16-byte
//     aligned at the call. Parameter i lives at [rsp + value_offset(params, i)] (8 bytes per
//     value; a v128 takes 16, at an offset that is not necessarily 16-aligned). In the callee it
//     is [rbp + 16 + value_offset(params, i)].
//   - The callee writes its results to the same area, result j at value_offset(results, j), and
//     returns. area = max(area_bytes(params), area_bytes(results)).
//   - Values are stored as their natural width (i32 and f32 in the low 4 bytes; the upper bytes
//     are unspecified), references as pointers (funcref: VMFuncRef*, externref: opaque; null is 0).
//   - A call goes through a VMFuncRef and its code slot: `rax = VMFuncRef*`, then
//     `rcx = [rax + kFuncRefCode]; call [rcx]`. A direct call to a function the caller's own
//     module defines may instead call `[[r14 + kContextCodeSlots] + 8 * (index - imports)]`: the
//     same slot, reached without the dependent load.
//     For a callee that may belong to another context (imports, call_indirect), the caller first
//     sets `r13 = r14` (the caller's context, which host functions receive), `r14 = ref->ctx`,
//     `r15 = [r14 + kContextMemoryBase]`, and restores r14 and r15 from its frame afterwards.
//     Every callee context starts with its memory base, so this works for host functions too.
//   - The code a slot holds may be the lazy-compile stub, which finds its function from rax: so
//     rax must hold the VMFuncRef at every call.
//
// The register convention, between tier-2 functions of one module (jit/optimizing/
// register_convention.h): a tier-2 function whose signature fits it has a second entry, published
// in its register slot (VMContext::register_slots), that takes the parameters in registers and
// returns the result in a register as well as in the area. A direct call from tier-2 code loads
// the callee's register slot: null (the callee is not in tier 2 yet) means the call goes through
// the code slot as above. The caller still reserves the area, where the callee also writes its
// results, so the first entry and the second share one body. Every register is clobbered alike.
//
// Code slots: a module has one code slot per defined function, shared by every instance of it;
// each instance's VMFuncRef for that function points at it. The slot holds the lazy-compile stub,
// then tier-1 code, later tier-2 code; compilers publish with one release store into the slot,
// and every caller in every instance loads the slot at each call, so it takes the new code on its
// next call. Code once published is never freed or changed (frames may still run it). A host
// function's slot is its own and holds the host thunk. A register slot is null until its
// function's tier-2 code, published in it with its own release store, has a register entry.
//
// Builtins: compiled code reaches the runtime helpers below only through the VMContext's table of
// their addresses (VMContext::builtins, `call [r14 + builtin_offset(b)]`), never through an
// absolute address, so its bytes are position independent and the same in every process: a code
// cache can store them and any later process can run them. The runtime's stubs (made once per
// process, never cached) may still use absolute addresses.
//
// Traps: compiled code calls keel_rt_trap (never returns). Out-of-bounds memory accesses fault in
// the guard region instead; the signal handler turns that into the same call.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "ir/types.h"

namespace keel::vm {
struct VMContext;
struct VMFuncRef;
}  // namespace keel::vm

// Runtime helpers called from compiled code (SysV ABI). Each receives the calling instance's
// context first. Helpers that can trap return a TrapCode as uint32_t (0: no trap); compiled code
// tests it and, if nonzero, calls keel_rt_trap with it. Indices and lengths are the wasm i32
// operands, unsigned.
extern "C" {
// Never returns: records the trap and a backtrace walked from `fp` (the trapping wasm frame's
// rbp; `pc` is the trapping instruction or stub), then unwinds to the host entry.
[[noreturn]] void keel_rt_trap(keel::vm::VMContext* ctx, uint32_t code, uintptr_t pc, uintptr_t fp);
// The attention word was nonzero: returns kInterrupted to trap, or 0 to continue.
uint32_t keel_rt_attention(keel::vm::VMContext* ctx, uint32_t func_index);
// A tier-1 function's budget (VMContext::tier_budgets) went negative at its entry or a loop
// header: queues it for tier 2 (or compiles it there, in synchronous mode) and resets the budget.
// Returns 0 (the same contract as keel_rt_attention, so both share tier 1's slow-path stub).
uint32_t keel_rt_tier_up(keel::vm::VMContext* ctx, uint32_t func_index);
// The same at a loop header that has an OSR point (CompiledFunction::osr_points[point]) in the
// tier-1 frame `frame` (its rbp), whose locals are all in their frame slots. Returns an OSR entry
// to continue in, with the frame's values in ctx->osr_buffer: the caller then leaves its frame
// (`mov rsp, rbp; pop rbp`) and jumps to it, so the entry runs as if called by the tier-1 frame's
// caller. Returns null to go on in tier 1.
const void* keel_rt_tier_up_loop(keel::vm::VMContext* ctx, uint32_t func_index, uint32_t point,
                                 uintptr_t frame);
// Compiles the function `ref` names if no code exists yet, publishes it in its code slot and
// returns it. Called by the lazy-compile stub. Returns null only when out of memory.
const void* keel_rt_compile_lazy(keel::vm::VMFuncRef* ref);

uint32_t keel_rt_memory_grow(keel::vm::VMContext* ctx, uint32_t memory, uint32_t delta_pages);
uint32_t keel_rt_memory_init(keel::vm::VMContext* ctx, uint32_t memory, uint32_t data, uint32_t dst,
                             uint32_t src, uint32_t n);
void keel_rt_data_drop(keel::vm::VMContext* ctx, uint32_t data);
uint32_t keel_rt_memory_copy(keel::vm::VMContext* ctx, uint32_t dst_memory, uint32_t src_memory,
                             uint32_t dst, uint32_t src, uint32_t n);
uint32_t keel_rt_memory_fill(keel::vm::VMContext* ctx, uint32_t memory, uint32_t dst,
                             uint32_t value, uint32_t n);
uint32_t keel_rt_table_grow(keel::vm::VMContext* ctx, uint32_t table, void* init, uint32_t delta);
uint32_t keel_rt_table_fill(keel::vm::VMContext* ctx, uint32_t table, uint32_t dst, void* value,
                            uint32_t n);
uint32_t keel_rt_table_copy(keel::vm::VMContext* ctx, uint32_t dst_table, uint32_t src_table,
                            uint32_t dst, uint32_t src, uint32_t n);
uint32_t keel_rt_table_init(keel::vm::VMContext* ctx, uint32_t table, uint32_t elem, uint32_t dst,
                            uint32_t src, uint32_t n);
void keel_rt_elem_drop(keel::vm::VMContext* ctx, uint32_t elem);
}

namespace keel::vm {

// Trap reasons. The messages are the spec test suite's wording.
enum class TrapCode : uint32_t {
  kNone = 0,
  kUnreachable,
  kMemoryOutOfBounds,
  kTableOutOfBounds,
  kIntegerDivideByZero,
  kIntegerOverflow,
  kInvalidConversion,
  kUndefinedElement,
  kUninitializedElement,
  kIndirectCallTypeMismatch,
  kNullReference,
  kStackExhausted,
  kInterrupted,
  kOutOfMemory,  // the host could not allocate (code memory, table storage)
  kHostError,    // a host function failed; its message is in the activation
  kExit,         // WASI proc_exit: not an error; the status is in the activation
};

constexpr const char* trap_message(TrapCode code) {
  switch (code) {
    case TrapCode::kNone:
      return "no trap";
    case TrapCode::kUnreachable:
      return "unreachable";
    case TrapCode::kMemoryOutOfBounds:
      return "out of bounds memory access";
    case TrapCode::kTableOutOfBounds:
      return "out of bounds table access";
    case TrapCode::kIntegerDivideByZero:
      return "integer divide by zero";
    case TrapCode::kIntegerOverflow:
      return "integer overflow";
    case TrapCode::kInvalidConversion:
      return "invalid conversion to integer";
    case TrapCode::kUndefinedElement:
      return "undefined element";
    case TrapCode::kUninitializedElement:
      return "uninitialized element";
    case TrapCode::kIndirectCallTypeMismatch:
      return "indirect call type mismatch";
    case TrapCode::kNullReference:
      return "null reference";
    case TrapCode::kStackExhausted:
      return "call stack exhausted";
    case TrapCode::kInterrupted:
      return "interrupted";
    case TrapCode::kOutOfMemory:
      return "out of memory";
    case TrapCode::kHostError:
      return "host error";
    case TrapCode::kExit:
      return "exit";
  }
  return "unknown trap";
}

struct VMContext;

// The runtime helpers compiled code calls, in the order of VMContext::builtins: X(name, helper).
// Appending one changes the code compilers produce (a code cache's key has kBuiltinsVersion).
#define KEEL_VM_BUILTINS(X)             \
  X(kTrap, keel_rt_trap)                \
  X(kAttention, keel_rt_attention)      \
  X(kTierUp, keel_rt_tier_up)           \
  X(kTierUpLoop, keel_rt_tier_up_loop)  \
  X(kCompileLazy, keel_rt_compile_lazy) \
  X(kMemoryGrow, keel_rt_memory_grow)   \
  X(kMemoryInit, keel_rt_memory_init)   \
  X(kDataDrop, keel_rt_data_drop)       \
  X(kMemoryCopy, keel_rt_memory_copy)   \
  X(kMemoryFill, keel_rt_memory_fill)   \
  X(kTableGrow, keel_rt_table_grow)     \
  X(kTableFill, keel_rt_table_fill)     \
  X(kTableCopy, keel_rt_table_copy)     \
  X(kTableInit, keel_rt_table_init)     \
  X(kElemDrop, keel_rt_elem_drop)

enum class Builtin : uint32_t {
#define KEEL_VM_BUILTIN_ENUM(name, fn) name,
  KEEL_VM_BUILTINS(KEEL_VM_BUILTIN_ENUM)
#undef KEEL_VM_BUILTIN_ENUM
      kCount
};
inline constexpr size_t kBuiltinCount = static_cast<size_t>(Builtin::kCount);
inline constexpr uint32_t kBuiltinsVersion = 1;

// A function's code slot (see "Code slots" above).
using CodeSlot = std::atomic<const void*>;

// A function as compiled code sees it: what `call`, `call_indirect`, `ref.func` and tables use.
// A funcref value is a VMFuncRef* (null: 0). One per defined function per instance, and one per
// host function; imports point at the exporter's.
struct VMFuncRef {
  // The module's code slot of this function (shared by all instances), or a host function's.
  CodeSlot* code;
  void* ctx;            // the callee's context: a VMContext, or a VMHostFunc for host functions
  uint32_t type_id;     // canonical signature id (canonical_type_id); equal ids, equal signatures
  uint32_t func_index;  // in the owning instance's function index space
};

// A linear memory. The reservation covers the whole 32-bit address space plus a guard region,
// so `base + zero-extended i32 + u32 offset + access size` always lands inside it, and every
// byte from `size` on is PROT_NONE.
struct VMMemory {
  uint8_t* base;
  std::atomic<uint64_t> size;  // bytes; grows only
  uint64_t max_size;           // bytes; memory.grow fails beyond it
};

// A table of references (VMFuncRef* or externref). `elements` may move when the table grows, so
// compiled code reloads it for every access.
struct VMTable {
  void** elements;
  uint32_t size;
  uint32_t max_size;
  ValType element_type;
};

// A global's storage; imported globals share their exporter's.
struct alignas(16) VMGlobal {
  union {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    void* ref;
    uint8_t v128[16];
  };
};

// An instance's context: r14 points here while its code runs.
struct VMContext {
  uint8_t* memory_base;  // memory 0's base, or null without a memory
  VMMemory* memory;      // memory 0, or null
  // Prologues trap with "call stack exhausted" if rsp minus the frame would go below this.
  uintptr_t stack_limit;
  // Nonzero: the code calls keel_rt_attention at the next function entry or loop back-edge
  // (interrupt, timeout). Compiled code only reads it.
  std::atomic<uint32_t> attention;
  uint32_t reserved0;
  VMFuncRef** funcs;         // function index space (imports first)
  VMTable** tables;          // table index space
  VMGlobal** globals;        // global index space
  const uint32_t* type_ids;  // module type index -> canonical signature id
  void* instance;            // the runtime's Instance that owns this context
  CodeSlot* code_slots;      // the module's code slots, by defined-function index
  // Tiering (compiled with CompileOptions::tier_up_counters): the module's tier-up budgets, by
  // defined-function index. Tier-1 code subtracts from its function's budget at entry and at
  // loop headers (weighted by bytes of wasm) and calls keel_rt_tier_up when it goes negative.
  // The runtime resets budgets; compiled code's plain read-modify-write may lose a decrement to
  // another thread, which only delays a tier-up. Null when the module is not tiered.
  std::atomic<int32_t>* tier_budgets;
  // On-stack replacement: where the runtime put the tier-1 frame's values (16 bytes each: the
  // locals, then the loop's parameters) just before jumping to an OSR entry, which reads them in
  // its first block (kOsrValue). Only valid there.
  const uint8_t* osr_buffer;
  CodeSlot* register_slots;  // the module's register slots, by defined-function index
  // The runtime helpers' addresses, by Builtin: every VMContext is made with them filled in.
  const void* builtins[kBuiltinCount] = {
#define KEEL_VM_BUILTIN_ADDRESS(name, fn) reinterpret_cast<const void*>(&fn),
      KEEL_VM_BUILTINS(KEEL_VM_BUILTIN_ADDRESS)
#undef KEEL_VM_BUILTIN_ADDRESS
  };
};

inline constexpr int32_t kContextMemoryBase = 0;
inline constexpr int32_t kContextMemory = 8;
inline constexpr int32_t kContextStackLimit = 16;
inline constexpr int32_t kContextAttention = 24;
inline constexpr int32_t kContextFuncs = 32;
inline constexpr int32_t kContextTables = 40;
inline constexpr int32_t kContextGlobals = 48;
inline constexpr int32_t kContextTypeIds = 56;
inline constexpr int32_t kContextInstance = 64;
inline constexpr int32_t kContextCodeSlots = 72;
inline constexpr int32_t kContextTierBudgets = 80;
inline constexpr int32_t kContextOsrBuffer = 88;
inline constexpr int32_t kContextRegisterSlots = 96;
inline constexpr int32_t kContextBuiltins = 104;
// Where compiled code finds builtin `b`: `call [r14 + builtin_offset(b)]`.
constexpr int32_t builtin_offset(Builtin b) {
  return kContextBuiltins + 8 * static_cast<int32_t>(b);
}
inline constexpr int32_t kFuncRefCode = 0;
inline constexpr int32_t kFuncRefCtx = 8;
inline constexpr int32_t kFuncRefTypeId = 16;
inline constexpr int32_t kMemoryBase = 0;
inline constexpr int32_t kMemorySize = 8;
inline constexpr int32_t kTableElements = 0;
inline constexpr int32_t kTableSize = 8;

// A host function's context (VMFuncRef::ctx of a host function). The generic host thunk calls
// `callback(self, caller, area)` where `area` is the argument/result area described above; it
// returns kNone, or a trap code (with details left in the activation by the host).
struct VMHostFunc;
using HostCallback = TrapCode (*)(VMHostFunc* self, VMContext* caller, uint64_t* area);
struct VMHostFunc {
  uint8_t* memory_base_unused = nullptr;  // callers load r15 from here (see the convention)
  HostCallback callback = nullptr;
  void* data = nullptr;  // the runtime's HostFunction object
};

inline constexpr int32_t kHostFuncCallback = 8;

// Byte size of a value in the argument/result area.
constexpr uint32_t area_value_size(ValType t) {
  return t == ValType::kV128 ? 16 : 8;
}
// Offset of value `index` within an area holding `types`.
inline uint32_t value_offset(std::span<const ValType> types, size_t index) {
  uint32_t offset = 0;
  for (size_t i = 0; i < index; ++i) offset += area_value_size(types[i]);
  return offset;
}
inline uint32_t area_bytes(std::span<const ValType> types) {
  return value_offset(types, types.size());
}
inline uint32_t call_area_bytes(const FuncType& type) {
  uint32_t p = area_bytes(type.params), r = area_bytes(type.results);
  return p > r ? p : r;
}

// A process-wide id per distinct function signature (thread-safe; ids are never reused).
uint32_t canonical_type_id(const FuncType& type);

static_assert(offsetof(VMContext, memory_base) == kContextMemoryBase);
static_assert(offsetof(VMContext, memory) == kContextMemory);
static_assert(offsetof(VMContext, stack_limit) == kContextStackLimit);
static_assert(offsetof(VMContext, attention) == kContextAttention);
static_assert(offsetof(VMContext, funcs) == kContextFuncs);
static_assert(offsetof(VMContext, tables) == kContextTables);
static_assert(offsetof(VMContext, globals) == kContextGlobals);
static_assert(offsetof(VMContext, type_ids) == kContextTypeIds);
static_assert(offsetof(VMContext, instance) == kContextInstance);
static_assert(offsetof(VMContext, code_slots) == kContextCodeSlots);
static_assert(offsetof(VMContext, tier_budgets) == kContextTierBudgets);
static_assert(offsetof(VMContext, osr_buffer) == kContextOsrBuffer);
static_assert(offsetof(VMContext, register_slots) == kContextRegisterSlots);
static_assert(offsetof(VMContext, builtins) == kContextBuiltins);
static_assert(sizeof(std::atomic<int32_t>) == 4 && std::atomic<int32_t>::is_always_lock_free);
static_assert(sizeof(CodeSlot) == 8 && CodeSlot::is_always_lock_free);
static_assert(offsetof(VMFuncRef, code) == kFuncRefCode);
static_assert(offsetof(VMFuncRef, ctx) == kFuncRefCtx);
static_assert(offsetof(VMFuncRef, type_id) == kFuncRefTypeId);
static_assert(offsetof(VMMemory, base) == kMemoryBase);
static_assert(offsetof(VMMemory, size) == kMemorySize);
static_assert(offsetof(VMTable, elements) == kTableElements);
static_assert(offsetof(VMTable, size) == kTableSize);
static_assert(offsetof(VMHostFunc, callback) == kHostFuncCallback);
static_assert(sizeof(VMGlobal) == 16);

}  // namespace keel::vm

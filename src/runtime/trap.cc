// Traps: keel_rt_trap records what happened and where (a backtrace walked along the rbp chain of
// wasm frames) and unwinds to the innermost host entry. Also the other helpers that concern the
// running code rather than its data: attention (interrupts) and lazy compilation.
#include <cstdio>
#include <cstdlib>

#include "runtime/code_registry.h"
#include "runtime/store_impl.h"

namespace keel {
namespace {

// A runaway chain (or corrupted frame pointers) ends here.
constexpr size_t kMaxFrames = 4096;

// "$name" from the name section; without one, the name the function is exported (or imported)
// under, as wasmtime's backtraces use; else "#index".
std::string frame_function_name(const Module& m, uint32_t func_index) {
  if (m.names.functions.count(func_index)) return m.function_name(func_index);
  for (const Export& e : m.exports)
    if (e.kind == ExternKind::kFunc && e.index == func_index) return e.name;
  for (const Import& i : m.imports)
    if (i.kind == ExternKind::kFunc && i.index == func_index) return i.module + "::" + i.name;
  return m.function_name(func_index);
}

std::vector<TrapFrame> backtrace(uintptr_t pc, uintptr_t fp) {
  std::vector<TrapFrame> frames;
  const runtime::ThreadStack& stack = runtime::thread_stack();
  uintptr_t low = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  bool first = true;
  while (frames.size() < kMaxFrames) {
    // A return address points after its call; the call itself is one byte before.
    auto location = runtime::CodeRegistry::global().lookup(first ? pc : pc - 1);
    if (location) {
      TrapFrame frame;
      frame.module_name = location->module->names.module_name;
      frame.func_index = location->func_index;
      frame.func_name = frame_function_name(*location->module, location->func_index);
      frame.module_offset = location->module_offset;
      frames.push_back(std::move(frame));
    } else if (!first) {
      break;  // left wasm: the entry trampoline or a host frame
    }
    // The first PC may be a stub (host thunk, lazy stub) whose frame leads back into wasm.
    first = false;
    if (fp < low || (stack.top && fp + 16 > stack.top) || (fp & 7)) break;
    pc = reinterpret_cast<const uintptr_t*>(fp)[1];
    fp = reinterpret_cast<const uintptr_t*>(fp)[0];
  }
  return frames;
}

}  // namespace

std::string TrapInfo::to_string() const {
  std::string out = "wasm trap: " + message;
  if (code == vm::TrapCode::kExit) out = "exit with status " + std::to_string(exit_status);
  if (backtrace.empty()) return out;
  out += "\nwasm backtrace:";
  char buffer[64];
  // A runaway recursion yields thousands of alike frames: keep both ends, say what was left out.
  constexpr size_t kShownAtEachEnd = 50;
  bool elide = backtrace.size() > 2 * kShownAtEachEnd;
  for (size_t i = 0; i < backtrace.size(); ++i) {
    if (elide && i == kShownAtEachEnd) {
      std::snprintf(buffer, sizeof buffer, "\n       ... %zu frames omitted ...",
                    backtrace.size() - 2 * kShownAtEachEnd);
      out += buffer;
      i = backtrace.size() - kShownAtEachEnd;
    }
    const TrapFrame& f = backtrace[i];
    std::snprintf(buffer, sizeof buffer, "\n  %3zu: ", i);
    out += buffer;
    if (f.module_offset) {
      std::snprintf(buffer, sizeof buffer, "%#6x - ", *f.module_offset);
      out += buffer;
    }
    out += f.module_name.empty() ? "<unknown>" : f.module_name;
    out += "!" + f.func_name;
  }
  return out;
}

}  // namespace keel

using keel::runtime::Activation;

extern "C" {

void keel_rt_trap(keel::vm::VMContext* /*ctx: may be a host function's, unused*/, uint32_t code,
                  uintptr_t pc, uintptr_t fp) {
  Activation* activation = Activation::current();
  if (!activation) {
    std::fprintf(stderr, "keel: wasm trap (%s) outside any call from the host\n",
                 keel::vm::trap_message(static_cast<keel::vm::TrapCode>(code)));
    std::abort();
  }
  {
    keel::TrapInfo& trap = activation->trap;
    trap.code = static_cast<keel::vm::TrapCode>(code);
    bool explained =
        (trap.code == keel::vm::TrapCode::kHostError && !activation->host_message.empty()) ||
        (trap.code == keel::vm::TrapCode::kOutOfMemory && !activation->host_message.empty());
    trap.message =
        explained ? std::move(activation->host_message) : keel::vm::trap_message(trap.code);
    trap.exit_status = activation->host_exit_status;
    trap.backtrace = keel::backtrace(pc, fp);
  }  // nothing with a destructor may be live across the jump
  siglongjmp(activation->landing, 1);
}

uint32_t keel_rt_attention(keel::vm::VMContext* ctx, uint32_t /*func_index*/) {
  auto* instance = keel::runtime::InstanceImpl::from_context(ctx);
  keel::runtime::StoreState* store = instance->store;
  // An interrupt is consumed by the trap it causes, so the store can be used again afterwards.
  // Under the lock so an interrupt() racing with this is never half-cleared.
  std::lock_guard lock(store->contexts_mutex);
  if (store->interrupted.exchange(false, std::memory_order_acq_rel)) {
    for (keel::vm::VMContext* c : store->contexts) c->attention.store(0, std::memory_order_relaxed);
    return static_cast<uint32_t>(keel::vm::TrapCode::kInterrupted);
  }
  ctx->attention.store(0, std::memory_order_relaxed);
  return 0;
}

const void* keel_rt_compile_lazy(keel::vm::VMFuncRef* ref) {
  auto* ctx = static_cast<keel::vm::VMContext*>(ref->ctx);
  auto* instance = keel::runtime::InstanceImpl::from_context(ctx);
  std::string error;
  const void* code = instance->loaded->compile(ref->func_index, &error);
  // compile() published the code in the module's slot, which ref->code points at.
  if (!code) {
    if (Activation* activation = Activation::current()) {
      // The stub traps with kOutOfMemory; say what actually went wrong.
      activation->host_message =
          "cannot compile function " + std::to_string(ref->func_index) + ": " + error;
    }
  }
  return code;
}

}  // extern "C"

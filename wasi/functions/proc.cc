// proc_exit, proc_raise, sched_yield. proc_exit is not an errno: the dispatcher turns the status
// it leaves in the call into TrapCode::kExit.
#include <sched.h>

#include "wasi/host_context.h"

namespace keel::wasi {
namespace {

Errno proc_exit(WasiCall& call) {
  call.exit_status = static_cast<int>(call.u32(0));
  return Errno::kSuccess;
}

// Signals cannot be delivered to a wasm instance; wasmtime answers the same.
Errno proc_raise(WasiCall&) {
  return Errno::kNotsup;
}

Errno sched_yield_(WasiCall&) {
  sched_yield();
  return Errno::kSuccess;
}

constexpr WasiFunctionInfo kFunctions[] = {
    {"proc_exit", "i", proc_exit},
    {"proc_raise", "i", proc_raise},
    {"sched_yield", "", sched_yield_},
};

}  // namespace

std::span<const WasiFunctionInfo> proc_functions() {
  return kFunctions;
}

}  // namespace keel::wasi

// The SIGSEGV/SIGBUS handler that turns a guard-region fault in generated code into a wasm trap.
// It emulates a call from the faulting instruction to a trap function, as if the code had called
// it itself: the faulting PC is pushed as the return address and the handler returns into
// `trap_entry(r14, trap_code, faulting pc, rbp)`, which unwinds on the ordinary stack. Faults that
// are not such accesses go to whatever handler was installed before (or the default action).
#pragma once

#include <cstdint>

namespace keel::platform {

using TrapEntry = void (*)(void* context, uint32_t code, uintptr_t pc, uintptr_t fp);

// The trap code of generated code at `pc` if it may fault on purpose (a guarded memory access),
// else 0.
using TrapSiteLookup = uint32_t (*)(uintptr_t pc);

// Installs the process-wide handler once (later calls are no-ops). Thread-safe. A fault becomes
// a trap only where `trap_site` names one.
void install_trap_handler(TrapEntry trap_entry, TrapSiteLookup trap_site);

// Gives the calling thread an alternate signal stack if it has none, so a fault near the end of
// the stack can still be handled. Freed when the thread exits.
void ensure_alt_signal_stack();

}  // namespace keel::platform

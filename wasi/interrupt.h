// Interrupting blocking WASI calls (-W timeout): a host call blocked in ppoll, read or accept
// wakes when the deadline passes, and the guest traps with "interrupted" as compiled code does at
// its next check. The embedder calls interrupt_host_calls() from its watchdog thread: it sets a
// flag the host functions check, and signals the thread running wasm so a blocking system call
// returns EINTR (repeated by the caller until the run stops, in case the signal came just before
// the call blocked).
#pragma once

#include <pthread.h>

namespace keel::wasi {

// Clears the flag and installs the signal's no-op handler (without SA_RESTART). Once per run,
// before wasm starts.
void arm_host_call_interrupts();
// Sets the flag and signals `thread` (the one running wasm). Thread-safe.
void interrupt_host_calls(pthread_t thread);
// Whether the run was interrupted: EINTR loops stop retrying and the call traps.
bool host_calls_interrupted();

}  // namespace keel::wasi

// The fixed pieces of generated code the runtime calls through (runtime/compiler.h's
// RuntimeStubs), made once per process and installed in code memory.
#pragma once

#include "runtime/compiler.h"

namespace keel::jit {

// Generated on first use; aborts the process if code memory cannot be had at all.
const runtime::RuntimeStubs& stubs();

}  // namespace keel::jit

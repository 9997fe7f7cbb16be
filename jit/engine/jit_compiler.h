// keel's JIT as the runtime sees it: the runtime::Compiler that embedders put in
// EngineConfig::compiler. It dispatches each request to the tier it names.
#pragma once

#include <memory>

#include "runtime/compiler.h"

namespace keel::jit {

// The process-wide JIT (stateless apart from per-thread compiler scratch, so one is enough).
std::shared_ptr<const runtime::Compiler> jit_compiler();

}  // namespace keel::jit

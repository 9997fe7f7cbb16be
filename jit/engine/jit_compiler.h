// keel's JIT as the runtime sees it: the runtime::Compiler that embedders put in
// EngineConfig::compiler. It dispatches each request to the tier it names.
#pragma once

#include <memory>

#include "runtime/compiler.h"

namespace keel::jit {

// The process-wide JIT (stateless apart from per-thread compiler scratch, so one is enough).
// Tier 2 compiles the whole core spec suite but still miscompiles some real programs, so it is
// off unless asked for: `experimental_tier2` turns it on (tests, keel-spec --tier optimizing, and
// keel when experimental_tier2_requested()).
std::shared_ptr<const runtime::Compiler> jit_compiler(bool experimental_tier2 = false);

// KEEL_EXPERIMENTAL_TIER2=1 is in the environment.
bool experimental_tier2_requested();

}  // namespace keel::jit

// Debugging knobs of tier 2, read once from the environment. They are for keel's developers
// bisecting a miscompile in a real program, not for users, so they are environment variables
// (like V8's --print-* flags) and not `keel run` options:
//
//   KEEL_TIER2_FUNCTIONS=FIRST-LAST  tier 2 compiles only functions FIRST..LAST (absolute
//                                    indices, inclusive; or one index), tier 1 the others
//   KEEL_TIER2_PASSES=-gvn,-dce      passes switched off (constant-folding, strength-reduction,
//                                    copy-propagation, gvn, redundant-loads, licm, dce,
//                                    cfg-simplification;
//                                    `none` switches all off)
//   KEEL_TIER2_PRINT_IR=INDEX        prints function INDEX's IR to stderr, as built and after
//                                    the passes, each instruction with its module offset, and
//                                    then its machine code
//
// A value that does not parse is an error the first time tier 2 is asked for, not ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "jit/optimizing/passes/pipeline.h"

namespace keel::jit {

struct Tier2Debug {
  uint32_t first_function = 0;
  uint32_t last_function = UINT32_MAX;
  opt::PassOptions passes;
  std::optional<uint32_t> print_ir;

  bool selects(uint32_t func_index) const {
    return func_index >= first_function && func_index <= last_function;
  }
};

// Parses the three variables' values (null: unset).
Result<Tier2Debug> parse_tier2_debug(const char* functions, const char* passes,
                                     const char* print_ir);

// The process's knobs, from its environment, parsed on first use.
const Result<Tier2Debug>& tier2_debug();

}  // namespace keel::jit

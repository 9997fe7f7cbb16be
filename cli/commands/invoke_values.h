// The text forms `keel run --invoke` reads and prints: arguments parsed per parameter type, results
// printed as wasmtime prints them (one per line; integers signed, floats shortest, no exponent),
// and the key=value lists of the -W and -C options with their sizes, durations and tiers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "runtime/compiler.h"
#include "runtime/value.h"

namespace keel::cli {

// i32/i64: decimal or 0x hex, negative allowed (two's complement), in range for the type.
// f32/f64: decimal, hex floats ("0x1.8p3"), "nan", "inf", "-inf". Other types are usage errors.
Result<Value> parse_invoke_arg(std::string_view text, ValType type);

// "-1", "1.5", "NaN", "inf", "<null funcref>", as wasmtime's --invoke prints them.
std::string format_invoke_result(const Value& value);

// Bytes: digits with an optional K, M or G suffix (powers of 1024).
Result<uint64_t> parse_byte_size(std::string_view text);

// A duration: digits with a unit (ns, us or \u03bcs, ms, s or sec, m or min, h), as wasmtime and
// humantime write them; bare digits are seconds.
Result<std::chrono::nanoseconds> parse_duration(std::string_view text);

// A tier by keel's name (baseline, optimizing) or wasmtime's compiler name for the same role
// (winch, cranelift).
Result<runtime::Tier> parse_tier(std::string_view text, bool tiered_known = false);

// Calls `apply(key, value)` for each item of options given as `flag` (e.g. "-W"), each
// "key=value[,key=value...]"; stops at the first error.
Status apply_key_values(std::string_view flag, const std::vector<std::string>& lists,
                        const std::function<Status(std::string_view, std::string_view)>& apply);

}  // namespace keel::cli

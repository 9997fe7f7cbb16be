// The text forms `keel run --invoke` reads and prints: arguments parsed per parameter type, results
// printed as wasmtime prints them (one per line; integers signed, floats shortest, no exponent),
// and the sizes and durations of the -W options.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "runtime/value.h"

namespace keel::cli {

// i32/i64: decimal or 0x hex, negative allowed (two's complement), in range for the type.
// f32/f64: decimal, hex floats ("0x1.8p3"), "nan", "inf", "-inf". Other types are usage errors.
Result<Value> parse_invoke_arg(std::string_view text, ValType type);

// "-1", "1.5", "NaN", "inf", "<null funcref>", as wasmtime's --invoke prints them.
std::string format_invoke_result(const Value& value);

// Bytes: digits with an optional K, M or G suffix (powers of 1024).
Result<uint64_t> parse_byte_size(std::string_view text);

// A duration: digits with a unit (ns, us, ms, s, m, h); bare digits are seconds.
Result<std::chrono::nanoseconds> parse_duration(std::string_view text);

}  // namespace keel::cli

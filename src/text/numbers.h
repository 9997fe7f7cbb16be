// Numeric literals of the text format, converted from a token's text. Each returns nullopt when
// the text is not a literal of that type or is out of its range (the parser says where).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace keel::text {

// An unsigned literal (`12`, `0xff`, `1_000`) no larger than `max`.
std::optional<uint64_t> parse_unsigned(std::string_view text, uint64_t max);

// An integer of `bits` bits (8 to 64), signed or not: any value in [-2^(bits-1), 2^bits - 1],
// returned as its two's-complement bit pattern (so `-1` and `0xffffffff` are the same i32).
std::optional<uint64_t> parse_integer(std::string_view text, unsigned bits);

// Floats in every form (decimal, hex, `inf`, `nan`, `nan:0x...`, integers), as IEEE bits,
// rounded to nearest even. A value that rounds to infinity is out of range.
std::optional<uint32_t> parse_f32(std::string_view text);
std::optional<uint64_t> parse_f64(std::string_view text);

}  // namespace keel::text

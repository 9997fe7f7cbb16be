#include "text/numbers.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace keel::text {

namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

// The magnitude of an unsigned literal without sign; nullopt beyond 2^64 - 1 or when malformed.
std::optional<uint64_t> magnitude(std::string_view s) {
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') base = 16, s.remove_prefix(2);
  if (s.empty() || s[0] == '_' || s.back() == '_') return std::nullopt;
  uint64_t value = 0;
  bool previous_underscore = false;
  for (char c : s) {
    if (c == '_') {
      if (previous_underscore) return std::nullopt;
      previous_underscore = true;
      continue;
    }
    previous_underscore = false;
    unsigned d = digit_value(c);
    if (d >= base) return std::nullopt;
    if (value > (UINT64_MAX - d) / base) return std::nullopt;
    value = value * base + d;
  }
  return value;
}

template <class Bits, class Float>
std::optional<Bits> parse_float(std::string_view text) {
  constexpr unsigned kMantissaBits = sizeof(Bits) == 4 ? 23 : 52;
  constexpr Bits kSignBit = Bits{1} << (sizeof(Bits) * 8 - 1);
  constexpr Bits kExponentMask = (kSignBit - 1) & ~((Bits{1} << kMantissaBits) - 1);
  bool negative = false;
  std::string_view body = text;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  Bits sign = negative ? kSignBit : 0;
  if (body == "inf") return sign | kExponentMask;
  if (body == "nan") return sign | kExponentMask | (Bits{1} << (kMantissaBits - 1));
  if (body.starts_with("nan:0x")) {
    std::optional<uint64_t> payload = magnitude(body.substr(4));
    if (!payload || *payload == 0 || *payload >= (uint64_t{1} << kMantissaBits))
      return std::nullopt;
    return sign | kExponentMask | static_cast<Bits>(*payload);
  }
  if (body.empty() || digit_value(body[0]) > 9) return std::nullopt;
  if (body.starts_with("0x") && (body.size() < 3 || digit_value(body[2]) > 15)) return std::nullopt;
  char buffer[128];
  std::string heap;
  char* out = buffer;
  if (text.size() >= sizeof buffer) {
    heap.resize(text.size() + 1);
    out = heap.data();
  }
  size_t n = 0;
  for (char c : text)
    if (c != '_') out[n++] = c;
  out[n] = 0;
  errno = 0;
  char* end = nullptr;
  Float value;
  if constexpr (sizeof(Bits) == 4) {
    value = std::strtof(out, &end);
  } else {
    value = std::strtod(out, &end);
  }
  if (end != out + n) return std::nullopt;
  if (std::isinf(value)) return std::nullopt;
  Bits bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

}  // namespace

std::optional<uint64_t> parse_unsigned(std::string_view text, uint64_t max) {
  if (text.empty() || text[0] == '+' || text[0] == '-') return std::nullopt;
  std::optional<uint64_t> value = magnitude(text);
  if (!value || *value > max) return std::nullopt;
  return value;
}

std::optional<uint64_t> parse_integer(std::string_view text, unsigned bits) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::optional<uint64_t> value = magnitude(text);
  if (!value) return std::nullopt;
  uint64_t mask = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  if (negative) {
    if (*value > (uint64_t{1} << (bits - 1))) return std::nullopt;
    return (0 - *value) & mask;
  }
  if (*value > mask) return std::nullopt;
  return value;
}

std::optional<uint32_t> parse_f32(std::string_view text) {
  return parse_float<uint32_t, float>(text);
}

std::optional<uint64_t> parse_f64(std::string_view text) {
  return parse_float<uint64_t, double>(text);
}

}  // namespace keel::text

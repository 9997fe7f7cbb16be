#include "cli/commands/invoke_values.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace keel::cli {
namespace {

Error bad(std::string_view text, const char* what) {
  return make_error(ErrorKind::kUsage,
                    "invalid " + std::string(what) + ": \"" + std::string(text) + "\"");
}

// The magnitude of an integer literal (decimal or 0x hex) and its sign.
Result<uint64_t> parse_magnitude(std::string_view text, bool& negative, const char* what) {
  std::string_view digits = text;
  negative = digits.starts_with('-');
  if (negative || digits.starts_with('+')) digits.remove_prefix(1);
  int base = 10;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    base = 16;
    digits.remove_prefix(2);
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return bad(text, what);
  }
  return value;
}

Result<uint64_t> parse_int(std::string_view text, unsigned bits, const char* what) {
  bool negative = false;
  auto magnitude = parse_magnitude(text, negative, what);
  if (!magnitude) return magnitude;
  uint64_t max_unsigned = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
  uint64_t max_negative = uint64_t{1} << (bits - 1);  // |INT_MIN|
  if (negative ? *magnitude > max_negative : *magnitude > max_unsigned) {
    return make_error(ErrorKind::kUsage,
                      std::string(what) + " out of range: \"" + std::string(text) + "\"");
  }
  uint64_t value = negative ? 0 - *magnitude : *magnitude;
  return bits == 64 ? value : value & max_unsigned;
}

template <class Float>
Result<Float> parse_float(std::string_view text, const char* what) {
  std::string_view body = text;
  bool negative = body.starts_with('-');
  if (negative || body.starts_with('+')) body.remove_prefix(1);
  auto format = std::chars_format::general;
  if (body.starts_with("0x") || body.starts_with("0X")) {
    format = std::chars_format::hex;  // from_chars reads hex floats without their prefix
    body.remove_prefix(2);
  }
  Float value{};
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), value, format);
  // Out-of-range decimals round to infinity or zero as a float literal would.
  if (ec == std::errc::result_out_of_range) ec = std::errc();
  if (body.empty() || ec != std::errc() || end != body.data() + body.size()) {
    return bad(text, what);
  }
  return negative ? -value : value;
}

// Shortest round-trip digits without an exponent, as Rust's `Display` for floats.
template <class Float>
std::string format_float(Float f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f < 0 ? "-inf" : "inf";
  char buffer[512];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, f, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

std::string format_u128(unsigned __int128 v) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return digits;
}

// A v128 as one unsigned 128-bit integer (decimal or 0x hex), lane 0 in the low bits: the form
// results are printed in.
Result<Value> parse_v128(std::string_view text) {
  std::string_view digits = text;
  unsigned base = 10;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty()) return bad(text, "v128");
  unsigned __int128 value = 0;
  const unsigned __int128 max = ~static_cast<unsigned __int128>(0);
  for (char c : digits) {
    unsigned d = c >= '0' && c <= '9'   ? unsigned(c - '0')
                 : c >= 'a' && c <= 'f' ? unsigned(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? unsigned(c - 'A' + 10)
                                        : 16;
    if (d >= base || value > (max - d) / base) return bad(text, "v128");
    value = value * base + d;
  }
  Value v = Value::zero(ValType::kV128);
  std::memcpy(v.v128, &value, sizeof value);  // little-endian, as wasm's lane order
  return v;
}

}  // namespace

Result<Value> parse_invoke_arg(std::string_view text, ValType type) {
  switch (type) {
    case ValType::kI32: {
      auto v = parse_int(text, 32, "i32");
      if (!v) return std::move(v).error();
      return Value::from_i32(static_cast<uint32_t>(*v));
    }
    case ValType::kI64: {
      auto v = parse_int(text, 64, "i64");
      if (!v) return std::move(v).error();
      return Value::from_i64(*v);
    }
    case ValType::kF32: {
      auto v = parse_float<float>(text, "f32");
      if (!v) return std::move(v).error();
      return Value::from_f32_bits(std::bit_cast<uint32_t>(*v));
    }
    case ValType::kF64: {
      auto v = parse_float<double>(text, "f64");
      if (!v) return std::move(v).error();
      return Value::from_f64_bits(std::bit_cast<uint64_t>(*v));
    }
    case ValType::kV128:
      return parse_v128(text);
    default:
      break;
  }
  return make_error(ErrorKind::kUsage, std::string("cannot pass a ") + val_type_name(type) +
                                           " argument on the command line");
}

std::string format_invoke_result(const Value& v) {
  switch (v.type) {
    case ValType::kI32:
      return std::to_string(static_cast<int32_t>(v.i32));
    case ValType::kI64:
      return std::to_string(static_cast<int64_t>(v.i64));
    case ValType::kF32:
      return format_float(std::bit_cast<float>(v.f32_bits));
    case ValType::kF64:
      return format_float(std::bit_cast<double>(v.f64_bits));
    case ValType::kV128: {
      unsigned __int128 bits;
      static_assert(sizeof bits == sizeof v.v128);
      std::memcpy(&bits, v.v128, sizeof bits);  // little-endian, as wasm's lane order
      return format_u128(bits);
    }
    case ValType::kFuncRef:
      return v.ref ? "<funcref>" : "<null funcref>";
    case ValType::kExternRef:
      return v.ref ? "<externref>" : "<null externref>";
    case ValType::kBottom:
      break;
  }
  return "<unknown>";
}

Result<uint64_t> parse_byte_size(std::string_view text) {
  uint64_t scale = 1;
  std::string_view digits = text;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'K':
      case 'k':
        scale = uint64_t{1} << 10;
        break;
      case 'M':
      case 'm':
        scale = uint64_t{1} << 20;
        break;
      case 'G':
      case 'g':
        scale = uint64_t{1} << 30;
        break;
      default:
        break;
    }
    if (scale != 1) digits.remove_suffix(1);
  }
  bool negative = false;
  auto value = parse_magnitude(digits, negative, "size");
  if (!value || negative) return bad(text, "size");
  if (*value > UINT64_MAX / scale) return bad(text, "size");
  return *value * scale;
}

Result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  constexpr uint64_t kSecond = 1000000000;
  struct Unit {
    std::string_view suffix;
    uint64_t nanoseconds;
  };
  // A suffix that ends another comes after it ("mins" before "ns", "ms" before "s").
  constexpr Unit kUnits[] = {{"mins", 60 * kSecond},
                             {"secs", kSecond},
                             {"hours", 3600 * kSecond},
                             {"ns", 1},
                             {"us", 1000},
                             {"\u03bcs", 1000},
                             {"ms", 1000000},
                             {"sec", kSecond},
                             {"min", 60 * kSecond},
                             {"hour", 3600 * kSecond},
                             {"s", kSecond},
                             {"m", 60 * kSecond},
                             {"h", 3600 * kSecond}};
  std::string_view digits = text;
  uint64_t scale = 1000000000;
  for (const Unit& u : kUnits) {
    if (digits.ends_with(u.suffix)) {
      digits.remove_suffix(u.suffix.size());
      scale = u.nanoseconds;
      break;
    }
  }
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / scale) {
    return bad(text, "duration");
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(value * scale));
}

Result<runtime::Tier> parse_tier(std::string_view text, bool tiered_known) {
  if (text == "baseline" || text == "winch") return runtime::Tier::kBaseline;
  if (text == "optimizing" || text == "cranelift") return runtime::Tier::kOptimizing;
  return make_error(ErrorKind::kUsage,
                    "unknown tier \"" + std::string(text) + "\" (known: " +
                        (tiered_known ? "baseline, optimizing, tiered" : "baseline, optimizing") +
                        "; winch, cranelift)");
}

Status apply_key_values(std::string_view flag, const std::vector<std::string>& lists,
                        const std::function<Status(std::string_view, std::string_view)>& apply) {
  for (const std::string& list : lists) {
    std::string_view rest = list;
    while (!rest.empty()) {
      std::string_view item = rest.substr(0, rest.find(','));
      rest.remove_prefix(std::min(rest.size(), item.size() + 1));
      // A bare key is wasmtime's "key=y"; a key that needs a value says so when it parses "".
      size_t eq = item.find('=');
      if (eq == 0) {
        return make_error(ErrorKind::kUsage, std::string(flag) + " wants KEY[=VALUE], got \"" +
                                                 std::string(item) + "\"");
      }
      KEEL_TRY(apply(item.substr(0, eq),
                     eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1)));
    }
  }
  return {};
}

}  // namespace keel::cli

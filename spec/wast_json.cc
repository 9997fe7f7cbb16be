#include "wast_json.h"

#include <charconv>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace keel::spec {
namespace {

using nlohmann::json;

constexpr std::pair<std::string_view, CommandType> kCommandTypes[] = {
    {"module", CommandType::kModule},
    {"assert_malformed", CommandType::kAssertMalformed},
    {"assert_invalid", CommandType::kAssertInvalid},
    {"assert_unlinkable", CommandType::kAssertUnlinkable},
    {"assert_uninstantiable", CommandType::kAssertUninstantiable},
    {"assert_return", CommandType::kAssertReturn},
    {"assert_return_canonical_nan", CommandType::kAssertReturn},
    {"assert_return_arithmetic_nan", CommandType::kAssertReturn},
    {"assert_trap", CommandType::kAssertTrap},
    {"assert_exhaustion", CommandType::kAssertExhaustion},
    {"assert_exception", CommandType::kAssertException},
    {"action", CommandType::kAction},
    {"register", CommandType::kRegister},
};

CommandType command_type(std::string_view name) {
  for (const auto& [n, type] : kCommandTypes) {
    if (n == name) return type;
  }
  return CommandType::kUnknown;
}

// The JSON has the wrong shape; parsing stops and the script reports it.
struct BadShape : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void bad_shape(const std::string& what) {
  throw BadShape(what);
}

struct TypeName {
  std::string_view name;
  ValType type;
  uint32_t bits;
};
constexpr TypeName kTypeNames[] = {
    {"i32", ValType::kI32, 32},
    {"i64", ValType::kI64, 64},
    {"f32", ValType::kF32, 32},
    {"f64", ValType::kF64, 64},
    {"v128", ValType::kV128, 128},
    {"funcref", ValType::kFuncRef, 64},
    {"externref", ValType::kExternRef, 64},
    {"i8", ValType::kI32, 8},
    {"i16", ValType::kI32, 16},
};

const TypeName& type_named(std::string_view name) {
  for (const TypeName& t : kTypeNames) {
    if (t.name == name) return t;
  }
  bad_shape("unknown value type \"" + std::string(name) + "\"");
}

// A lane or number: the decimal bits (wast2json), or a NaN pattern for floats. A leading '-'
// is accepted and wrapped, so hand-written JSON with signed integers reads as wast2json means it.
SpecLane parse_lane(std::string_view text, ValType type, uint32_t bits) {
  bool is_float = type == ValType::kF32 || type == ValType::kF64;
  if (is_float && text == "nan:canonical") return {0, NanPattern::kCanonical};
  if (is_float && text == "nan:arithmetic") return {0, NanPattern::kArithmetic};
  bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    bad_shape("bad number \"" + std::string(text) + "\"");
  }
  if (negative) value = 0 - value;
  if (bits < 64) value &= (uint64_t{1} << bits) - 1;
  return {value, NanPattern::kNone};
}

SpecValue parse_value(const json& j) {
  SpecValue v;
  const TypeName& t = type_named(j.at("type").get_ref<const std::string&>());
  v.type = t.type;
  auto value = j.find("value");
  if (is_ref_type(v.type)) {
    if (value == j.end()) {
      v.ref = RefPattern::kAnyNonNull;
    } else if (value->get_ref<const std::string&>() == "null") {
      v.ref = RefPattern::kNull;
    } else {
      v.ref = RefPattern::kHost;
      v.host = parse_lane(value->get_ref<const std::string&>(), ValType::kI64, 64).bits;
    }
    return v;
  }
  if (value == j.end()) {
    v.any_value = true;
    return v;
  }
  if (v.type == ValType::kV128) {
    const TypeName& lane = type_named(j.at("lane_type").get_ref<const std::string&>());
    if (lane.type == ValType::kV128 || is_ref_type(lane.type)) bad_shape("bad v128 lane type");
    v.lane_type = lane.type;
    v.lane_bits = lane.bits;
    if (!value->is_array() || value->size() != 128 / lane.bits) bad_shape("bad v128 lane count");
    for (const json& l : *value) {
      v.lanes.push_back(parse_lane(l.get_ref<const std::string&>(), lane.type, lane.bits));
    }
    return v;
  }
  v.lane_type = v.type;
  v.lane_bits = t.bits;
  v.lanes.push_back(parse_lane(value->get_ref<const std::string&>(), v.type, t.bits));
  return v;
}

SpecAction parse_action(const json& j) {
  SpecAction a;
  const auto& type = j.at("type").get_ref<const std::string&>();
  if (type == "invoke") {
    a.type = SpecAction::Type::kInvoke;
  } else if (type == "get") {
    a.type = SpecAction::Type::kGet;
  } else {
    bad_shape("unknown action type \"" + type + "\"");
  }
  a.module = j.value("module", "");
  a.field = j.at("field").get<std::string>();
  if (auto args = j.find("args"); args != j.end()) {
    for (const json& arg : *args) a.args.push_back(parse_value(arg));
  }
  return a;
}

// Throws nlohmann::json exceptions on a wrong shape; the caller turns them into an Error.
SpecCommand parse_command(const json& j, const std::filesystem::path& dir) {
  SpecCommand c;
  c.type_name = j.at("type").get<std::string>();
  c.type = command_type(c.type_name);
  c.line = j.value("line", 0u);
  if (auto it = j.find("filename"); it != j.end()) c.module_path = dir / it->get<std::string>();
  c.text_module = j.value("module_type", "binary") == "text";
  c.text = j.value("text", "");
  c.name = j.value("name", "");
  c.as = j.value("as", "");
  if (auto it = j.find("action"); it != j.end()) c.action = parse_action(*it);
  if (auto it = j.find("expected"); it != j.end()) {
    for (const json& e : *it) c.expected.push_back({parse_value(e)});
  }
  // The relaxed-SIMD `either`: a single result that may be any of these.
  if (auto it = j.find("either"); it != j.end()) {
    std::vector<SpecValue> alternatives;
    for (const json& e : *it) alternatives.push_back(parse_value(e));
    c.expected.push_back(std::move(alternatives));
  }
  // The pre-2020 spellings of NaN results carry the pattern in the command name.
  NanPattern legacy = c.type_name == "assert_return_canonical_nan"    ? NanPattern::kCanonical
                      : c.type_name == "assert_return_arithmetic_nan" ? NanPattern::kArithmetic
                                                                      : NanPattern::kNone;
  if (legacy != NanPattern::kNone) {
    for (auto& result : c.expected) {
      for (SpecValue& v : result) {
        if (v.any_value && !is_ref_type(v.type) && v.type != ValType::kV128) {
          v.any_value = false;  // the old form gives the type alone
          v.lanes.assign(1, SpecLane{});
        }
        for (SpecLane& lane : v.lanes) lane.nan = legacy;
      }
    }
  }
  return c;
}

}  // namespace

Result<SpecValue> parse_spec_value(const std::string& json_text) {
  try {
    return parse_value(json::parse(json_text));
  } catch (const std::exception& e) {  // json::exception or BadShape
    return make_error(ErrorKind::kUsage, e.what());
  }
}

Result<SpecScript> read_wast_json(const std::filesystem::path& json_path) {
  std::ifstream in(json_path, std::ios::binary);
  if (!in) return make_error(ErrorKind::kIo, "cannot open " + json_path.string());
  try {
    json j = json::parse(in);
    SpecScript script;
    script.source = j.at("source_filename").get<std::string>();
    const auto& commands = j.at("commands");
    script.commands.reserve(commands.size());
    for (const auto& c : commands)
      script.commands.push_back(parse_command(c, json_path.parent_path()));
    return script;
  } catch (const std::exception& e) {  // json::exception or BadShape
    return make_error(ErrorKind::kIo, json_path.string() + ": " + e.what());
  }
}

}  // namespace keel::spec

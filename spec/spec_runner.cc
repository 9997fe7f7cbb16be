#include "spec_runner.h"

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace keel::spec {
namespace {

// The capability a command needs beyond decode and validate, if any.
std::optional<Capability> needed_capability(const SpecCommand& c) {
  switch (c.type) {
    case CommandType::kAssertUnlinkable:
    case CommandType::kAssertUninstantiable:
    case CommandType::kRegister:
      return Capability::kInstantiate;
    case CommandType::kAssertReturn:
    case CommandType::kAssertTrap:
    case CommandType::kAssertExhaustion:
    case CommandType::kAction:
      return Capability::kInvoke;
    case CommandType::kAssertException:
      return Capability::kExceptions;
    case CommandType::kModule:
    case CommandType::kAssertMalformed:
    case CommandType::kAssertInvalid:
    case CommandType::kAssertMalformedCustom:
    case CommandType::kAssertInvalidCustom:
    case CommandType::kUnknown:
      return std::nullopt;
  }
  return std::nullopt;
}

// The feature a value of the command's needs that keel cannot represent yet, or empty.
std::string needed_feature(const SpecCommand& c) {
  if (c.action) {
    for (const SpecValue& arg : c.action->args) {
      if (!arg.needs.empty()) return arg.needs;
    }
  }
  for (const auto& alternatives : c.expected) {
    for (const SpecValue& v : alternatives) {
      if (!v.needs.empty()) return v.needs;
    }
  }
  return {};
}

// What a custom assertion keel's parser and decoder do not catch is skipped as.
constexpr const char* kUncheckedCustom = "custom annotations";

bool is_float_nan(uint64_t bits, uint32_t width, NanPattern pattern) {
  uint64_t exponent = width == 32 ? 0x7f800000u : 0x7ff0000000000000u;
  uint64_t quiet = width == 32 ? 0x00400000u : 0x0008000000000000u;
  uint64_t sign = width == 32 ? 0x80000000u : 0x8000000000000000u;
  uint64_t magnitude = bits & ~sign;
  if (pattern == NanPattern::kCanonical) return magnitude == (exponent | quiet);
  return (magnitude & (exponent | quiet)) == (exponent | quiet);
}

bool lane_matches(uint64_t bits, ValType type, uint32_t width, const SpecLane& lane) {
  bool is_float = type == ValType::kF32 || type == ValType::kF64;
  if (is_float && lane.nan != NanPattern::kNone) return is_float_nan(bits, width, lane.nan);
  return bits == lane.bits;
}

uint64_t v128_lane(const Value& v, uint32_t width, size_t index) {
  uint64_t bits = 0;
  std::memcpy(&bits, v.v128 + index * width / 8, width / 8);  // x86-64: little-endian, as wasm
  return bits;
}

Value to_value(const SpecValue& s, const std::function<void*(uint64_t)>& host_ref) {
  switch (s.type) {
    case ValType::kI32:
      return Value::from_i32(static_cast<uint32_t>(s.lanes.at(0).bits));
    case ValType::kI64:
      return Value::from_i64(s.lanes.at(0).bits);
    case ValType::kF32:
      return Value::from_f32_bits(static_cast<uint32_t>(s.lanes.at(0).bits));
    case ValType::kF64:
      return Value::from_f64_bits(s.lanes.at(0).bits);
    case ValType::kV128: {
      Value v = Value::zero(ValType::kV128);
      for (size_t i = 0; i < s.lanes.size(); ++i) {
        std::memcpy(v.v128 + i * s.lane_bits / 8, &s.lanes[i].bits, s.lane_bits / 8);
      }
      return v;
    }
    case ValType::kFuncRef:
    case ValType::kExternRef:
      return Value::from_ref(s.type, s.ref == RefPattern::kHost ? host_ref(s.host) : nullptr);
    case ValType::kBottom:
      break;
  }
  return Value::zero(s.type);
}

class ScriptRun {
 public:
  ScriptRun(SpecEngine& engine, const RunOptions& options, const std::string& defer)
      : engine_(engine), options_(options) {
    result_.deferred_reason = defer;
  }

  void run(const SpecCommand& c) {
    if (c.text_module) {
      ++result_.skipped_text;
      return;
    }
    bool executes = needed_capability(c).has_value();
    if (executes && !result_.deferred_reason.empty()) {
      ++result_.skipped_deferred;
      return;
    }
    if (auto needed = needed_capability(c); needed && !engine_.supports(*needed)) {
      ++result_.skipped_execution;
      return;
    }
    if (std::string feature = needed_feature(c); !feature.empty()) {
      ++result_.skipped_features[feature];
      return;
    }
    // Actions on, and registering, a module that was skipped for a feature.
    if (auto it = skipped_modules_.find(target_module(c));
        (c.action || c.type == CommandType::kRegister) && it != skipped_modules_.end()) {
      ++result_.skipped_features[it->second];
      return;
    }
    switch (c.type) {
      case CommandType::kModule:
        return run_module(c);
      case CommandType::kAssertMalformed:
        return run_assert_rejected(c, ErrorKind::kMalformed);
      case CommandType::kAssertInvalid:
        return run_assert_rejected(c, ErrorKind::kInvalid);
      case CommandType::kAssertMalformedCustom:
        return run_assert_custom(c, ErrorKind::kMalformed);
      case CommandType::kAssertInvalidCustom:
        return run_assert_custom(c, ErrorKind::kInvalid);
      case CommandType::kAssertUnlinkable:
        return run_assert_not_instantiated(c, ErrorKind::kUnlinkable);
      case CommandType::kAssertUninstantiable:
        return run_assert_not_instantiated(c, ErrorKind::kTrap);
      case CommandType::kRegister:
        return run_register(c);
      case CommandType::kAssertReturn:
        return run_assert_return(c);
      case CommandType::kAssertTrap:
        if (!c.action) return run_assert_not_instantiated(c, ErrorKind::kTrap);
        return run_assert_trap(c);
      case CommandType::kAssertExhaustion:
        return run_assert_trap(c);
      case CommandType::kAction:
        return run_action(c);
      case CommandType::kAssertException:
      case CommandType::kUnknown:
        break;
    }
    fail(c, "unknown command type");
  }

  ScriptResult take() { return std::move(result_); }

 private:
  bool instantiates() const {
    return engine_.supports(Capability::kInstantiate) && result_.deferred_reason.empty();
  }

  // The command's module: encoded with the script, or wast2json's file.
  static Result<ModuleBytes> module_of(const SpecCommand& c) {
    if (c.module_error) return *c.module_error;
    if (c.module_bytes) return c.module_bytes;
    return ByteBuffer::from_file(c.module_path.string());
  }

  Status load(const SpecCommand& c) {
    auto bytes = module_of(c);
    if (!bytes) return std::move(bytes).error();
    return engine_.load(*bytes);
  }

  Status instantiate(const SpecCommand& c, const std::string& name) {
    auto bytes = module_of(c);
    if (!bytes) return std::move(bytes).error();
    return engine_.instantiate(*bytes, name);
  }

  void run_module(const SpecCommand& c) {
    Status status = instantiates() && !c.definition_only ? instantiate(c, c.name) : load(c);
    if (!c.definition_only) {
      // It is now the current module, and the named one: skipped if it was; what it needs is
      // what an action on it that fails is skipped for.
      const std::string& needs = module_needs(c);
      bool skipped = !status && !needs.empty();
      std::vector<std::string> keys = {""};
      if (!c.name.empty()) keys.push_back(c.name);
      for (const std::string& key : keys) {
        if (skipped) {
          skipped_modules_[key] = needs;
        } else {
          skipped_modules_.erase(key);
        }
        module_needs_[key] = needs;
      }
    }
    if (status) {
      ++result_.passed;
    } else {
      fail(c, "expected a valid module, got: " + status.error().to_string());
    }
  }

  // The reference interpreter appends an operand to a few trap messages ("uninitialized element
  // 2"); keel's message without it is the same trap, reported as a mismatch rather than failed.
  static bool only_operand_missing(std::string_view actual, std::string_view expected) {
    if (actual.empty() || !expected.starts_with(actual)) return false;
    std::string_view rest = expected.substr(actual.size());
    if (rest.size() < 2 || rest[0] != ' ') return false;
    return rest.substr(1).find_first_not_of("0123456789") == std::string_view::npos;
  }

  // A text-format error without its "file:line:col: " (and a quoted module's "module
  // quote:line:col: "): the part the spec's expected text is compared with.
  static std::string_view without_location(std::string_view message) {
    size_t reason = 0;
    for (size_t i = 0; i < message.size(); ++i) {
      // ":12:7: " ends a location.
      if (message[i] != ':') continue;
      size_t j = i + 1, digits = 0;
      while (j < message.size() && message[j] >= '0' && message[j] <= '9') ++j, ++digits;
      if (digits == 0 || j >= message.size() || message[j] != ':') continue;
      size_t k = j + 1;
      digits = 0;
      while (k < message.size() && message[k] >= '0' && message[k] <= '9') ++k, ++digits;
      if (digits == 0 || message.compare(k, 2, ": ") != 0) continue;
      reason = k + 2;
      i = k + 1;
    }
    return message.substr(reason);
  }

  // The error must be of kind `expected` and its message start with the spec's text. A different
  // message only counts as a mismatch unless `strict` (trap messages are always strict).
  void check_rejection(const SpecCommand& c, const Status& status, ErrorKind expected,
                       bool strict) {
    std::string expectation =
        std::string("expected ") + error_kind_name(expected) + " \"" + c.text + "\"";
    if (status) return fail(c, expectation + ", but it succeeded");
    const Error& error = status.error();
    if (error.kind != expected) return fail(c, expectation + ", got: " + error.to_string());
    std::string_view message = error.message;
    if (c.module_error) message = without_location(message);
    if (!message.starts_with(c.text)) {
      std::string detail = expectation + ", got message: " + error.to_string();
      if (strict && !only_operand_missing(error.message, c.text)) return fail(c, detail);
      result_.mismatches.push_back({c.line, c.type_name + ": " + detail});
      if (options_.strict_messages) return fail(c, detail);
    }
    ++result_.passed;
  }

  void run_assert_rejected(const SpecCommand& c, ErrorKind expected) {
    check_rejection(c, load(c), expected, false);
  }

  // A custom section keel ignores may be malformed or invalid without the module being so: the
  // spec lets an engine that does not interpret it accept the module, or reject it for what else
  // is wrong with it; counted as skipped here.
  void run_assert_custom(const SpecCommand& c, ErrorKind expected) {
    Status status = load(c);
    if (status || status.error().kind != expected) {
      ++result_.skipped_features[kUncheckedCustom];
      return;
    }
    check_rejection(c, status, expected, false);
  }

  void run_assert_not_instantiated(const SpecCommand& c, ErrorKind expected) {
    check_rejection(c, instantiate(c, {}), expected, expected == ErrorKind::kTrap);
  }

  void run_register(const SpecCommand& c) {
    Status status = engine_.register_module(c.name, c.as);
    if (!status) return fail(c, status.error().to_string());
    ++result_.passed;
  }

  Result<std::vector<Value>> perform(const SpecCommand& c) {
    if (!c.action) return make_error(ErrorKind::kUsage, "the command has no action");
    const SpecAction& a = *c.action;
    if (a.type == SpecAction::Type::kGet) {
      auto value = engine_.get_global(a.module, a.field);
      if (!value) return std::move(value).error();
      return std::vector<Value>{*value};
    }
    std::vector<Value> args;
    for (const SpecValue& arg : a.args) {
      if (arg.any_value || (is_ref_type(arg.type) && arg.ref == RefPattern::kAnyNonNull)) {
        return make_error(ErrorKind::kUsage, "argument without a value: " + arg.to_string());
      }
      args.push_back(to_value(arg, host_ref_fn_));
    }
    return engine_.invoke(a.module, a.field, args);
  }

  void run_action(const SpecCommand& c) {
    auto results = perform(c);
    if (!results) return fail(c, results.error().to_string());
    ++result_.passed;
  }

  void run_assert_trap(const SpecCommand& c) {
    auto results = perform(c);
    Status status;
    if (!results) status = std::move(results).error();
    check_rejection(c, status, ErrorKind::kTrap, true);
  }

  void run_assert_return(const SpecCommand& c) {
    auto results = perform(c);
    if (!results) return fail(c, results.error().to_string());
    std::string got;
    for (const Value& v : *results) got += (got.empty() ? "" : " ") + value_text(v);
    bool ok = results->size() == c.expected.size();
    for (size_t i = 0; ok && i < results->size(); ++i) {
      bool any = false;
      for (const SpecValue& alt : c.expected[i])
        any |= value_matches((*results)[i], alt, host_ref_fn_);
      ok = any;
    }
    if (ok) {
      ++result_.passed;
      return;
    }
    std::string want;
    for (const auto& alternatives : c.expected) {
      want += want.empty() ? "" : " ";
      for (size_t j = 0; j < alternatives.size(); ++j)
        want += (j ? "|" : "") + alternatives[j].to_string();
    }
    fail(c, "expected (" + want + "), got (" + got + ")");
  }

  // A command whose module uses a feature keel does not decode yet is skipped under its name.
  void fail(const SpecCommand& c, const std::string& detail) {
    std::string needs = module_needs(c);
    if (c.action && needs.empty()) {
      auto it = module_needs_.find(target_module(c));
      if (it != module_needs_.end()) needs = it->second;
    }
    if (!needs.empty()) {
      ++result_.skipped_features[needs];
      return;
    }
    ++result_.failed;
    result_.failures.push_back({c.line, c.type_name + ": " + detail});
  }

  // externref N: one distinct, stable, non-null address per N for the whole script.
  void* host_ref(uint64_t n) {
    auto& slot = host_refs_[n];
    if (!slot) slot = std::make_unique<uint64_t>(n);
    return slot.get();
  }

  SpecEngine& engine_;
  const RunOptions& options_;
  ScriptResult result_;
  std::map<uint64_t, std::unique_ptr<uint64_t>> host_refs_;
  // Modules (by "$name"; "" is the current one) skipped for a feature: what they need.
  std::map<std::string, std::string> skipped_modules_;
  // Every module's module_needs(), by the same keys, skipped or not.
  std::map<std::string, std::string> module_needs_;

  // What the command's module uses that this engine lacks: beyond decoding, execution too if it
  // executes.
  const std::string& module_needs(const SpecCommand& c) const {
    return instantiates() ? c.module_needs_to_run : c.module_needs;
  }

  // The module an action or `register` names ("" for the current one).
  static const std::string& target_module(const SpecCommand& c) {
    return c.action ? c.action->module : c.name;
  }
  std::function<void*(uint64_t)> host_ref_fn_ = [this](uint64_t n) { return host_ref(n); };
};

}  // namespace

bool value_matches(const Value& actual, const SpecValue& expected,
                   const std::function<void*(uint64_t)>& host_ref) {
  bool any_ref = expected.any_ref_type && is_ref_type(actual.type);
  if (actual.type != expected.type && !any_ref) return false;
  if (expected.any_value) return true;
  switch (expected.type) {
    case ValType::kI32:
    case ValType::kF32:
      return lane_matches(actual.i32, expected.type, 32, expected.lanes.at(0));
    case ValType::kI64:
    case ValType::kF64:
      return lane_matches(actual.i64, expected.type, 64, expected.lanes.at(0));
    case ValType::kV128:
      for (size_t i = 0; i < expected.lanes.size(); ++i) {
        uint64_t bits = v128_lane(actual, expected.lane_bits, i);
        if (!lane_matches(bits, expected.lane_type, expected.lane_bits, expected.lanes[i]))
          return false;
      }
      return true;
    case ValType::kFuncRef:
    case ValType::kExternRef:
      switch (expected.ref) {
        case RefPattern::kNull:
          return actual.ref == nullptr;
        case RefPattern::kAnyNonNull:
          return actual.ref != nullptr;
        case RefPattern::kHost:
          return actual.ref == host_ref(expected.host);
      }
      return false;
    case ValType::kBottom:
      break;
  }
  return false;
}

std::string value_text(const Value& v) {
  std::string s = val_type_name(v.type);
  switch (v.type) {
    case ValType::kI32:
    case ValType::kF32:
      return s + ":" + std::to_string(v.i32);
    case ValType::kI64:
    case ValType::kF64:
      return s + ":" + std::to_string(v.i64);
    case ValType::kV128:
      s += ":i32x4:";
      for (size_t i = 0; i < 4; ++i) s += (i ? " " : "") + std::to_string(v128_lane(v, 32, i));
      return s;
    case ValType::kFuncRef:
    case ValType::kExternRef:
      if (v.ref == nullptr) return s + ":null";
      // The runner's host references hold their N (see host_ref); funcrefs print as non-null.
      return s + ":non-null";
    case ValType::kBottom:
      break;
  }
  return s;
}

ScriptResult run_script(const SpecScript& script, SpecEngine& engine, const RunOptions& options,
                        const std::string& defer_execution) {
  ScriptRun run(engine, options, defer_execution);
  for (const SpecCommand& c : script.commands) run.run(c);
  return run.take();
}

}  // namespace keel::spec

#include "wast_script.h"

#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "text/lexer.h"
#include "text/numbers.h"

namespace keel::spec {
namespace {

using text::Lexed;
using text::Token;
using text::TokenKind;

struct CommandName {
  std::string_view name;
  CommandType type;
};
constexpr CommandName kCommands[] = {
    {"module", CommandType::kModule},
    {"register", CommandType::kRegister},
    {"invoke", CommandType::kAction},
    {"get", CommandType::kAction},
    {"assert_return", CommandType::kAssertReturn},
    {"assert_trap", CommandType::kAssertTrap},
    {"assert_exhaustion", CommandType::kAssertExhaustion},
    {"assert_exception", CommandType::kAssertException},
    {"assert_invalid", CommandType::kAssertInvalid},
    {"assert_malformed", CommandType::kAssertMalformed},
    {"assert_malformed_custom", CommandType::kAssertMalformedCustom},
    {"assert_invalid_custom", CommandType::kAssertInvalidCustom},
    {"assert_unlinkable", CommandType::kAssertUnlinkable},
    {"assert_uninstantiable", CommandType::kAssertUninstantiable},
};

std::optional<CommandType> command_named(std::string_view name) {
  for (const CommandName& c : kCommands) {
    if (c.name == name) return c.type;
  }
  return std::nullopt;
}

struct V128Shape {
  std::string_view name;
  ValType lane_type;
  uint32_t lane_bits;
};
constexpr V128Shape kV128Shapes[] = {
    {"i8x16", ValType::kI32, 8},  {"i16x8", ValType::kI32, 16}, {"i32x4", ValType::kI32, 32},
    {"i64x2", ValType::kI64, 64}, {"f32x4", ValType::kF32, 32}, {"f64x2", ValType::kF64, 64},
};

class ScriptParser {
 public:
  ScriptParser(std::string_view file, std::string_view source, const Lexed& lexed,
               const text::WatOptions& options)
      : file_(file), src_(source), lx_(lexed), options_(options) {}

  Result<SpecScript> parse() {
    SpecScript script;
    script.source = std::filesystem::path(file_);
    // A script of bare module fields is one module (as inline-module.wast is).
    if (at(TokenKind::kLParen) && at(TokenKind::kKeyword, 1) && !command_named(text_of(peek(1)))) {
      SpecCommand c;
      c.type = CommandType::kModule;
      c.type_name = "module";
      c.line = 1;
      text::Wasm3Use used;
      set_module(c, text::wat_to_wasm(file_, src_, options_, &used));
      set_needs(c, used);
      script.commands.push_back(std::move(c));
      return script;
    }
    while (!at(TokenKind::kEof)) {
      auto c = command();
      if (!c) return std::move(c).error();
      script.commands.push_back(std::move(*c));
    }
    return script;
  }

 private:
  const Token& peek(size_t ahead = 0) const {
    return lx_.tokens[std::min(pos_ + ahead, lx_.tokens.size() - 1)];
  }
  std::string_view text_of(const Token& t) const { return src_.substr(t.offset, t.length); }
  bool at(TokenKind kind, size_t ahead = 0) const { return peek(ahead).kind == kind; }
  bool at_keyword(std::string_view kw, size_t ahead = 0) const {
    return at(TokenKind::kKeyword, ahead) && text_of(peek(ahead)) == kw;
  }
  Error error_here(std::string_view message) const {
    return text::text_error(file_, src_, peek().offset, message);
  }
  Error unexpected(std::string_view expected) const {
    if (at(TokenKind::kEof))
      return error_here("unexpected end of script, expected " + std::string(expected));
    return error_here("unexpected \"" + std::string(text_of(peek())) + "\", expected " +
                      std::string(expected));
  }
  Status expect(TokenKind kind, std::string_view what) {
    if (!at(kind)) return unexpected(what);
    ++pos_;
    return {};
  }
  Result<std::string> expect_string(std::string_view what) {
    if (!at(TokenKind::kString)) return unexpected(what);
    return lx_.strings[lx_.tokens[pos_++].string];
  }
  // A `$name`, spelt as wast2json spells module names.
  std::optional<std::string> take_id() {
    if (!at(TokenKind::kId)) return std::nullopt;
    return "$" + lx_.strings[lx_.tokens[pos_++].string];
  }
  // From a `(` to just past its `)`; `(@custom` opens a list too.
  void skip_list() { pos_ = end_of_list(lx_, pos_); }

  static void set_module(SpecCommand& c, Result<std::vector<uint8_t>> encoded) {
    if (encoded) {
      c.module_bytes = ByteBuffer::adopt(std::move(*encoded));
    } else {
      c.module_error = std::move(encoded).error();
    }
  }

  static void set_needs(SpecCommand& c, const text::Wasm3Use& used) {
    c.module_needs = used.first_undecoded();
    c.module_needs_to_run = used.first();
  }

  // `(module ...)` in any form: encoded, or the error that says why not.
  Status module(SpecCommand& c) {
    if (!at(TokenKind::kLParen) || !at_keyword("module", 1)) return unexpected("(module ...)");
    if (at_keyword("instance", 2)) return instance(c);
    c.definition_only = at_keyword("definition", 2);
    size_t id_at = c.definition_only ? 3 : 2;
    if (at(TokenKind::kId, id_at)) c.name = "$" + lx_.strings[peek(id_at).string];
    size_t start = pos_;
    text::Wasm3Use used;
    auto encoded = text::encode_module(file_, src_, lx_, pos_, options_, &used);
    if (!encoded) {
      pos_ = start;
      skip_list();
    }
    set_module(c, std::move(encoded));
    set_needs(c, used);
    if (c.definition_only && !c.name.empty()) definitions_[c.name] = c;
    return {};
  }

  // `(module instance $i? $m)`: a module command instantiating definition $m's bytes as $i.
  Status instance(SpecCommand& c) {
    pos_ += 3;
    std::optional<std::string> first = take_id();
    std::optional<std::string> second = take_id();
    const std::optional<std::string>& definition = second ? second : first;
    if (!definition) return unexpected("the name of a module definition");
    auto it = definitions_.find(*definition);
    if (it == definitions_.end()) {
      return text::text_error(file_, src_, lx_.tokens[pos_ - 1].offset,
                              "unknown module definition " + *definition);
    }
    c.module_bytes = it->second.module_bytes;
    c.module_error = it->second.module_error;
    c.module_needs = it->second.module_needs;
    c.module_needs_to_run = it->second.module_needs_to_run;
    c.name = second ? *first : "";
    return expect(TokenKind::kRParen, ")");
  }

  Result<SpecLane> lane(ValType type, uint32_t bits, bool result) {
    if (!at(TokenKind::kNat) && !at(TokenKind::kInt) && !at(TokenKind::kFloat) &&
        !at(TokenKind::kKeyword))
      return unexpected("a number");
    std::string_view t = text_of(peek());
    bool is_float = type == ValType::kF32 || type == ValType::kF64;
    SpecLane lane;
    if (is_float && result && t == "nan:canonical") {
      lane.nan = NanPattern::kCanonical;
    } else if (is_float && result && t == "nan:arithmetic") {
      lane.nan = NanPattern::kArithmetic;
    } else if (type == ValType::kF32) {
      auto v = text::parse_f32(t);
      if (!v) return error_here("bad f32 literal \"" + std::string(t) + "\"");
      lane.bits = *v;
    } else if (type == ValType::kF64) {
      auto v = text::parse_f64(t);
      if (!v) return error_here("bad f64 literal \"" + std::string(t) + "\"");
      lane.bits = *v;
    } else {
      auto v = text::parse_integer(t, bits);
      if (!v)
        return error_here("bad i" + std::to_string(bits) + " literal \"" + std::string(t) + "\"");
      lane.bits = *v;
    }
    ++pos_;
    return lane;
  }

  // `(i32.const 1)`, `(f32.const nan:canonical)`, `(v128.const i8x16 ...)`, `(ref.null func)`,
  // `(ref.extern 1)`, `(ref.func)`, Wasm 3.0's `(ref.i31)` and the like; the patterns only when
  // `result`.
  Result<SpecValue> value(bool result) {
    if (Status s = expect(TokenKind::kLParen, "a value"); !s) return std::move(s).error();
    if (!at(TokenKind::kKeyword)) return unexpected("a value");
    std::string_view op = text_of(peek());
    ++pos_;
    SpecValue v;
    auto scalar = [&](ValType type, uint32_t bits) -> Status {
      v.type = v.lane_type = type;
      v.lane_bits = bits;
      auto l = lane(type, bits, result);
      if (!l) return std::move(l).error();
      v.lanes.push_back(*l);
      return {};
    };
    Status status;
    if (op == "i32.const") {
      status = scalar(ValType::kI32, 32);
    } else if (op == "i64.const") {
      status = scalar(ValType::kI64, 64);
    } else if (op == "f32.const") {
      status = scalar(ValType::kF32, 32);
    } else if (op == "f64.const") {
      status = scalar(ValType::kF64, 64);
    } else if (op == "v128.const") {
      const V128Shape* shape = nullptr;
      for (const V128Shape& s : kV128Shapes) {
        if (at_keyword(s.name)) shape = &s;
      }
      if (!shape) return unexpected("a v128 shape (i8x16 ... f64x2)");
      ++pos_;
      v.type = ValType::kV128;
      v.lane_type = shape->lane_type;
      v.lane_bits = shape->lane_bits;
      for (uint32_t i = 0; i < 128 / shape->lane_bits; ++i) {
        auto l = lane(shape->lane_type, shape->lane_bits, result);
        if (!l) return std::move(l).error();
        v.lanes.push_back(*l);
      }
    } else if (op == "ref.null") {
      if (Status s = null_pattern(v, result); !s) return std::move(s).error();
    } else if (op == "ref.extern" || op == "ref.func") {
      v.type = op == "ref.extern" ? ValType::kExternRef : ValType::kFuncRef;
      v.ref = RefPattern::kAnyNonNull;
      if (op == "ref.extern" && at(TokenKind::kNat)) {
        auto n = text::parse_unsigned(text_of(peek()), UINT64_MAX);
        if (!n) return error_here("bad host reference");
        ++pos_;
        v.ref = RefPattern::kHost;
        v.host = *n;
      } else if (!result) {
        return unexpected("a host reference number");
      }
    } else if (const char* feature = reference_feature(op)) {
      // Wasm 3.0's references keel has no values for yet: `(ref.host 1)` (an anyref from the
      // host), and results of a kind (`(ref.i31)`, `(ref.struct)`, `(ref.exn)`, ...).
      if (op == "ref.host" ? !at(TokenKind::kNat) : !result) return unexpected("a reference");
      if (at(TokenKind::kNat)) ++pos_;
      v.type = ValType::kExternRef;
      v.needs = feature;
    } else {
      --pos_;
      return unexpected("a value (i32.const ... ref.func)");
    }
    if (!status) return std::move(status).error();
    if (Status s = expect(TokenKind::kRParen, ")"); !s) return std::move(s).error();
    return v;
  }

  // The feature a Wasm 3.0 reference pattern needs, or null if `op` is not one.
  static const char* reference_feature(std::string_view op) {
    for (std::string_view gc :
         {"ref.host", "ref.any", "ref.eq", "ref.i31", "ref.struct", "ref.array"}) {
      if (op == gc) return "gc";
    }
    return op == "ref.exn" ? "exnref" : nullptr;
  }

  // `(ref.null func)` and `(ref.null extern)`, their bottom types, Wasm 3.0's other heap types
  // (a feature keel lacks), and in results a bare `(ref.null)`: a null of any type.
  Status null_pattern(SpecValue& v, bool result) {
    v.ref = RefPattern::kNull;
    v.type = ValType::kFuncRef;
    if (at(TokenKind::kRParen) && result) {
      v.any_ref_type = true;
      return {};
    }
    std::string_view heap = at(TokenKind::kKeyword) ? text_of(peek()) : "";
    if (heap == "extern" || heap == "noextern") {
      v.type = ValType::kExternRef;
    } else if (heap == "exn" || heap == "noexn") {
      v.needs = "exnref";
    } else if (heap == "any" || heap == "none" || heap == "eq" || heap == "i31" ||
               heap == "struct" || heap == "array") {
      v.needs = "gc";
    } else if (at(TokenKind::kId) || at(TokenKind::kNat)) {
      v.needs = "function-references";  // a null of a defined type
    } else if (heap != "func" && heap != "nofunc") {
      return unexpected("a heap type (func, extern, any, ...)");
    }
    ++pos_;
    return {};
  }

  // `(invoke $m? "name" arg*)` or `(get $m? "name")`.
  Result<SpecAction> action() {
    if (!at(TokenKind::kLParen) || !(at_keyword("invoke", 1) || at_keyword("get", 1)))
      return unexpected("(invoke ...) or (get ...)");
    SpecAction a;
    a.type = at_keyword("get", 1) ? SpecAction::Type::kGet : SpecAction::Type::kInvoke;
    pos_ += 2;
    if (auto id = take_id()) a.module = *id;
    auto field = expect_string("an export name");
    if (!field) return std::move(field).error();
    a.field = std::move(*field);
    while (a.type == SpecAction::Type::kInvoke && at(TokenKind::kLParen)) {
      auto arg = value(false);
      if (!arg) return std::move(arg).error();
      a.args.push_back(std::move(*arg));
    }
    if (Status s = expect(TokenKind::kRParen, ")"); !s) return std::move(s).error();
    return a;
  }

  Status expected_results(SpecCommand& c) {
    while (at(TokenKind::kLParen)) {
      if (at_keyword("either", 1)) {
        pos_ += 2;
        std::vector<SpecValue> alternatives;
        while (at(TokenKind::kLParen)) {
          auto v = value(true);
          if (!v) return std::move(v).error();
          alternatives.push_back(std::move(*v));
        }
        if (Status s = expect(TokenKind::kRParen, ")"); !s) return s;
        c.expected.push_back(std::move(alternatives));
        continue;
      }
      auto v = value(true);
      if (!v) return std::move(v).error();
      c.expected.push_back({std::move(*v)});
    }
    return {};
  }

  Status message(SpecCommand& c) {
    auto text = expect_string("the expected message");
    if (!text) return std::move(text).error();
    c.text = std::move(*text);
    return {};
  }

  Result<SpecCommand> command() {
    if (!at(TokenKind::kLParen)) return unexpected("a command");
    SpecCommand c;
    c.line = text::position_of(src_, peek().offset).line;
    std::optional<CommandType> type;
    if (at(TokenKind::kKeyword, 1)) type = command_named(text_of(peek(1)));
    if (!type) {
      pos_ += 1;
      return unexpected("a command (module, register, invoke, get, assert_...)");
    }
    c.type = *type;
    c.type_name = c.type == CommandType::kAction ? "action" : std::string(text_of(peek(1)));
    Status status;
    switch (c.type) {
      case CommandType::kModule:
        status = module(c);
        if (!status) return std::move(status).error();
        return c;
      case CommandType::kAction: {
        auto a = action();
        if (!a) return std::move(a).error();
        c.action = std::move(*a);
        return c;
      }
      default:
        break;
    }
    pos_ += 2;
    switch (c.type) {
      case CommandType::kRegister: {
        auto as = expect_string("the name to register under");
        if (!as) return std::move(as).error();
        c.as = std::move(*as);
        if (auto id = take_id()) c.name = *id;
        break;
      }
      case CommandType::kAssertReturn:
      case CommandType::kAssertException:
        status = action_into(c);
        if (status && c.type == CommandType::kAssertReturn) status = expected_results(c);
        break;
      case CommandType::kAssertExhaustion:
        status = action_into(c);
        if (status) status = message(c);
        break;
      case CommandType::kAssertTrap:
        status = at_keyword("module", 1) ? module(c) : action_into(c);
        if (status) status = message(c);
        break;
      default:  // the module assertions, custom ones included
        status = module(c);
        if (status) status = message(c);
        break;
    }
    if (status) status = expect(TokenKind::kRParen, ")");
    if (!status) return std::move(status).error();
    return c;
  }

  Status action_into(SpecCommand& c) {
    auto a = action();
    if (!a) return std::move(a).error();
    c.action = std::move(*a);
    return {};
  }

  std::string_view file_;
  std::string_view src_;
  const Lexed& lx_;
  text::WatOptions options_;
  size_t pos_ = 0;
  std::map<std::string, SpecCommand> definitions_;  // `(module definition $m ...)` by name
};

}  // namespace

Result<SpecScript> parse_wast_script(std::string_view file, std::string_view source,
                                     const text::WatOptions& options) {
  auto lexed = text::lex(file, source);
  if (!lexed) return std::move(lexed).error();
  return ScriptParser(file, source, *lexed, options).parse();
}

Result<SpecScript> read_wast_script(const std::filesystem::path& wast,
                                    const text::WatOptions& options) {
  std::ifstream in(wast, std::ios::binary);
  if (!in) return make_error(ErrorKind::kIo, "cannot open " + wast.string());
  std::string source((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto script = parse_wast_script(wast.string(), source, options);
  if (script) script->source = wast;
  return script;
}

Result<std::vector<std::shared_ptr<const ByteBuffer>>> read_wast_modules(
    const std::filesystem::path& wast, const text::WatOptions& options) {
  auto script = read_wast_script(wast, options);
  if (!script) return std::move(script).error();
  std::vector<std::shared_ptr<const ByteBuffer>> modules;
  for (const SpecCommand& c : script->commands) {
    if (c.module_bytes) modules.push_back(c.module_bytes);
  }
  return modules;
}

}  // namespace keel::spec

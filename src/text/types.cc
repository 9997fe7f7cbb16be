// Value, reference and heap types, type uses, type definitions (func, struct, array, sub, rec)
// and the limits of tables and memories.
#include <bit>
#include <cstring>

#include "text/module_parser.h"
#include "text/numbers.h"

namespace keel::text {

namespace {

struct NamedType {
  std::string_view name;
  uint8_t code;
};

constexpr NamedType kNumericTypes[] = {
    {"i32", 0x7f}, {"i64", 0x7e}, {"f32", 0x7d}, {"f64", 0x7c}, {"v128", 0x7b},
};
// Nullable shorthands: `funcref` is `(ref null func)`.
constexpr NamedType kRefShorthands[] = {
    {"funcref", 0x70}, {"externref", 0x6f},   {"anyref", 0x6e},        {"eqref", 0x6d},
    {"i31ref", 0x6c},  {"structref", 0x6b},   {"arrayref", 0x6a},      {"exnref", 0x69},
    {"nullref", 0x71}, {"nullfuncref", 0x73}, {"nullexternref", 0x72}, {"nullexnref", 0x74},
};
constexpr NamedType kAbstractHeapTypes[] = {
    {"func", 0x70}, {"extern", 0x6f}, {"any", 0x6e},      {"eq", 0x6d},
    {"i31", 0x6c},  {"struct", 0x6b}, {"array", 0x6a},    {"exn", 0x69},
    {"none", 0x71}, {"nofunc", 0x73}, {"noextern", 0x72}, {"noexn", 0x74},
};

template <size_t N>
std::optional<uint8_t> lookup(const NamedType (&table)[N], std::string_view name) {
  for (const NamedType& t : table)
    if (t.name == name) return t.code;
  return std::nullopt;
}

}  // namespace

bool ModuleParser::at_value_type() const {
  if (at(TokenKind::kKeyword)) {
    std::string_view kw = text_of(peek());
    return lookup(kNumericTypes, kw) || lookup(kRefShorthands, kw);
  }
  return at_list("ref");
}

// What a reference type's heap type (its one-byte code) needs beyond Wasm 2.0.
void ModuleParser::use_heap_code(uint8_t code) {
  if (code == 0x69 || code == 0x74) {
    uses_.exnref = true;
  } else if (code != 0x70 && code != 0x6f) {
    uses_.gc = true;
  }
}

void ModuleParser::use_feature(Feature feature) {
  if (feature == Feature::kGc) uses_.gc = true;
  if (feature == Feature::kFunctionReferences) uses_.function_references = true;
  if (feature == Feature::kExnref) uses_.exnref = true;
  if (feature == Feature::kExceptions) uses_.exceptions = true;
  if (feature == Feature::kTailCall) uses_.tail_call = true;
  if (feature == Feature::kRelaxedSimd) uses_.relaxed_simd = true;
}

Result<Bytes> ModuleParser::heap_type() {
  if (at(TokenKind::kKeyword)) {
    if (auto code = lookup(kAbstractHeapTypes, text_of(peek()))) {
      ++pos_;
      use_heap_code(*code);
      return Bytes(1, static_cast<char>(*code));
    }
    return error_at(peek(), "unknown heap type \"" + std::string(text_of(peek())) + "\"");
  }
  uses_.function_references = true;  // a defined type
  auto type = index(Space::kType);
  if (!type) return std::move(type).error();
  Bytes out;
  put_s64(out, *type);
  return out;
}

Result<Bytes> ModuleParser::ref_type() {
  if (at(TokenKind::kKeyword)) {
    if (auto code = lookup(kRefShorthands, text_of(peek()))) {
      ++pos_;
      use_heap_code(*code);
      return Bytes(1, static_cast<char>(*code));
    }
    return unexpected();
  }
  if (!at_list("ref")) return unexpected();
  pos_ += 2;
  bool nullable = false;
  if (at_keyword("null")) nullable = true, ++pos_;
  if (!nullable) uses_.function_references = true;
  auto heap = heap_type();
  if (!heap) return heap;
  KEEL_TRY(expect(TokenKind::kRParen));
  // `(ref null func)` is written as its shorthand, as the binary format's short forms are.
  if (nullable && heap->size() == 1 && static_cast<uint8_t>((*heap)[0]) >= 0x69) return heap;
  Bytes out(1, static_cast<char>(nullable ? 0x63 : 0x64));
  out += *heap;
  return out;
}

Result<Bytes> ModuleParser::value_type() {
  if (at(TokenKind::kKeyword)) {
    if (auto code = lookup(kNumericTypes, text_of(peek()))) {
      ++pos_;
      return Bytes(1, static_cast<char>(*code));
    }
  }
  return ref_type();
}

// `(param $x t)` / `(param t*)` and `(result t*)` clauses, in that order.
Status ModuleParser::params_and_results(FuncSig& sig, std::vector<std::string_view>* names) {
  while (at_list("param")) {
    pos_ += 2;
    if (at(TokenKind::kId)) {
      if (!names) return error_at(peek(), "unexpected token: a parameter name is not allowed here");
      std::string_view name = string_of(peek());
      ++pos_;
      auto type = value_type();
      if (!type) return std::move(type).error();
      sig.params.push_back(std::move(*type));
      names->push_back(name);
      KEEL_TRY(expect(TokenKind::kRParen));
      continue;
    }
    while (!at(TokenKind::kRParen)) {
      auto type = value_type();
      if (!type) return std::move(type).error();
      sig.params.push_back(std::move(*type));
      if (names) names->push_back({});
    }
    ++pos_;
  }
  while (at_list("result")) {
    pos_ += 2;
    while (!at(TokenKind::kRParen)) {
      auto type = value_type();
      if (!type) return std::move(type).error();
      sig.results.push_back(std::move(*type));
    }
    ++pos_;
  }
  if (at_list("param")) return error_at(peek(1), "unexpected token \"param\" after the results");
  return {};
}

Bytes encode_func_type(const FuncSig& sig) {
  Bytes out(1, '\x60');
  put_u32(out, static_cast<uint32_t>(sig.params.size()));
  for (const Bytes& t : sig.params) out += t;
  put_u32(out, static_cast<uint32_t>(sig.results.size()));
  for (const Bytes& t : sig.results) out += t;
  return out;
}

uint32_t ModuleParser::implicit_type(const FuncSig& sig) {
  Bytes encoded = encode_func_type(sig);
  auto [it, inserted] = matchable_types_.try_emplace(encoded, static_cast<uint32_t>(types_.size()));
  if (!inserted) return it->second;
  types_.push_back({true, true, sig, {}});
  type_section_ += encoded;
  ++type_entries_;
  return it->second;
}

Result<TypeUse> ModuleParser::type_use(bool names_allowed) {
  TypeUse use;
  bool explicit_type = false;
  const Token& where = peek();
  if (at_list("type")) {
    pos_ += 2;
    auto type = index(Space::kType);
    if (!type) return std::move(type).error();
    KEEL_TRY(expect(TokenKind::kRParen));
    if (*type < types_.size() && !types_[*type].is_func)
      return error_at(where, "type " + std::to_string(*type) + " is not a function type");
    use.index = *type;
    explicit_type = true;
  }
  KEEL_TRY(params_and_results(use.sig, names_allowed ? &use.param_names : nullptr));
  // An index beyond the types is the validator's to reject; the inline signature stands.
  if (explicit_type && use.index >= types_.size()) {
    if (!use.sig.params.empty() || !use.sig.results.empty())
      return error_at(where, "unknown type " + std::to_string(use.index));
    if (!names_allowed) use.param_names.assign(use.sig.params.size(), {});
    return use;
  }
  if (explicit_type) {
    const FuncSig& declared = types_[use.index].sig;
    if (use.sig.params.empty() && use.sig.results.empty()) {
      use.sig = declared;
      use.param_names.assign(declared.params.size(), {});
    } else if (use.sig != declared) {
      return error_at(where, "inline function type does not match the type it names");
    }
    return use;
  }
  if (!names_allowed) use.param_names.assign(use.sig.params.size(), {});
  use.index = implicit_type(use.sig);
  return use;
}

// A struct field's or array's element: `(mut st)` or `st`, st a value type, i8 or i16.
Status ModuleParser::field_type(Bytes& out) {
  bool mut = false;
  if (at_list("mut")) mut = true, pos_ += 2;
  if (at_keyword("i8")) {
    put_byte(out, 0x78), ++pos_;
  } else if (at_keyword("i16")) {
    put_byte(out, 0x77), ++pos_;
  } else {
    auto t = value_type();
    if (!t) return std::move(t).error();
    out += *t;
  }
  if (mut) KEEL_TRY(expect(TokenKind::kRParen));
  put_byte(out, mut ? 1 : 0);
  return {};
}

// `(type $t? def)`, where def is a func, struct or array type, possibly under `(sub final? x*)`.
Status ModuleParser::type_field(Bytes& group, uint32_t& count) {
  KEEL_TRY(expect(TokenKind::kLParen));
  KEEL_TRY(expect_keyword("type"));
  take_id();
  TypeDef def;
  Bytes encoded;
  bool is_sub = false;
  if (at_list("sub")) {
    uses_.gc = true;
    is_sub = true;
    pos_ += 2;
    bool final = false;
    if (at_keyword("final")) final = true, ++pos_;
    std::vector<uint32_t> supers;
    while (!at(TokenKind::kLParen)) {
      auto super = index(Space::kType);
      if (!super) return std::move(super).error();
      supers.push_back(*super);
    }
    put_byte(encoded, final ? 0x4f : 0x50);
    put_u32(encoded, static_cast<uint32_t>(supers.size()));
    for (uint32_t s : supers) put_u32(encoded, s);
  }
  KEEL_TRY(expect(TokenKind::kLParen));
  const Token& kind = peek();
  if (at_keyword("func")) {
    ++pos_;
    def.is_func = true;
    std::vector<std::string_view> names;
    KEEL_TRY(params_and_results(def.sig, &names));
    encoded += encode_func_type(def.sig);
  } else if (at_keyword("struct")) {
    uses_.gc = true;
    ++pos_;
    Bytes fields;
    uint32_t n = 0;
    while (at_list("field")) {
      pos_ += 2;
      if (auto name = take_id()) {  // a named field declares exactly one
        for (std::string_view other : def.field_names)
          if (other == *name)
            return error_at(lx_.tokens[pos_ - 1], "duplicate field $" + std::string(*name));
        KEEL_TRY(field_type(fields));
        def.field_names.push_back(*name);
        ++n;
      } else {
        for (; !at(TokenKind::kRParen); ++n) {
          KEEL_TRY(field_type(fields));
          def.field_names.emplace_back();
        }
      }
      KEEL_TRY(expect(TokenKind::kRParen));
    }
    put_byte(encoded, 0x5f);
    put_vector(encoded, n, fields);
  } else if (at_keyword("array")) {
    uses_.gc = true;
    ++pos_;
    put_byte(encoded, 0x5e);
    KEEL_TRY(field_type(encoded));
  } else {
    return error_at(kind, "unexpected token: expected func, struct or array");
  }
  KEEL_TRY(expect(TokenKind::kRParen));
  if (is_sub) KEEL_TRY(expect(TokenKind::kRParen));
  KEEL_TRY(expect(TokenKind::kRParen));
  def.matchable = def.is_func && !is_sub;
  group += encoded;
  ++count;
  types_.push_back(std::move(def));
  return {};
}

Status ModuleParser::rec_field() {
  uses_.gc = true;
  pos_ += 2;  // `(rec`
  Bytes group;
  uint32_t count = 0;
  size_t first = types_.size();
  while (at_list("type")) KEEL_TRY(type_field(group, count));
  KEEL_TRY(expect(TokenKind::kRParen));
  for (size_t i = first; i < types_.size(); ++i) types_[i].matchable = false;
  put_byte(type_section_, 0x4e);
  put_vector(type_section_, count, group);
  ++type_entries_;
  return {};
}

Result<Bytes> ModuleParser::limits(bool& is64, bool allow_shared) {
  uint64_t max_value = is64 || options_.u64_limits_and_offsets ? UINT64_MAX : UINT32_MAX;
  const Token& min_token = peek();
  if (!at(TokenKind::kNat)) return unexpected();
  const char* range =
      max_value == UINT32_MAX ? "i32 constant out of range" : "i64 constant out of range";
  auto min = parse_unsigned(text_of(min_token), max_value);
  if (!min) return error_at(min_token, range);
  ++pos_;
  std::optional<uint64_t> max;
  if (at(TokenKind::kNat)) {
    max = parse_unsigned(text_of(peek()), max_value);
    if (!max) return error_at(peek(), range);
    ++pos_;
  }
  bool shared = false;
  if (allow_shared && at_keyword("shared")) shared = true, ++pos_;
  uint8_t flags = (max ? 1 : 0) | (shared ? 2 : 0) | (is64 ? 4 : 0);
  Bytes out(1, static_cast<char>(flags));
  put_u64(out, *min);
  if (max) put_u64(out, *max);
  return out;
}

Result<Bytes> ModuleParser::table_type() {
  bool is64 = false;
  if (at_keyword("i64"))
    is64 = true, ++pos_;
  else if (at_keyword("i32"))
    ++pos_;
  uses_.table64 |= is64;
  auto lim = limits(is64, false);
  if (!lim) return lim;
  auto ref = ref_type();
  if (!ref) return ref;
  return *ref + *lim;
}

Result<Bytes> ModuleParser::memory_type(bool& is64) {
  is64 = false;
  if (at_keyword("i64"))
    is64 = true, ++pos_;
  else if (at_keyword("i32"))
    ++pos_;
  uses_.memory64 |= is64;
  auto type = limits(is64, true);
  if (!type) return type;
  auto page_size = custom_page_size();
  if (!page_size) return std::move(page_size).error();
  if (*page_size) {
    (*type)[0] = static_cast<char>((*type)[0] | 0x08);
    put_u32(*type, static_cast<uint32_t>(std::countr_zero(**page_size)));
  }
  return type;
}

// The custom-page-sizes proposal's `(pagesize N)`, N a power of two; nullopt without one.
Result<std::optional<uint64_t>> ModuleParser::custom_page_size() {
  if (!at_list("pagesize")) return std::optional<uint64_t>();
  pos_ += 2;
  const Token& t = peek();
  auto size = t.kind == TokenKind::kNat ? parse_unsigned(text_of(t), UINT32_MAX) : std::nullopt;
  if (!size || !std::has_single_bit(*size)) return error_at(t, "invalid custom page size");
  ++pos_;
  KEEL_TRY(expect(TokenKind::kRParen));
  return std::optional<uint64_t>(*size);
}

Result<Bytes> ModuleParser::global_type() {
  if (at_list("mut")) {
    pos_ += 2;
    auto t = value_type();
    if (!t) return t;
    KEEL_TRY(expect(TokenKind::kRParen));
    return *t + '\x01';
  }
  auto t = value_type();
  if (!t) return t;
  return *t + '\x00';
}

}  // namespace keel::text

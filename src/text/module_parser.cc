#include "text/module_parser.h"

#include <algorithm>
#include <bit>

#include "text/instructions.h"
#include "text/numbers.h"

namespace keel::text {

namespace {

constexpr std::string_view kSpaceNames[] = {
    "type", "function", "table", "memory", "global", "tag", "elem segment", "data segment",
};

constexpr uint8_t kSectionOrder[] = {1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11};

std::optional<uint8_t> section_id(std::string_view name) {
  static constexpr std::pair<std::string_view, uint8_t> kNames[] = {
      {"type", 1},   {"import", 2},     {"func", 3},  {"table", 4}, {"memory", 5},
      {"global", 6}, {"export", 7},     {"start", 8}, {"elem", 9},  {"code", 10},
      {"data", 11},  {"datacount", 12}, {"tag", 13},
  };
  for (auto [n, id] : kNames)
    if (n == name) return id;
  return std::nullopt;
}

std::optional<Space> import_space(std::string_view kind) {
  if (kind == "func") return Space::kFunc;
  if (kind == "table") return Space::kTable;
  if (kind == "memory") return Space::kMemory;
  if (kind == "global") return Space::kGlobal;
  if (kind == "tag") return Space::kTag;
  return std::nullopt;
}

}  // namespace

// In the spec's words: a word no token class takes (a malformed number, say) is an "unknown
// operator", anything else out of place an "unexpected token".
Error ModuleParser::unexpected() const {
  const Token& t = peek();
  if (t.kind == TokenKind::kEof) return error_at(t, "unexpected end of input");
  if (t.kind == TokenKind::kReserved)
    return error_at(t, "unknown operator \"" + std::string(text_of(t)) + "\"");
  return error_at(t, "unexpected token \"" + std::string(text_of(t)) + "\"");
}

Status ModuleParser::expect(TokenKind kind) {
  if (!at(kind)) return unexpected();
  ++pos_;
  return {};
}

Status ModuleParser::expect_keyword(std::string_view kw) {
  if (!at_keyword(kw)) return unexpected();
  ++pos_;
  return {};
}

Result<Bytes> ModuleParser::expect_string() {
  if (!at(TokenKind::kString)) return unexpected();
  return Bytes(string_of(lx_.tokens[pos_++]));
}

Result<Bytes> ModuleParser::expect_name() {
  const Token& t = peek();
  auto name = expect_string();
  if (name && !is_valid_utf8(*name)) return error_at(t, "malformed UTF-8 encoding");
  return name;
}

std::optional<std::string_view> ModuleParser::take_id() {
  if (!at(TokenKind::kId)) return std::nullopt;
  return string_of(lx_.tokens[pos_++]);
}

Result<uint32_t> ModuleParser::take_u32() {
  const Token& t = peek();
  auto value = parse_unsigned(text_of(t), UINT32_MAX);
  if (!value) return error_at(t, "constant out of range");
  ++pos_;
  return static_cast<uint32_t>(*value);
}

void ModuleParser::skip_list() {
  pos_ = end_of_list(lx_, pos_);
}

Status ModuleParser::define(Space space, std::optional<std::string_view> id) {
  IndexSpace& s = spaces_[static_cast<size_t>(space)];
  if (id && !s.names.try_emplace(*id, s.count).second) {
    const Token& taken = lx_.tokens[pos_ - 1];
    return error_at(taken, "duplicate " + std::string(kSpaceNames[static_cast<size_t>(space)]) +
                               " " + std::string(text_of(taken)));
  }
  ++s.count;
  return {};
}

Result<uint32_t> ModuleParser::index_in(const IndexSpace& space, std::string_view what) {
  const Token& t = peek();
  if (t.kind == TokenKind::kNat) {
    return take_u32();
  }
  if (t.kind == TokenKind::kId) {
    auto it = space.names.find(string_of(t));
    if (it == space.names.end())
      return error_at(t, "unknown " + std::string(what) + " " + std::string(text_of(t)));
    ++pos_;
    return it->second;
  }
  return error_at(t, "unexpected token \"" + std::string(text_of(t)) + "\", expected " +
                         std::string(what) + " index");
}

Result<uint32_t> ModuleParser::index(Space space) {
  return index_in(spaces_[static_cast<size_t>(space)], kSpaceNames[static_cast<size_t>(space)]);
}

// Pass 1: identifiers of every index space, inline imports and segments included, and the index
// type of each memory (a memarg's offset range depends on it). Imports come first in every
// index space of the binary, so the text must put them before any definition.
Status ModuleParser::collect_names(size_t begin) {
  pos_ = begin;
  std::string_view defined_before;  // the kind of the latest definition, if any
  while (!at(TokenKind::kRParen) && !at(TokenKind::kEof)) {
    if (at(TokenKind::kCustomAnnotation)) {
      skip_list();
      continue;
    }
    if (!at(TokenKind::kLParen) || !at(TokenKind::kKeyword, 1)) return unexpected();
    size_t field_begin = pos_;
    const Token& where = peek(1);
    std::string_view kw = text_of(where);
    pos_ += 2;
    if (kw == "type") {
      KEEL_TRY(define(Space::kType, take_id()));
    } else if (kw == "rec") {
      while (at_list("type")) {
        size_t type_start = pos_;
        pos_ += 2;
        KEEL_TRY(define(Space::kType, take_id()));
        pos_ = type_start;
        skip_list();
      }
    } else if (kw == "import") {
      if (!defined_before.empty())
        return error_at(where, "import after " + std::string(defined_before));
      if (!at(TokenKind::kString) || !at(TokenKind::kString, 1) || !at(TokenKind::kLParen, 2) ||
          !at(TokenKind::kKeyword, 3))
        return at(TokenKind::kString) && at(TokenKind::kString, 1) ? (pos_ += 2, unexpected())
                                                                   : unexpected();
      auto space = import_space(text_of(peek(3)));
      if (!space) return (pos_ += 3, unexpected());
      pos_ += 4;
      KEEL_TRY(define(*space, take_id()));
      if (*space == Space::kMemory) memory64_.push_back(at_keyword("i64"));
    } else if (kw == "func" || kw == "table" || kw == "memory" || kw == "global" || kw == "tag") {
      Space space = *import_space(kw);
      KEEL_TRY(define(space, take_id()));
      while (at_list("export")) skip_list();
      bool imported = at_list("import");
      if (imported) {
        if (!defined_before.empty())
          return error_at(where, "import after " + std::string(defined_before));
        skip_list();
      } else {
        defined_before = kw == "func" ? "function" : kw;
      }
      if (space == Space::kMemory) {
        bool is64 = at_keyword("i64");
        memory64_.push_back(is64);
        if (at_keyword("i64") || at_keyword("i32")) ++pos_;
        if (at_list("pagesize")) skip_list();
        if (!imported && at_list("data")) KEEL_TRY(define(Space::kData, std::nullopt));
      } else if (space == Space::kTable && !imported) {
        if (at_keyword("i64") || at_keyword("i32")) ++pos_;
        if (at(TokenKind::kKeyword)) {
          ++pos_;
        } else if (at_list("ref")) {
          skip_list();
        }
        if (at_list("elem")) KEEL_TRY(define(Space::kElem, std::nullopt));
      }
    } else if (kw == "elem") {
      KEEL_TRY(define(Space::kElem, take_id()));
    } else if (kw == "data") {
      KEEL_TRY(define(Space::kData, take_id()));
    } else if (kw != "export" && kw != "start") {
      return error_at(where, "unknown module field \"" + std::string(kw) + "\"");
    }
    pos_ = field_begin;
    skip_list();
  }
  return {};
}

Result<Bytes> ModuleParser::parse_fields(size_t begin) {
  KEEL_TRY(collect_names(begin));
  size_t end = pos_;
  // Pass 2: type definitions.
  pos_ = begin;
  while (pos_ < end) {
    if (at_list("type")) {
      uint32_t index = static_cast<uint32_t>(types_.size());
      uint32_t count = 0;
      KEEL_TRY(type_field(type_section_, count));
      type_entries_ += count;
      const TypeDef& def = types_[index];
      if (def.matchable) matchable_types_.try_emplace(encode_func_type(def.sig), index);
    } else if (at_list("rec")) {
      KEEL_TRY(rec_field());
    } else {
      skip_list();
    }
  }
  // Pass 3: everything else, in order.
  pos_ = begin;
  while (pos_ < end) {
    if (at_list("type") || at_list("rec")) {
      skip_list();
      continue;
    }
    KEEL_TRY(field());
  }
  return assemble();
}

Status ModuleParser::field() {
  if (at(TokenKind::kCustomAnnotation)) return custom_annotation();
  std::string_view kw = text_of(peek(1));
  if (kw == "import") return import_field();
  if (kw == "func") return func_field();
  if (kw == "table") return table_field();
  if (kw == "memory") return memory_field();
  if (kw == "global") return global_field();
  if (kw == "tag") return tag_field();
  if (kw == "export") return export_field();
  if (kw == "start") return start_field();
  if (kw == "elem") return elem_field();
  if (kw == "data") return data_field();
  return error_at(peek(1), "unknown module field \"" + std::string(kw) + "\"");
}

Status ModuleParser::inline_exports(uint8_t kind, uint32_t index) {
  while (at_list("export")) {
    pos_ += 2;
    auto name = expect_name();
    if (!name) return std::move(name).error();
    KEEL_TRY(expect(TokenKind::kRParen));
    put_name(exports_.bytes, *name);
    put_byte(exports_.bytes, kind);
    put_u32(exports_.bytes, index);
    ++exports_.count;
  }
  return {};
}

// `(import "module" "name")` inside a definition: the entry's names into `import_head`.
Status ModuleParser::inline_import(Bytes& import_head) {
  pos_ += 2;
  auto module = expect_name();
  if (!module) return std::move(module).error();
  auto name = expect_name();
  if (!name) return std::move(name).error();
  KEEL_TRY(expect(TokenKind::kRParen));
  put_name(import_head, *module);
  put_name(import_head, *name);
  return {};
}

Status ModuleParser::import_field() {
  pos_ += 2;
  Bytes entry;
  auto module = expect_name();
  if (!module) return std::move(module).error();
  auto name = expect_name();
  if (!name) return std::move(name).error();
  put_name(entry, *module);
  put_name(entry, *name);
  KEEL_TRY(expect(TokenKind::kLParen));
  std::string_view kind = text_of(peek());
  ++pos_;
  take_id();
  if (kind == "func") {
    ++defined_[static_cast<size_t>(Space::kFunc)];
    auto use = type_use(true);
    if (!use) return std::move(use).error();
    name_imported_params(*use);
    put_byte(entry, 0x00);
    put_u32(entry, use->index);
  } else if (kind == "table") {
    ++defined_[static_cast<size_t>(Space::kTable)];
    auto type = table_type();
    if (!type) return std::move(type).error();
    put_byte(entry, 0x01);
    entry += *type;
  } else if (kind == "memory") {
    ++defined_[static_cast<size_t>(Space::kMemory)];
    bool is64;
    auto type = memory_type(is64);
    if (!type) return std::move(type).error();
    put_byte(entry, 0x02);
    entry += *type;
  } else if (kind == "global") {
    ++defined_[static_cast<size_t>(Space::kGlobal)];
    auto type = global_type();
    if (!type) return std::move(type).error();
    put_byte(entry, 0x03);
    entry += *type;
  } else {  // tag, as pass 1 checked
    ++defined_[static_cast<size_t>(Space::kTag)];
    auto use = type_use(true);
    if (!use) return std::move(use).error();
    put_byte(entry, 0x04);
    put_byte(entry, 0x00);
    put_u32(entry, use->index);
  }
  KEEL_TRY(expect(TokenKind::kRParen));
  KEEL_TRY(expect(TokenKind::kRParen));
  imports_.bytes += entry;
  ++imports_.count;
  return {};
}

void ModuleParser::name_imported_params(const TypeUse& use) {
  if (!options_.debug_names) return;
  auto& names = local_names_.emplace_back();
  for (uint32_t p = 0; p < use.param_names.size(); ++p)
    if (!use.param_names[p].empty()) names.emplace_back(p, use.param_names[p]);
}

Status ModuleParser::func_field() {
  KEEL_TRY(field_start(Space::kFunc, 0x00));
  if (at_list("import")) {
    Bytes entry;
    KEEL_TRY(inline_import(entry));
    auto use = type_use(true);
    if (!use) return std::move(use).error();
    KEEL_TRY(expect(TokenKind::kRParen));
    name_imported_params(*use);
    put_byte(entry, 0x00);
    put_u32(entry, use->index);
    imports_.bytes += entry;
    ++imports_.count;
    return {};
  }
  auto use = type_use(true);
  if (!use) return std::move(use).error();
  put_u32(functions_.bytes, use->index);
  ++functions_.count;
  FunctionBody body(*this);
  KEEL_TRY(body.parse(*use));
  put_u32(code_.bytes, static_cast<uint32_t>(body.bytes().size()));
  code_.bytes += body.bytes();
  ++code_.count;
  if (body.uses_data_count()) uses_data_count_ = true;
  return expect(TokenKind::kRParen);
}

namespace {
// An active segment's offset `(i32.const 0)` or `(i64.const 0)`, for inline segments.
Bytes zero_offset(bool is64) {
  return is64 ? Bytes("\x42\x00\x0b", 3) : Bytes("\x41\x00\x0b", 3);
}
}  // namespace

Result<Bytes> ModuleParser::elem_item(bool& is_ref_func, uint32_t& func) {
  Bytes expr;
  if (at_list("item")) {
    pos_ += 2;
    auto e = const_expr();
    if (!e) return e;
    expr = std::move(*e);
  } else {
    InstrParser instrs(*this, expr, nullptr);
    KEEL_TRY(instrs.folded_instr());
    put_byte(expr, 0x0b);
  }
  // A lone `ref.func x`: written as a function index, as wabt does, when the segment allows.
  is_ref_func = false;
  if (expr.size() >= 3 && static_cast<uint8_t>(expr[0]) == 0xd2) {
    uint64_t value = 0;
    size_t i = 1;
    for (unsigned shift = 0; i < expr.size(); ++i, shift += 7) {
      value |= uint64_t(expr[i] & 0x7f) << shift;
      if (!(expr[i] & 0x80)) break;
    }
    if (i + 2 == expr.size() && expr.back() == '\x0b') {
      is_ref_func = true;
      func = static_cast<uint32_t>(value);
    }
  }
  return expr;
}

namespace {
struct ElemItems {
  Bytes type = Bytes(1, '\x70');
  uint32_t count = 0;
  bool all_ref_func = true;
  Bytes indices;  // the items as function indices, if all_ref_func
  Bytes exprs;    // the items as expressions
};
enum class SegmentMode { kActive, kPassive, kDeclared };

Bytes encode_elem(SegmentMode mode, uint32_t table, const Bytes& offset, const ElemItems& items) {
  uint8_t flags = 0;
  bool exprs = !(items.all_ref_func && items.type == "\x70");
  if (mode == SegmentMode::kPassive) flags = 1;
  if (mode == SegmentMode::kDeclared) flags = 3;
  // Flags 4 mean funcref on table 0: any other element type needs the explicit form.
  if (mode == SegmentMode::kActive && (table != 0 || (exprs && items.type != "\x70"))) flags = 2;
  if (exprs) flags |= 4;
  Bytes out(1, static_cast<char>(flags));
  if (mode == SegmentMode::kActive) {
    if (flags & 2) put_u32(out, table);
    out += offset;
  }
  if (flags & 3) {
    if (exprs) {
      out += items.type;
    } else {
      put_byte(out, 0x00);
    }
  }
  put_vector(out, items.count, exprs ? items.exprs : items.indices);
  return out;
}
}  // namespace

Result<uint32_t> ModuleParser::field_start(Space space, uint8_t export_kind) {
  pos_ += 2;
  take_id();
  uint32_t index = defined_[static_cast<size_t>(space)]++;
  KEEL_TRY(inline_exports(export_kind, index));
  return index;
}

Status ModuleParser::finish_inline_import(Bytes& entry, uint8_t kind, Result<Bytes> type) {
  if (!type) return std::move(type).error();
  KEEL_TRY(expect(TokenKind::kRParen));
  put_byte(entry, kind);
  entry += *type;
  imports_.bytes += entry;
  ++imports_.count;
  return {};
}

Status ModuleParser::table_field() {
  auto table_index = field_start(Space::kTable, 0x01);
  if (!table_index) return std::move(table_index).error();
  uint32_t table = *table_index;
  if (at_list("import")) {
    Bytes entry;
    KEEL_TRY(inline_import(entry));
    return finish_inline_import(entry, 0x01, table_type());
  }
  size_t save = pos_;
  bool is64 = false;
  if (at_keyword("i64"))
    is64 = true, ++pos_;
  else if (at_keyword("i32"))
    ++pos_;
  if (at_value_type()) {
    // `(table reftype (elem ...))`: limits from the element count, plus an active segment.
    ElemItems items;
    auto ref = ref_type();
    if (!ref) return std::move(ref).error();
    items.type = *ref;
    if (!at_list("elem")) return unexpected();
    pos_ += 2;
    while (!at(TokenKind::kRParen)) {
      if (at(TokenKind::kLParen)) {
        bool is_ref_func;
        uint32_t func = 0;
        auto expr = elem_item(is_ref_func, func);
        if (!expr) return std::move(expr).error();
        items.exprs += *expr;
        if (is_ref_func) {
          put_u32(items.indices, func);
        } else {
          items.all_ref_func = false;
        }
      } else {
        auto func = index(Space::kFunc);
        if (!func) return std::move(func).error();
        put_u32(items.indices, *func);
        put_byte(items.exprs, 0xd2);
        put_u32(items.exprs, *func);
        put_byte(items.exprs, 0x0b);
      }
      ++items.count;
    }
    pos_ += 1;
    KEEL_TRY(expect(TokenKind::kRParen));
    Bytes type = items.type;
    put_byte(type, is64 ? 5 : 1);
    put_u32(type, items.count);
    put_u32(type, items.count);
    tables_.bytes += type;
    ++tables_.count;
    elems_.bytes += encode_elem(SegmentMode::kActive, table, zero_offset(is64), items);
    ++elems_.count;
    ++defined_[static_cast<size_t>(Space::kElem)];
    return {};
  }
  pos_ = save;
  auto type = table_type();
  if (!type) return std::move(type).error();
  if (!at(TokenKind::kRParen)) {
    uses_.function_references = true;  // a table's initialiser came with typed references
    auto init = const_expr();
    if (!init) return std::move(init).error();
    tables_.bytes += Bytes("\x40\x00", 2) + *type + *init;
    ++tables_.count;
    return {};
  }
  tables_.bytes += *type;
  ++tables_.count;
  return expect(TokenKind::kRParen);
}

Status ModuleParser::memory_field() {
  auto memory_index = field_start(Space::kMemory, 0x02);
  if (!memory_index) return std::move(memory_index).error();
  uint32_t index = *memory_index;
  if (at_list("import")) {
    Bytes entry;
    KEEL_TRY(inline_import(entry));
    bool is64;
    return finish_inline_import(entry, 0x02, memory_type(is64));
  }
  size_t save = pos_;
  bool is64 = false;
  if (at_keyword("i64"))
    is64 = true, ++pos_;
  else if (at_keyword("i32"))
    ++pos_;
  size_t before_page_size = pos_;
  auto page_size = custom_page_size();
  if (!page_size) return std::move(page_size).error();
  if (at_list("data")) {
    pos_ += 2;
    Bytes contents;
    while (at(TokenKind::kString)) contents += string_of(lx_.tokens[pos_++]);
    KEEL_TRY(expect(TokenKind::kRParen));
    KEEL_TRY(expect(TokenKind::kRParen));
    uint64_t page = page_size->value_or(65536);
    uint64_t pages = (contents.size() + page - 1) / page;
    Bytes type(1, static_cast<char>((is64 ? 5 : 1) | (*page_size ? 8 : 0)));
    put_u64(type, pages);
    put_u64(type, pages);
    if (*page_size) put_u32(type, static_cast<uint32_t>(std::countr_zero(page)));
    memories_.bytes += type;
    ++memories_.count;
    Bytes segment;
    if (index == 0) {
      put_byte(segment, 0);
    } else {
      put_byte(segment, 2);
      put_u32(segment, index);
    }
    segment += zero_offset(is64);
    put_name(segment, contents);
    datas_.bytes += segment;
    ++datas_.count;
    ++defined_[static_cast<size_t>(Space::kData)];
    return {};
  }
  if (pos_ != before_page_size) return unexpected();  // `(pagesize N)` comes after the limits
  pos_ = save;
  auto type = memory_type(is64);
  if (!type) return std::move(type).error();
  memories_.bytes += *type;
  ++memories_.count;
  return expect(TokenKind::kRParen);
}

Status ModuleParser::global_field() {
  KEEL_TRY(field_start(Space::kGlobal, 0x03));
  if (at_list("import")) {
    Bytes entry;
    KEEL_TRY(inline_import(entry));
    return finish_inline_import(entry, 0x03, global_type());
  }
  auto type = global_type();
  if (!type) return std::move(type).error();
  auto init = const_expr();
  if (!init) return std::move(init).error();
  globals_.bytes += *type + *init;
  ++globals_.count;
  return {};
}

Status ModuleParser::tag_field() {
  uses_.exceptions = true;
  KEEL_TRY(field_start(Space::kTag, 0x04));
  Bytes entry;
  bool imported = at_list("import");
  if (imported) KEEL_TRY(inline_import(entry));
  auto use = type_use(true);
  if (!use) return std::move(use).error();
  KEEL_TRY(expect(TokenKind::kRParen));
  if (imported) put_byte(entry, 0x04);
  put_byte(entry, 0x00);
  put_u32(entry, use->index);
  Section& section = imported ? imports_ : tags_;
  section.bytes += entry;
  ++section.count;
  return {};
}

Status ModuleParser::export_field() {
  pos_ += 2;
  auto name = expect_name();
  if (!name) return std::move(name).error();
  KEEL_TRY(expect(TokenKind::kLParen));
  if (!at(TokenKind::kKeyword)) return unexpected();
  std::string_view kind = text_of(peek());
  auto space = import_space(kind);
  if (!space) return unexpected();
  ++pos_;
  auto target = index(*space);
  if (!target) return std::move(target).error();
  KEEL_TRY(expect(TokenKind::kRParen));
  KEEL_TRY(expect(TokenKind::kRParen));
  static constexpr uint8_t kKinds[] = {0, 0, 1, 2, 3, 4};
  put_name(exports_.bytes, *name);
  put_byte(exports_.bytes, kKinds[static_cast<size_t>(*space)]);
  put_u32(exports_.bytes, *target);
  ++exports_.count;
  return {};
}

Status ModuleParser::start_field() {
  const Token& where = peek(1);
  pos_ += 2;
  if (start_) return error_at(where, "multiple start sections");
  auto func = index(Space::kFunc);
  if (!func) return std::move(func).error();
  start_ = *func;
  return expect(TokenKind::kRParen);
}

Result<Bytes> ModuleParser::const_expr() {
  Bytes expr;
  InstrParser instrs(*this, expr, nullptr);
  KEEL_TRY(instrs.sequence());
  KEEL_TRY(expect(TokenKind::kRParen));
  put_byte(expr, 0x0b);
  if (instrs.uses_data_count()) uses_data_count_ = true;
  return expr;
}

Result<bool> ModuleParser::segment_target(std::string_view keyword, Space space, uint32_t& out) {
  bool in_list = at_list(keyword);
  if (!in_list && !at(TokenKind::kNat) && !at(TokenKind::kId)) return false;
  if (in_list) pos_ += 2;
  auto i = index(space);
  if (!i) return std::move(i).error();
  out = *i;
  if (in_list) KEEL_TRY(expect(TokenKind::kRParen));
  return true;
}

Result<bool> ModuleParser::segment_offset(bool folded_allowed, Bytes& offset) {
  if (at_list("offset")) {
    pos_ += 2;
    auto e = const_expr();
    if (!e) return std::move(e).error();
    offset = std::move(*e);
    return true;
  }
  if (!folded_allowed || !at(TokenKind::kLParen)) return false;
  InstrParser instrs(*this, offset, nullptr);
  KEEL_TRY(instrs.folded_instr());
  put_byte(offset, 0x0b);
  return true;
}

Status ModuleParser::elem_field() {
  pos_ += 2;
  take_id();
  ++defined_[static_cast<size_t>(Space::kElem)];
  SegmentMode mode = SegmentMode::kPassive;
  uint32_t table = 0;
  Bytes offset;
  if (at_keyword("declare")) {
    mode = SegmentMode::kDeclared;
    ++pos_;
  } else {
    auto table_given = segment_target("table", Space::kTable, table);
    if (!table_given) return std::move(table_given).error();
    auto has_offset = segment_offset(!at_list("ref") && !at_list("item"), offset);
    if (!has_offset) return std::move(has_offset).error();
    if (*has_offset) {
      mode = SegmentMode::kActive;
    } else if (*table_given) {
      return unexpected();
    }
  }
  ElemItems items;
  bool indices_only = true;
  if (at_keyword("func")) {
    ++pos_;
  } else if (at_value_type()) {
    auto ref = ref_type();
    if (!ref) return std::move(ref).error();
    items.type = *ref;
    indices_only = false;
  } else if (mode != SegmentMode::kActive) {
    return unexpected();
  }
  while (!at(TokenKind::kRParen)) {
    if (indices_only) {
      auto func = index(Space::kFunc);
      if (!func) return std::move(func).error();
      put_u32(items.indices, *func);
      put_byte(items.exprs, 0xd2);
      put_u32(items.exprs, *func);
      put_byte(items.exprs, 0x0b);
    } else {
      bool is_ref_func;
      uint32_t func = 0;
      auto expr = elem_item(is_ref_func, func);
      if (!expr) return std::move(expr).error();
      items.exprs += *expr;
      if (is_ref_func) {
        put_u32(items.indices, func);
      } else {
        items.all_ref_func = false;
      }
    }
    ++items.count;
  }
  ++pos_;
  elems_.bytes += encode_elem(mode, table, offset, items);
  ++elems_.count;
  return {};
}

Status ModuleParser::data_field() {
  pos_ += 2;
  take_id();
  ++defined_[static_cast<size_t>(Space::kData)];
  uint32_t memory = 0;
  Bytes offset;
  auto memory_given = segment_target("memory", Space::kMemory, memory);
  if (!memory_given) return std::move(memory_given).error();
  auto has_offset = segment_offset(true, offset);
  if (!has_offset) return std::move(has_offset).error();
  if (*memory_given && !*has_offset) return unexpected();
  bool active = *has_offset;
  Bytes contents;
  while (at(TokenKind::kString)) contents += string_of(lx_.tokens[pos_++]);
  KEEL_TRY(expect(TokenKind::kRParen));
  Bytes segment;
  if (!active) {
    put_byte(segment, 1);
  } else if (memory == 0) {
    put_byte(segment, 0);
    segment += offset;
  } else {
    put_byte(segment, 2);
    put_u32(segment, memory);
    segment += offset;
  }
  put_name(segment, contents);
  datas_.bytes += segment;
  ++datas_.count;
  return {};
}

// `(@custom "name" (before|after section)? "contents"*)`.
Status ModuleParser::custom_annotation() {
  ++pos_;
  CustomSection custom;
  auto name = expect_name();
  if (!name) return std::move(name).error();
  custom.name = std::move(*name);
  custom.anchor = 0;
  if (at(TokenKind::kLParen)) {
    ++pos_;
    if (at_keyword("before")) {
      custom.before = true;
    } else if (!at_keyword("after")) {
      return unexpected();
    }
    ++pos_;
    if (!at(TokenKind::kKeyword)) return unexpected();
    std::string_view where = text_of(peek());
    if (where == "first" && custom.before) {
      custom.first = true;
    } else if (where == "last" && !custom.before) {
      custom.anchor = 0;
    } else if (auto id = section_id(where)) {
      custom.anchor = *id;
    } else {
      return unexpected();
    }
    ++pos_;
    KEEL_TRY(expect(TokenKind::kRParen));
  }
  while (at(TokenKind::kString)) custom.contents += string_of(lx_.tokens[pos_++]);
  KEEL_TRY(expect(TokenKind::kRParen));
  customs_.push_back(std::move(custom));
  return {};
}

Bytes ModuleParser::assemble() {
  uses_.multi_memory = spaces_[static_cast<size_t>(Space::kMemory)].count > 1;
  Bytes out("\0asm\x01\0\0\0", 8);
  auto section = [&out](uint8_t id, const Bytes& body) {
    put_byte(out, id);
    put_u32(out, static_cast<uint32_t>(body.size()));
    out += body;
  };
  auto vector_section = [&](uint8_t id, const Section& s) {
    if (s.count == 0) return;
    Bytes body;
    put_vector(body, s.count, s.bytes);
    section(id, body);
  };
  auto customs = [&](auto&& wanted) {
    for (const CustomSection& c : customs_) {
      if (!wanted(c)) continue;
      Bytes body;
      put_name(body, c.name);
      body += c.contents;
      section(0, body);
    }
  };
  customs([](const CustomSection& c) { return c.first; });
  for (uint8_t id : kSectionOrder) {
    customs([id](const CustomSection& c) { return !c.first && c.before && c.anchor == id; });
    switch (id) {
      case 1:
        if (type_entries_ > 0) {
          Bytes body;
          put_vector(body, type_entries_, type_section_);
          section(1, body);
        }
        break;
      case 2:
        vector_section(2, imports_);
        break;
      case 3:
        vector_section(3, functions_);
        break;
      case 4:
        vector_section(4, tables_);
        break;
      case 5:
        vector_section(5, memories_);
        break;
      case 13:
        vector_section(13, tags_);
        break;
      case 6:
        vector_section(6, globals_);
        break;
      case 7:
        vector_section(7, exports_);
        break;
      case 8:
        if (start_) {
          Bytes body;
          put_u32(body, *start_);
          section(8, body);
        }
        break;
      case 9:
        vector_section(9, elems_);
        break;
      case 12:
        // wabt writes the count only where it is needed, and never for a module without data.
        if (uses_data_count_ && datas_.count > 0) {
          Bytes body;
          put_u32(body, datas_.count);
          section(12, body);
        }
        break;
      case 10:
        vector_section(10, code_);
        break;
      case 11:
        vector_section(11, datas_);
        break;
    }
    customs([id](const CustomSection& c) { return !c.before && c.anchor == id; });
  }
  if (options_.debug_names) section(0, name_section());
  customs([](const CustomSection& c) { return !c.first && !c.before && c.anchor == 0; });
  return out;
}

Bytes ModuleParser::name_section() const {
  Bytes body;
  put_name(body, "name");
  auto subsection = [&body](uint8_t id, const Bytes& contents) {
    put_byte(body, id);
    put_u32(body, static_cast<uint32_t>(contents.size()));
    body += contents;
  };
  // A name map: count, then (index, name) by index.
  auto name_map = [](std::vector<std::pair<uint32_t, std::string_view>> names) {
    std::sort(names.begin(), names.end());
    Bytes map;
    put_u32(map, static_cast<uint32_t>(names.size()));
    for (const auto& [index, name] : names) {
      put_u32(map, index);
      put_name(map, name);
    }
    return map;
  };
  auto space_names = [&](Space space) {
    std::vector<std::pair<uint32_t, std::string_view>> names;
    for (const auto& [name, index] : spaces_[static_cast<size_t>(space)].names)
      names.emplace_back(index, name);
    return name_map(std::move(names));
  };
  if (module_name_) {
    Bytes name;
    put_name(name, *module_name_);
    subsection(0, name);
  }
  if (!spaces_[static_cast<size_t>(Space::kFunc)].names.empty())
    subsection(1, space_names(Space::kFunc));
  // wabt writes the local names always, with every function's count, zero or not.
  Bytes locals;
  put_u32(locals, static_cast<uint32_t>(local_names_.size()));
  for (uint32_t f = 0; f < local_names_.size(); ++f) {
    put_u32(locals, f);
    locals += name_map(local_names_[f]);
  }
  subsection(2, locals);
  // The extended name section's ids; wabt 1.0.32 writes tags' as 10 (now field names).
  constexpr std::pair<uint8_t, Space> kSpaces[] = {
      {4, Space::kType}, {5, Space::kTable}, {6, Space::kMemory}, {7, Space::kGlobal},
      {8, Space::kElem}, {9, Space::kData},  {11, Space::kTag},
  };
  for (const auto& [id, space] : kSpaces) {
    if (!spaces_[static_cast<size_t>(space)].names.empty()) subsection(id, space_names(space));
  }
  return body;
}

}  // namespace keel::text

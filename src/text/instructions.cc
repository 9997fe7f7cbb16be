#include "text/instructions.h"

#include <bit>
#include <cstring>

#include "text/numbers.h"

namespace keel::text {

namespace {

// Instruction names to opcodes, from the table. `select` names two rows (Select, SelectT): the
// first wins, and the parser picks SelectT when result types follow.
const std::unordered_map<std::string_view, Op>& ops_by_name() {
  static const auto* table = [] {
    auto* map = new std::unordered_map<std::string_view, Op>();
    map->reserve(kOpCount * 2);
    for (size_t i = 0; i < kOpCount; ++i) map->try_emplace(kOpInfo[i].text, static_cast<Op>(i));
    return map;
  }();
  return *table;
}

void put_opcode(Bytes& out, Op op) {
  const OpInfo& info = op_info(op);
  if (info.prefix != 0) {
    put_byte(out, info.prefix);
    put_u32(out, info.code);
  } else {
    put_byte(out, static_cast<uint8_t>(info.code));
  }
}

// Words of the text format that are not instructions: out of place, they are unexpected
// tokens, where any other word is an unknown operator.
bool is_structural_keyword(std::string_view kw) {
  static constexpr std::string_view kWords[] = {
      "type",  "param",  "result", "local",  "then",  "do",    "export", "import", "func",
      "table", "memory", "global", "elem",   "data",  "start", "module", "offset", "item",
      "mut",   "ref",    "field",  "struct", "array", "sub",   "rec",    "tag",    "declare"};
  for (std::string_view w : kWords)
    if (w == kw) return true;
  return false;
}

bool ends_block(std::string_view kw) {
  return kw == "end" || kw == "else" || kw == "catch" || kw == "catch_all" || kw == "delegate";
}

bool is_index(const Token& t) {
  return t.kind == TokenKind::kNat || t.kind == TokenKind::kId;
}

// The instructions that open a block: their immediates, then a body up to `end`.
bool opens_block(Op op) {
  return op_info(op).imm == ImmKind::BlockType || op_info(op).imm == ImmKind::TryTable;
}

}  // namespace

// Flat blocks nest without recursion (machine-written text nests them thousands deep): the
// blocks this call opened are `open`, innermost last.
Status InstrParser::sequence() {
  std::vector<FlatBlock> open;
  while (true) {
    const Token& t = m_.peek();
    if (t.kind == TokenKind::kLParen) {
      KEEL_TRY(folded_instr());
    } else if (t.kind == TokenKind::kKeyword) {
      if (!ends_block(m_.text_of(t))) {
        KEEL_TRY(plain_instr(open));
      } else if (open.empty()) {
        return {};  // the enclosing construct's
      } else {
        KEEL_TRY(continue_block(open));
      }
    } else if (open.empty() && t.kind == TokenKind::kRParen) {
      return {};
    } else if (!open.empty() && (t.kind == TokenKind::kRParen || t.kind == TokenKind::kEof)) {
      return m_.error_at(t.kind == TokenKind::kEof ? t : *open.back().where, "missing end");
    } else {
      return m_.unexpected();
    }
  }
}

Status InstrParser::plain_instr(std::vector<FlatBlock>& open) {
  const Token& where = m_.peek();
  auto found = op_named(where);
  if (!found) return std::move(found).error();
  Op op = *found;
  ++m_.pos_;
  if (!opens_block(op)) return immediates(op, where, out_);
  FlatBlock block{op, m_.take_id(), &where};
  put_opcode(out_, op);
  KEEL_TRY(block_type(out_));
  if (op == Op::kTryTable) KEEL_TRY(catch_clauses(out_));
  labels_.push_back(block.label.value_or(std::string_view()));
  open.push_back(block);
  return {};
}

// `end`, `else`, `catch x`, `catch_all` or `delegate l` of the innermost open flat block.
Status InstrParser::continue_block(std::vector<FlatBlock>& open) {
  FlatBlock& block = open.back();
  const Token& t = m_.peek();
  std::string_view kw = m_.text_of(t);
  auto misplaced = [&] { return m_.error_at(t, "unexpected \"" + std::string(kw) + "\""); };
  ++m_.pos_;
  if (kw == "end") {
    KEEL_TRY(end_label(block.label));
    // An empty else branch is left out, as wabt does: the binary means the same without it.
    if (block.else_at != kNone && out_.size() == block.else_body) out_.resize(block.else_at);
    labels_.pop_back();
    put_opcode(out_, Op::kEnd);
    open.pop_back();
    return {};
  }
  if (kw == "else") {
    if (block.op != Op::kIf || block.else_at != kNone) return misplaced();
    KEEL_TRY(end_label(block.label));
    block.else_at = out_.size();
    put_opcode(out_, Op::kElse);
    block.else_body = out_.size();
    return {};
  }
  if (block.op != Op::kTry || block.catch_all) return misplaced();
  if (kw == "delegate") {
    if (block.first_catch != kNone) return misplaced();
    labels_.pop_back();
    put_opcode(out_, Op::kDelegate);
    auto depth = label();
    if (!depth) return std::move(depth).error();
    put_u32(out_, *depth);
    open.pop_back();
    return {};
  }
  if (block.first_catch == kNone) block.first_catch = out_.size();
  if (kw == "catch_all") {
    block.catch_all = true;
    put_opcode(out_, Op::kCatchAll);
    return {};
  }
  put_opcode(out_, Op::kCatch);
  auto tag = m_.index(Space::kTag);
  if (!tag) return std::move(tag).error();
  put_u32(out_, *tag);
  return {};
}

// The spec's words for a bad lane: an extract or replace lane index too large is malformed, any
// other token (a sign, a fraction) unexpected; a shuffle's lane that is a number of any kind is
// malformed, and one missing makes the lane length invalid.
Error InstrParser::lane_error(const Token& t, bool shuffle) const {
  bool number =
      t.kind == TokenKind::kNat || t.kind == TokenKind::kInt || t.kind == TokenKind::kFloat;
  if (t.kind == TokenKind::kNat || (shuffle && number))
    return m_.error_at(t, "malformed lane index");
  if (shuffle) return m_.error_at(t, "invalid lane length");
  return m_.unexpected();
}

Result<Op> InstrParser::op_named(const Token& where) {
  std::string_view name = m_.text_of(where);
  auto it = ops_by_name().find(name);
  if (it == ops_by_name().end()) return unknown_word(where, name);
  m_.use_feature(op_info(it->second).feature);
  return it->second;
}

// Where a number should be: a keyword (`nan:1`) is an unknown operator, as the spec says.
Error InstrParser::not_a_number(const Token& t) const {
  if (t.kind == TokenKind::kKeyword) return unknown_word(t, m_.text_of(t));
  return m_.unexpected();
}

Error InstrParser::unknown_word(const Token& where, std::string_view name) const {
  if (is_structural_keyword(name))
    return m_.error_at(where, "unexpected token \"" + std::string(name) + "\"");
  return m_.error_at(where, "unknown operator \"" + std::string(name) + "\"");
}

Result<uint32_t> InstrParser::label() {
  const Token& t = m_.peek();
  if (t.kind == TokenKind::kId) {
    std::string_view name = m_.string_of(t);
    for (size_t i = labels_.size(); i-- > 0;) {
      if (labels_[i] == name) {
        ++m_.pos_;
        return static_cast<uint32_t>(labels_.size() - 1 - i);
      }
    }
    return m_.error_at(t, "unknown label " + std::string(m_.text_of(t)));
  }
  if (t.kind == TokenKind::kNat) {
    return m_.take_u32();
  }
  return m_.unexpected();
}

Result<uint32_t> InstrParser::local() {
  const Token& t = m_.peek();
  if (t.kind == TokenKind::kId) {
    if (locals_) {
      auto it = locals_->find(m_.string_of(t));
      if (it != locals_->end()) {
        ++m_.pos_;
        return it->second;
      }
    }
    return m_.error_at(t, "unknown local " + std::string(m_.text_of(t)));
  }
  if (t.kind == TokenKind::kNat) {
    return m_.take_u32();
  }
  return m_.unexpected();
}

Result<uint64_t> InstrParser::integer(unsigned bits) {
  const Token& t = m_.peek();
  if (t.kind != TokenKind::kNat && t.kind != TokenKind::kInt) return m_.unexpected();
  auto value = parse_integer(m_.text_of(t), bits);
  if (!value) return m_.error_at(t, "constant out of range");  // the spec's words, any width
  ++m_.pos_;
  return *value;
}

// `(type x)? (param t*)* (result t*)*`. One result or none is written as a value type (or
// empty), even when `(type x)` names it, as wabt does; anything else as a type index.
Status InstrParser::block_type(Bytes& out) {
  const Token& where = m_.peek();
  std::optional<uint32_t> type;
  if (m_.at_list("type")) {
    m_.pos_ += 2;
    auto t = m_.index(Space::kType);
    if (!t) return std::move(t).error();
    KEEL_TRY(m_.expect(TokenKind::kRParen));
    if (*t < m_.types_.size() && !m_.types_[*t].is_func)
      return m_.error_at(where, "type " + std::to_string(*t) + " is not a function type");
    type = *t;
  }
  FuncSig sig;
  KEEL_TRY(m_.params_and_results(sig, nullptr));
  if (type && *type >= m_.types_.size()) {
    put_s64(out, *type);  // the validator rejects it
    return {};
  }
  if (type) {
    const FuncSig& declared = m_.types_[*type].sig;
    if (sig.params.empty() && sig.results.empty()) {
      sig = declared;
    } else if (sig != declared) {
      return m_.error_at(where, "inline function type does not match the type it names");
    }
  }
  if (sig.params.empty() && sig.results.size() <= 1) {
    if (sig.results.empty()) {
      put_byte(out, 0x40);
    } else {
      out += sig.results[0];
    }
    return {};
  }
  put_s64(out, type ? *type : m_.implicit_type(sig));
  return {};
}

// An empty else branch is left out, as wabt does: the binary means the same without it.
Status InstrParser::else_branch() {
  size_t before = out_.size();
  put_opcode(out_, Op::kElse);
  size_t after = out_.size();
  KEEL_TRY(sequence());
  if (out_.size() == after) out_.resize(before);
  return {};
}

Status InstrParser::end_label(std::optional<std::string_view> label) {
  if (m_.at(TokenKind::kId)) {
    const Token& t = m_.peek();
    if (!label || *label != m_.string_of(t)) return m_.error_at(t, "mismatching label");
    ++m_.pos_;
  }
  return {};
}

Status InstrParser::folded_instr() {
  if (!m_.at(TokenKind::kKeyword, 1)) return (++m_.pos_, m_.unexpected());
  // Folded instructions recurse; bound the depth so that no input exhausts the stack.
  if (folded_depth_ >= kMaxFoldedDepth)
    return m_.error_at(m_.peek(), "instructions nested too deeply");
  ++folded_depth_;
  Status folded = folded_instr_body();
  --folded_depth_;
  return folded;
}

Status InstrParser::folded_instr_body() {
  const Token& where = m_.peek(1);
  std::string_view name = m_.text_of(where);
  auto found = op_named(where);
  if (!found) return std::move(found).error();
  Op op = *found;
  if (ends_block(name)) return m_.error_at(where, "unexpected token \"" + std::string(name) + "\"");
  m_.pos_ += 2;
  if (opens_block(op)) return folded_block(op);
  Bytes head;
  KEEL_TRY(immediates(op, where, head));
  while (m_.at(TokenKind::kLParen)) KEEL_TRY(folded_instr());
  KEEL_TRY(m_.expect(TokenKind::kRParen));
  out_ += head;
  return {};
}

// `(block l? bt instr*)`, `(loop ...)`, `(if l? bt folded* (then instr*) (else instr*)?)`,
// `(try l? bt (do instr*) (catch x instr*)* (catch_all instr*)?)` or `... (delegate l))`.
Status InstrParser::folded_block(Op op) {
  std::optional<std::string_view> name = m_.take_id();
  Bytes head;
  put_opcode(head, op);
  KEEL_TRY(block_type(head));
  if (op == Op::kTryTable) KEEL_TRY(catch_clauses(head));
  if (op == Op::kBlock || op == Op::kLoop || op == Op::kTryTable) {
    out_ += head;
    labels_.push_back(name.value_or(std::string_view()));
    KEEL_TRY(sequence());
    labels_.pop_back();
    put_opcode(out_, Op::kEnd);
    return m_.expect(TokenKind::kRParen);
  }
  if (op == Op::kIf) {
    while (m_.at(TokenKind::kLParen) && !m_.at_keyword("then", 1)) KEEL_TRY(folded_instr());
    out_ += head;
    labels_.push_back(name.value_or(std::string_view()));
    if (!m_.at_list("then")) return m_.error_at(m_.peek(), "expected (then ...)");
    m_.pos_ += 2;
    KEEL_TRY(sequence());
    KEEL_TRY(m_.expect(TokenKind::kRParen));
    if (m_.at_list("else")) {
      m_.pos_ += 2;
      KEEL_TRY(else_branch());
      KEEL_TRY(m_.expect(TokenKind::kRParen));
    }
    labels_.pop_back();
    put_opcode(out_, Op::kEnd);
    return m_.expect(TokenKind::kRParen);
  }
  // try
  out_ += head;
  labels_.push_back(name.value_or(std::string_view()));
  if (!m_.at_list("do")) return m_.error_at(m_.peek(), "expected (do ...)");
  m_.pos_ += 2;
  KEEL_TRY(sequence());
  KEEL_TRY(m_.expect(TokenKind::kRParen));
  size_t body_end = out_.size();
  while (m_.at_list("catch")) {
    m_.pos_ += 2;
    put_opcode(out_, Op::kCatch);
    auto tag = m_.index(Space::kTag);
    if (!tag) return std::move(tag).error();
    put_u32(out_, *tag);
    KEEL_TRY(sequence());
    KEEL_TRY(m_.expect(TokenKind::kRParen));
  }
  if (m_.at_list("catch_all")) {
    m_.pos_ += 2;
    put_opcode(out_, Op::kCatchAll);
    KEEL_TRY(sequence());
    KEEL_TRY(m_.expect(TokenKind::kRParen));
  }
  bool has_catch = out_.size() != body_end;
  if (m_.at_list("delegate")) {
    if (has_catch) return m_.error_at(m_.peek(1), "unexpected token \"delegate\" after a catch");
    m_.pos_ += 2;
    labels_.pop_back();
    put_opcode(out_, Op::kDelegate);
    auto depth = label();
    if (!depth) return std::move(depth).error();
    put_u32(out_, *depth);
    KEEL_TRY(m_.expect(TokenKind::kRParen));
    return m_.expect(TokenKind::kRParen);
  }
  labels_.pop_back();
  put_opcode(out_, Op::kEnd);
  return m_.expect(TokenKind::kRParen);
}

// try_table's `(catch x l)`, `(catch_ref x l)`, `(catch_all l)` and `(catch_all_ref l)`. Their
// labels are outside the try_table: its own label is not yet pushed.
Status InstrParser::catch_clauses(Bytes& out) {
  Bytes clauses;
  uint32_t count = 0;
  while (m_.at(TokenKind::kLParen) && m_.at(TokenKind::kKeyword, 1)) {
    std::string_view kw = m_.text_of(m_.peek(1));
    uint8_t kind;
    if (kw == "catch") {
      kind = 0;
    } else if (kw == "catch_ref") {
      kind = 1;
    } else if (kw == "catch_all") {
      kind = 2;
    } else if (kw == "catch_all_ref") {
      kind = 3;
    } else {
      break;
    }
    m_.pos_ += 2;
    put_byte(clauses, kind);
    if (kind < 2) {
      auto tag = m_.index(Space::kTag);
      if (!tag) return std::move(tag).error();
      put_u32(clauses, *tag);
    }
    auto depth = label();
    if (!depth) return std::move(depth).error();
    put_u32(clauses, *depth);
    KEEL_TRY(m_.expect(TokenKind::kRParen));
    ++count;
  }
  put_vector(out, count, clauses);
  return {};
}

// A reference type as a cast names it: whether it is nullable, and its heap type's encoding.
Result<InstrParser::CastType> InstrParser::cast_type() {
  auto ref = m_.ref_type();
  if (!ref) return std::move(ref).error();
  uint8_t first = static_cast<uint8_t>((*ref)[0]);
  if (first == 0x63 || first == 0x64) return CastType{first == 0x63, ref->substr(1)};
  return CastType{true, *ref};  // a shorthand such as `anyref`: nullable
}

Result<uint32_t> InstrParser::field(uint32_t type) {
  const Token& t = m_.peek();
  if (t.kind == TokenKind::kId && type < m_.types_.size()) {
    const auto& names = m_.types_[type].field_names;
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == m_.string_of(t)) {
        ++m_.pos_;
        return static_cast<uint32_t>(i);
      }
    }
  }
  if (t.kind == TokenKind::kId)
    return m_.error_at(t, "unknown field " + std::string(m_.text_of(t)));
  if (t.kind != TokenKind::kNat) return m_.unexpected();
  return m_.take_u32();
}

Status InstrParser::memarg(ImmKind kind, Bytes& out) {
  uint32_t memory = 0;
  // A memory index comes first; with a lane immediate, a lone number is the lane.
  bool lane = is_mem_lane(kind);
  const Token& t = m_.peek();
  if (t.kind == TokenKind::kId ||
      (t.kind == TokenKind::kNat &&
       (!lane || m_.at(TokenKind::kNat, 1) ||
        (m_.at(TokenKind::kKeyword, 1) && (m_.text_of(m_.peek(1)).starts_with("offset=") ||
                                           m_.text_of(m_.peek(1)).starts_with("align=")))))) {
    auto index = m_.index(Space::kMemory);
    if (!index) return std::move(index).error();
    memory = *index;
  }
  bool is64 =
      (memory < m_.memory64_.size() && m_.memory64_[memory]) || m_.options_.u64_limits_and_offsets;
  uint64_t offset = 0;
  uint32_t align_log2 = natural_alignment_log2(kind);
  if (m_.at(TokenKind::kKeyword) && m_.text_of(m_.peek()).starts_with("offset=")) {
    const Token& o = m_.peek();
    std::string_view digits = m_.text_of(o).substr(7);
    if (!parse_unsigned(digits, UINT64_MAX))
      return m_.error_at(o, "unknown operator \"" + std::string(m_.text_of(o)) + "\"");
    auto value = parse_unsigned(digits, is64 ? UINT64_MAX : UINT32_MAX);
    if (!value) return m_.error_at(o, "i32 constant out of range");
    offset = *value;
    ++m_.pos_;
  }
  if (m_.at(TokenKind::kKeyword) && m_.text_of(m_.peek()).starts_with("align=")) {
    const Token& a = m_.peek();
    auto value = parse_unsigned(m_.text_of(a).substr(6), is64 ? UINT64_MAX : UINT32_MAX);
    if (!value) return m_.error_at(a, "unknown operator \"" + std::string(m_.text_of(a)) + "\"");
    if (!std::has_single_bit(*value)) return m_.error_at(a, "alignment must be a power of two");
    align_log2 = static_cast<uint32_t>(std::countr_zero(*value));
    ++m_.pos_;
  }
  put_u32(out, align_log2 | (memory != 0 ? 0x40 : 0));
  if (memory != 0) put_u32(out, memory);
  put_u64(out, offset);
  return {};
}

Status InstrParser::v128_const(Bytes& out) {
  if (!m_.at(TokenKind::kKeyword)) return m_.unexpected();
  const Token& shape_token = m_.peek();
  std::string_view shape = m_.text_of(shape_token);
  ++m_.pos_;
  auto put_le = [&out](uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) out += static_cast<char>(v >> (8 * i));
  };
  // Too few literals or too many: the spec's "wrong number of lane literals". A keyword where a
  // float should be (`nan:1`) is an unknown operator.
  auto lane_missing = [&] {
    TokenKind k = m_.peek().kind;
    if (k == TokenKind::kKeyword) return ops_by_name().contains(m_.text_of(m_.peek()));
    return k != TokenKind::kNat && k != TokenKind::kInt && k != TokenKind::kFloat &&
           k != TokenKind::kReserved;
  };
  auto no_more_lanes = [&](Status lanes) -> Status {
    if (lanes && (m_.at(TokenKind::kNat) || m_.at(TokenKind::kInt) || m_.at(TokenKind::kFloat)))
      return m_.error_at(m_.peek(), "wrong number of lane literals");
    return lanes;
  };
  auto lanes_of = [&](unsigned count, unsigned bits) -> Status {
    for (unsigned i = 0; i < count; ++i) {
      if (lane_missing()) return m_.error_at(m_.peek(), "wrong number of lane literals");
      auto v = integer(bits);
      if (!v) return std::move(v).error();
      put_le(*v, bits / 8);
    }
    return {};
  };
  auto floats_of = [&](unsigned count, bool is64) -> Status {
    for (unsigned i = 0; i < count; ++i) {
      const Token& t = m_.peek();
      if (lane_missing()) return m_.error_at(t, "wrong number of lane literals");
      if (t.kind != TokenKind::kNat && t.kind != TokenKind::kInt && t.kind != TokenKind::kFloat)
        return not_a_number(t);
      if (is64) {
        auto v = parse_f64(m_.text_of(t));
        if (!v) return m_.error_at(t, "constant out of range");
        put_le(*v, 8);
      } else {
        auto v = parse_f32(m_.text_of(t));
        if (!v) return m_.error_at(t, "constant out of range");
        put_le(*v, 4);
      }
      ++m_.pos_;
    }
    return {};
  };
  if (shape == "i8x16") return no_more_lanes(lanes_of(16, 8));
  if (shape == "i16x8") return no_more_lanes(lanes_of(8, 16));
  if (shape == "i32x4") return no_more_lanes(lanes_of(4, 32));
  if (shape == "i64x2") return no_more_lanes(lanes_of(2, 64));
  if (shape == "f32x4") return no_more_lanes(floats_of(4, false));
  if (shape == "f64x2") return no_more_lanes(floats_of(2, true));
  return m_.error_at(shape_token,
                     "invalid lane length: unknown v128 shape \"" + std::string(shape) + "\"");
}

Status InstrParser::immediates(Op op, const Token& where, Bytes& out) {
  const OpInfo& info = op_info(op);
  auto index_imm = [&](Space space) -> Status {
    auto index = m_.index(space);
    if (!index) return std::move(index).error();
    put_u32(out, *index);
    return {};
  };
  auto optional_index = [&](Space space) -> Result<uint32_t> {
    if (is_index(m_.peek())) return m_.index(space);
    return 0u;
  };
  if (op == Op::kSelect && m_.at_list("result")) {
    Bytes types;
    uint32_t count = 0;
    while (m_.at_list("result")) {
      m_.pos_ += 2;
      while (!m_.at(TokenKind::kRParen)) {
        auto t = m_.value_type();
        if (!t) return std::move(t).error();
        types += *t;
        ++count;
      }
      ++m_.pos_;
    }
    // `select (result)` with no types is plain `select`, as wabt writes it.
    if (count == 0) {
      put_opcode(out, Op::kSelect);
    } else {
      put_opcode(out, Op::kSelectT);
      put_vector(out, count, types);
    }
    return {};
  }
  if (info.imm == ImmKind::HeapType) {
    // ref.test and ref.cast: the row after each is for a nullable target type.
    auto target = cast_type();
    if (!target) return std::move(target).error();
    put_opcode(out, target->nullable ? static_cast<Op>(static_cast<size_t>(op) + 1) : op);
    out += target->heap;
    return {};
  }
  put_opcode(out, op);
  switch (info.imm) {
    case ImmKind::None:
      return {};
    case ImmKind::BlockType:
      return m_.error_at(where, "unexpected block instruction");
    case ImmKind::Label: {
      auto depth = label();
      if (!depth) return std::move(depth).error();
      put_u32(out, *depth);
      return {};
    }
    case ImmKind::BrTable: {
      Bytes depths;
      uint32_t count = 0;
      while (is_index(m_.peek())) {
        auto depth = label();
        if (!depth) return std::move(depth).error();
        put_u32(depths, *depth);
        ++count;
      }
      if (count == 0) return m_.unexpected();
      put_vector(out, count - 1, depths);
      return {};
    }
    case ImmKind::Func:
      return index_imm(Space::kFunc);
    case ImmKind::CallIndirect: {
      auto table = optional_index(Space::kTable);
      if (!table) return std::move(table).error();
      auto use = m_.type_use(false);
      if (!use) return std::move(use).error();
      put_u32(out, use->index);
      put_u32(out, *table);
      return {};
    }
    case ImmKind::Local: {
      auto index = local();
      if (!index) return std::move(index).error();
      put_u32(out, *index);
      return {};
    }
    case ImmKind::Global:
      return index_imm(Space::kGlobal);
    case ImmKind::Table:
    case ImmKind::Memory: {
      auto index = optional_index(info.imm == ImmKind::Table ? Space::kTable : Space::kMemory);
      if (!index) return std::move(index).error();
      put_u32(out, *index);
      return {};
    }
    case ImmKind::MemArg8:
    case ImmKind::MemArg16:
    case ImmKind::MemArg32:
    case ImmKind::MemArg64:
    case ImmKind::MemArg128:
      return memarg(info.imm, out);
    case ImmKind::MemLane8:
    case ImmKind::MemLane16:
    case ImmKind::MemLane32:
    case ImmKind::MemLane64: {
      KEEL_TRY(memarg(info.imm, out));
      const Token& t = m_.peek();
      auto lane = t.kind == TokenKind::kNat ? parse_unsigned(m_.text_of(t), 255) : std::nullopt;
      if (!lane) return lane_error(t, /*shuffle=*/false);
      ++m_.pos_;
      put_byte(out, static_cast<uint8_t>(*lane));
      return {};
    }
    case ImmKind::I32: {
      auto v = integer(32);
      if (!v) return std::move(v).error();
      put_s64(out, static_cast<int32_t>(static_cast<uint32_t>(*v)));
      return {};
    }
    case ImmKind::I64: {
      auto v = integer(64);
      if (!v) return std::move(v).error();
      put_s64(out, static_cast<int64_t>(*v));
      return {};
    }
    case ImmKind::F32:
    case ImmKind::F64: {
      const Token& t = m_.peek();
      if (t.kind != TokenKind::kNat && t.kind != TokenKind::kInt && t.kind != TokenKind::kFloat)
        return not_a_number(t);
      if (info.imm == ImmKind::F32) {
        auto v = parse_f32(m_.text_of(t));
        if (!v) return m_.error_at(t, "constant out of range");
        for (int i = 0; i < 4; ++i) out += static_cast<char>(*v >> (8 * i));
      } else {
        auto v = parse_f64(m_.text_of(t));
        if (!v) return m_.error_at(t, "constant out of range");
        for (int i = 0; i < 8; ++i) out += static_cast<char>(*v >> (8 * i));
      }
      ++m_.pos_;
      return {};
    }
    case ImmKind::V128:
      return v128_const(out);
    case ImmKind::SelectT:
      return {};  // `select` with result types is handled above
    case ImmKind::RefType: {
      auto heap = m_.heap_type();
      if (!heap) return std::move(heap).error();
      out += *heap;
      return {};
    }
    case ImmKind::MemoryInit:
    case ImmKind::TableInit: {
      // `memory.init [mem] data` / `table.init [table] elem`: the binary puts the segment first.
      bool memory = info.imm == ImmKind::MemoryInit;
      uint32_t target = 0;
      if (is_index(m_.peek()) && is_index(m_.peek(1))) {
        auto index = m_.index(memory ? Space::kMemory : Space::kTable);
        if (!index) return std::move(index).error();
        target = *index;
      }
      KEEL_TRY(index_imm(memory ? Space::kData : Space::kElem));
      put_u32(out, target);
      uses_data_count_ |= memory;
      return {};
    }
    case ImmKind::Data:
      uses_data_count_ = true;
      return index_imm(Space::kData);
    case ImmKind::MemoryCopy:
    case ImmKind::TableCopy: {
      Space space = info.imm == ImmKind::MemoryCopy ? Space::kMemory : Space::kTable;
      uint32_t destination = 0, source = 0;
      if (is_index(m_.peek())) {
        auto d = m_.index(space);
        if (!d) return std::move(d).error();
        auto s = m_.index(space);
        if (!s) return std::move(s).error();
        destination = *d, source = *s;
      }
      put_u32(out, destination);
      put_u32(out, source);
      return {};
    }
    case ImmKind::Elem:
      return index_imm(Space::kElem);
    case ImmKind::Lane16:
    case ImmKind::Lane8:
    case ImmKind::Lane4:
    case ImmKind::Lane2: {
      const Token& t = m_.peek();
      auto lane = t.kind == TokenKind::kNat ? parse_unsigned(m_.text_of(t), 255) : std::nullopt;
      if (!lane) return lane_error(t, /*shuffle=*/false);
      ++m_.pos_;
      put_byte(out, static_cast<uint8_t>(*lane));
      return {};
    }
    case ImmKind::Shuffle:
      for (int i = 0; i < 16; ++i) {
        const Token& t = m_.peek();
        auto lane = t.kind == TokenKind::kNat ? parse_unsigned(m_.text_of(t), 255) : std::nullopt;
        if (!lane) return lane_error(t, /*shuffle=*/true);
        ++m_.pos_;
        put_byte(out, static_cast<uint8_t>(*lane));
      }
      // A 17th lane.
      if (m_.at(TokenKind::kNat) || m_.at(TokenKind::kInt))
        return m_.error_at(m_.peek(), "invalid lane length");
      return {};
    case ImmKind::Tag:
      return index_imm(Space::kTag);
    case ImmKind::Zero:
      put_byte(out, 0);
      return {};
    case ImmKind::Type:
      return index_imm(Space::kType);
    case ImmKind::TypeField: {
      auto type = m_.index(Space::kType);
      if (!type) return std::move(type).error();
      auto f = field(*type);
      if (!f) return std::move(f).error();
      put_u32(out, *type);
      put_u32(out, *f);
      return {};
    }
    case ImmKind::TypeType:
      KEEL_TRY(index_imm(Space::kType));
      return index_imm(Space::kType);
    case ImmKind::TypeData:
      KEEL_TRY(index_imm(Space::kType));
      uses_data_count_ = true;
      return index_imm(Space::kData);
    case ImmKind::TypeElem:
      KEEL_TRY(index_imm(Space::kType));
      return index_imm(Space::kElem);
    case ImmKind::TypeCount: {
      KEEL_TRY(index_imm(Space::kType));
      const Token& t = m_.peek();
      auto n = t.kind == TokenKind::kNat ? parse_unsigned(m_.text_of(t), UINT32_MAX) : std::nullopt;
      if (!n)
        return t.kind == TokenKind::kNat ? m_.error_at(t, "constant out of range")
                                         : m_.unexpected();
      ++m_.pos_;
      put_u32(out, static_cast<uint32_t>(*n));
      return {};
    }
    case ImmKind::HeapType:
      return {};  // the casts, above
    case ImmKind::BrOnCast: {
      auto depth = label();
      if (!depth) return std::move(depth).error();
      auto from = cast_type();
      if (!from) return std::move(from).error();
      auto to = cast_type();
      if (!to) return std::move(to).error();
      put_byte(out, (from->nullable ? 1 : 0) | (to->nullable ? 2 : 0));
      put_u32(out, *depth);
      out += from->heap;
      out += to->heap;
      return {};
    }
    case ImmKind::TryTable:
      return m_.error_at(where, "unexpected block instruction");
  }
  return {};
}

Status FunctionBody::parse(const TypeUse& use) {
  LocalNames names;
  uint32_t count = 0;
  for (std::string_view name : use.param_names) {
    if (!name.empty() && !names.try_emplace(name, count).second)
      return m_.error_at(m_.peek(), "duplicate local $" + std::string(name));
    ++count;
  }
  std::vector<Bytes> locals;
  while (m_.at_list("local")) {
    m_.pos_ += 2;
    if (m_.at(TokenKind::kId)) {
      const Token& id = m_.peek();
      std::string_view name = m_.string_of(id);
      ++m_.pos_;
      if (!names.try_emplace(name, count).second)
        return m_.error_at(id, "duplicate local " + std::string(m_.text_of(id)));
      auto t = m_.value_type();
      if (!t) return std::move(t).error();
      locals.push_back(std::move(*t));
      ++count;
    } else {
      while (!m_.at(TokenKind::kRParen)) {
        auto t = m_.value_type();
        if (!t) return std::move(t).error();
        locals.push_back(std::move(*t));
        ++count;
      }
    }
    KEEL_TRY(m_.expect(TokenKind::kRParen));
  }
  if (m_.options_.debug_names) {
    auto& named = m_.local_names_.emplace_back();
    for (const auto& [name, index] : names) named.emplace_back(index, name);
  }
  // Runs of one type share an entry.
  Bytes groups;
  uint32_t group_count = 0;
  for (size_t i = 0; i < locals.size();) {
    size_t j = i;
    while (j < locals.size() && locals[j] == locals[i]) ++j;
    put_u32(groups, static_cast<uint32_t>(j - i));
    groups += locals[i];
    ++group_count;
    i = j;
  }
  put_vector(bytes_, group_count, groups);
  InstrParser instrs(m_, bytes_, &names);
  KEEL_TRY(instrs.sequence());
  if (!m_.at(TokenKind::kRParen)) {
    return m_.error_at(m_.peek(), "unexpected \"" + std::string(m_.text_of(m_.peek())) + "\"");
  }
  put_byte(bytes_, 0x0b);
  uses_data_count_ = instrs.uses_data_count();
  return {};
}

}  // namespace keel::text

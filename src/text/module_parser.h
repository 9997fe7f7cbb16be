// The parser of one text-format module and its encoder into the binary format (internal to
// src/text/). It works on the lexed tokens in three passes over the module's fields:
//   1. every field's identifiers go into their index spaces (uses may precede definitions);
//   2. type definitions, so that inline type uses can match them;
//   3. every other field, encoded straight into its section's bytes.
// Implicit types (a type use with no `(type x)` that matches no type yet) are appended to the
// type section in the order they are met, as the spec and wabt do.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.h"
#include "ir/opcodes.h"
#include "text/encoding.h"
#include "text/lexer.h"
#include "text/wat.h"

namespace keel::text {

enum class Space : uint8_t { kType, kFunc, kTable, kMemory, kGlobal, kTag, kElem, kData, kCount };

struct FuncSig {
  std::vector<Bytes> params;  // each an encoded value type
  std::vector<Bytes> results;
  bool operator==(const FuncSig&) const = default;
};

// `0x60 params results`: a function type as the type section holds it.
Bytes encode_func_type(const FuncSig& sig);

struct TypeUse {
  uint32_t index = 0;
  FuncSig sig;
  std::vector<std::string_view> param_names;  // empty views for unnamed parameters
};

class ModuleParser {
 public:
  ModuleParser(std::string_view file, std::string_view source, const Lexed& lexed,
               const WatOptions& options)
      : file_(file), src_(source), lx_(lexed), options_(options) {}

  // Parses the module fields from token `begin` to the `)` or end of input that closes them, and
  // returns the binary module.
  Result<Bytes> parse_fields(size_t begin);
  size_t position() const { return pos_; }
  // The module's `$id`, for the name section (WatOptions::debug_names).
  void set_module_name(std::string_view name) { module_name_ = name; }
  const Wasm3Use& uses() const { return uses_; }

 private:
  friend class InstrParser;
  friend class FunctionBody;

  struct IndexSpace {
    std::unordered_map<std::string_view, uint32_t> names;
    uint32_t count = 0;
  };
  struct TypeDef {
    bool is_func = false;
    bool matchable = false;  // a final func type without supertypes, alone in its group
    FuncSig sig;
    std::vector<std::string_view> field_names;  // a struct's, empty views for unnamed fields
  };
  struct Section {
    uint32_t count = 0;
    Bytes bytes;
  };
  struct CustomSection {
    Bytes name, contents;
    bool before = false;  // placed before (else after) `anchor`
    uint8_t anchor = 0;   // a section id; 0 with !before: after the last section
    bool first = false;   // `(before first)`
  };

  // Tokens.
  // Looking past the end sees the final kEof token again.
  const Token& peek(size_t ahead = 0) const {
    return lx_.tokens[std::min(pos_ + ahead, lx_.tokens.size() - 1)];
  }
  std::string_view text_of(const Token& t) const { return src_.substr(t.offset, t.length); }
  std::string_view string_of(const Token& t) const { return lx_.strings[t.string]; }
  bool at(TokenKind kind, size_t ahead = 0) const { return peek(ahead).kind == kind; }
  // The u32 literal at the current token (a numeric index), consumed.
  Result<uint32_t> take_u32();
  bool at_keyword(std::string_view kw, size_t ahead = 0) const {
    return peek(ahead).kind == TokenKind::kKeyword && text_of(peek(ahead)) == kw;
  }
  bool at_list(std::string_view kw) const { return at(TokenKind::kLParen) && at_keyword(kw, 1); }
  Error error_at(const Token& t, std::string_view message) const {
    return text_error(file_, src_, t.offset, message);
  }
  Error unexpected() const;
  Status expect(TokenKind kind);
  Status expect_keyword(std::string_view kw);
  Result<Bytes> expect_string();
  Result<Bytes> expect_name();  // a string that must be valid UTF-8
  std::optional<std::string_view> take_id();
  void skip_list();  // from a `(` to just past its `)`

  // Pass 1.
  Status collect_names(size_t begin);
  Status define(Space space, std::optional<std::string_view> id);
  Result<uint32_t> index(Space space);  // a numeric index or a defined id of `space`
  Result<uint32_t> index_in(const IndexSpace& space, std::string_view what);

  // Types (types.cc).
  Result<Bytes> value_type();
  Result<Bytes> ref_type();
  Result<Bytes> heap_type();
  bool at_value_type() const;
  Status type_field(Bytes& group, uint32_t& count);
  Status field_type(Bytes& out);
  Status rec_field();
  Result<TypeUse> type_use(bool names_allowed);
  Status params_and_results(FuncSig& sig, std::vector<std::string_view>* names);
  uint32_t implicit_type(const FuncSig& sig);
  Result<Bytes> limits(bool& is64, bool allow_shared);
  Result<Bytes> table_type();
  Result<Bytes> memory_type(bool& is64);
  Result<std::optional<uint64_t>> custom_page_size();
  Result<Bytes> global_type();

  // Fields (module_parser.cc).
  Status field();
  Status inline_exports(uint8_t kind, uint32_t index);
  Status inline_import(Bytes& import_head);
  Status import_field();
  Status func_field();
  Status table_field();
  Status memory_field();
  Status global_field();
  Status tag_field();
  Status export_field();
  Status start_field();
  // A segment's `(table x)` / `(memory x)` or bare index: whether there is one (into `out`).
  Result<bool> segment_target(std::string_view keyword, Space space, uint32_t& out);
  // A segment's `(offset e)` or, when `folded_allowed`, one folded instruction: whether there is
  // one (into `offset`, with its `end`).
  Result<bool> segment_offset(bool folded_allowed, Bytes& offset);
  Status elem_field();
  // Past `(kind $id?` and the field's inline exports: its index in `space`.
  Result<uint32_t> field_start(Space space, uint8_t export_kind);
  // After an inline `(import "m" "n")` (in `entry`) and the entity's type: the closing `)`, and
  // the import of that kind.
  Status finish_inline_import(Bytes& entry, uint8_t kind, Result<Bytes> type);
  Status data_field();
  Status custom_annotation();
  Result<Bytes> const_expr();  // instructions to the closing `)`, then `end`
  Result<Bytes> elem_item(bool& is_ref_func, uint32_t& func);
  Bytes assemble();
  // WatOptions::debug_names: an imported function's parameter names, and the name section.
  void name_imported_params(const TypeUse& use);
  Bytes name_section() const;

  std::string_view file_;
  std::string_view src_;
  const Lexed& lx_;
  WatOptions options_;
  size_t pos_ = 0;

  IndexSpace spaces_[static_cast<size_t>(Space::kCount)];
  uint32_t defined_[static_cast<size_t>(Space::kCount)] = {};  // pass 3's running indices
  std::vector<bool> memory64_;
  std::vector<TypeDef> types_;
  std::unordered_map<Bytes, uint32_t> matchable_types_;  // encoded func type to its first index
  Bytes type_section_;
  uint32_t type_entries_ = 0;  // rec groups count once

  Section imports_, functions_, tables_, memories_, tags_, globals_, exports_, elems_, code_,
      datas_;
  std::optional<uint32_t> start_;
  bool uses_data_count_ = false;
  std::vector<CustomSection> customs_;
  // With debug_names: the module's name, and each function's named locals (imports included),
  // by local index.
  std::optional<std::string_view> module_name_;
  std::vector<std::vector<std::pair<uint32_t, std::string_view>>> local_names_;
  Wasm3Use uses_;
  // Record in uses_ what Wasm 3.0 features keel does not decode yet a construct needs.
  void use_feature(Feature feature);  // an instruction's, from the opcode table
  void use_heap_code(uint8_t code);   // an abstract heap type's
};

}  // namespace keel::text

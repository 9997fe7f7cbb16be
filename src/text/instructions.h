// Instructions in their flat and folded forms, with the immediates the opcode table gives each
// (ir/opcodes.def is the only list of instruction names), and function bodies around them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/module_parser.h"

namespace keel::text {

using LocalNames = std::unordered_map<std::string_view, uint32_t>;

class InstrParser {
 public:
  // `locals` are the function's local names; nullptr in constant expressions.
  InstrParser(ModuleParser& module, Bytes& out, const LocalNames* locals)
      : m_(module), out_(out), locals_(locals) {}

  // Instructions up to a `)` or a keyword that ends a block (`end`, `else`, `catch`, ...).
  Status sequence();
  // One folded instruction `( ... )`.
  Status folded_instr();
  bool uses_data_count() const { return uses_data_count_; }

 private:
  static constexpr size_t kNone = SIZE_MAX;
  // Folded instructions nest deeper than this only in input made to exhaust the stack.
  static constexpr unsigned kMaxFoldedDepth = 1000;

  // A block, loop, if or try in the flat form, open until its `end` (or `delegate`).
  struct FlatBlock {
    Op op;
    std::optional<std::string_view> label;
    const Token* where;
    size_t else_at = kNone;      // where `else` was written, to drop it if its branch is empty
    size_t else_body = 0;        // where the else branch begins
    size_t first_catch = kNone;  // try: where its first catch begins
    bool catch_all = false;
  };

  Status plain_instr(std::vector<FlatBlock>& open);
  Status continue_block(std::vector<FlatBlock>& open);
  Status folded_instr_body();
  Status folded_block(Op op);
  Status immediates(Op op, const Token& where, Bytes& out);
  Status block_type(Bytes& out);
  Status memarg(ImmKind kind, Bytes& out);
  Status catch_clauses(Bytes& out);
  struct CastType {
    bool nullable;
    Bytes heap;
  };
  Result<CastType> cast_type();
  Result<uint32_t> field(uint32_t type);
  Status else_branch();
  Status end_label(std::optional<std::string_view> label);
  // The instruction named by `where` (its feature noted in the module's uses), or why not.
  Result<Op> op_named(const Token& where);
  Error unknown_word(const Token& where, std::string_view name) const;
  Error not_a_number(const Token& t) const;
  Error lane_error(const Token& t, bool shuffle) const;
  Result<uint32_t> label();
  Result<uint32_t> local();
  Result<uint64_t> integer(unsigned bits);
  Status v128_const(Bytes& out);

  ModuleParser& m_;
  Bytes& out_;
  const LocalNames* locals_;
  std::vector<std::string_view> labels_;  // innermost last; empty views for unnamed blocks
  bool uses_data_count_ = false;
  unsigned folded_depth_ = 0;
};

// A function's locals and body, encoded as its code section entry's contents (before the size).
class FunctionBody {
 public:
  explicit FunctionBody(ModuleParser& module) : m_(module) {}
  // From after the type use to the function's closing `)` (not consumed).
  Status parse(const TypeUse& use);
  const Bytes& bytes() const { return bytes_; }
  bool uses_data_count() const { return uses_data_count_; }

 private:
  ModuleParser& m_;
  Bytes bytes_;
  bool uses_data_count_ = false;
};

}  // namespace keel::text

// Instructions in their flat and folded forms, with the immediates the opcode table gives each
// (ir/opcodes.def is the only list of instruction names), and function bodies around them.
#pragma once

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
  Status plain_instr();
  Status block_instr(Op op, const Token& where);
  Status folded_block(Op op);
  Status immediates(Op op, const Token& where, Bytes& out);
  Status block_type(Bytes& out);
  Status memarg(ImmKind kind, Bytes& out);
  Status else_branch();
  Status end_label(std::optional<std::string_view> label);
  Result<uint32_t> label();
  Result<uint32_t> local();
  Result<uint64_t> integer(unsigned bits);
  Status v128_const(Bytes& out);

  ModuleParser& m_;
  Bytes& out_;
  const LocalNames* locals_;
  std::vector<std::string_view> labels_;  // innermost last; empty views for unnamed blocks
  bool uses_data_count_ = false;
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

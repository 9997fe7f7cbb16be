// The decoder's rich hooks: an interface that declares Value and Control gets the operands each
// instruction consumes and fills the values it produces. The test interface builds expression
// strings (with locals tracked symbolically and phis at merges), so each expected string shows
// exactly which Values flowed where.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "decode/module_decoder.h"
#include "support/wasm_builder.h"
#include "validate/function_body_decoder.h"
#include "validate/validator.h"

namespace keel {
namespace {

using namespace keel::test;  // NOLINT: builder vocabulary

constexpr ValType I = ValType::kI32, L = ValType::kI64, F = ValType::kF32;

// Without a payload the decoder keeps its plain frames (the validator's speed depends on it).
static_assert(std::is_same_v<FunctionBodyDecoder<NullInterface>::Frame, ControlFrame>);
static_assert(!FunctionBodyDecoder<NullInterface>::kPayload);

struct Expr {
  std::string s;  // empty: default-constructed (a value from the polymorphic bottom)
};
struct Block {
  int id = -1;
  std::vector<std::vector<std::string>> incoming;  // the values each branch to the label carries
};

std::string text(const Expr& e) {
  return e.s.empty() ? "?" : e.s;
}
std::string join(std::span<const Expr> values) {
  std::string out;
  for (const Expr& e : values) out += (out.empty() ? "" : ", ") + text(e);
  return out;
}
std::vector<std::string> texts(std::span<const Expr> values) {
  std::vector<std::string> out;
  for (const Expr& e : values) out.push_back(text(e));
  return out;
}
std::string name_of(Op op) {
  return std::string(op_text(op));
}

// Logs effects; values are expressions over parameters p<i>, constants and call results.
class Printer {
 public:
  using Value = Expr;
  using Control = Block;
  using Args = std::span<const Expr>;
  using Results = std::span<Expr>;

  std::vector<std::string> log;

  void start_function(uint32_t func_index, std::span<const ValType> locals, Block& c) {
    c.id = next_id_++;
    locals_.clear();
    for (size_t i = 0; i < locals.size(); ++i)
      locals_.push_back({i < num_params_ ? "p" + std::to_string(i) : "0"});
    log.push_back("func " + std::to_string(func_index));
  }
  void set_num_params(size_t n) { num_params_ = n; }

  void instr(Op op, const InstrImm& imm, Args args, Expr* result) {
    ASSERT_NE(result, nullptr) << "every instruction used here has a result";
    if (op == Op::kI32Const) {
      result->s = std::to_string(imm.i32);
    } else if (op == Op::kI64Const) {
      result->s = std::to_string(imm.i64) + "L";
    } else if (op == Op::kF32Const) {
      result->s = std::to_string(static_cast<int>(imm.f32)) + "f";
    } else {
      result->s = "(" + name_of(op);
      for (const Expr& a : args) result->s += " " + text(a);
      result->s += ")";
    }
  }
  void block(Op op, const BlockSig&, Args args, Results params, Block& c) {
    c.id = next_id_++;
    std::string id = "#" + std::to_string(c.id);
    if (op == Op::kLoop) {
      // A loop header is a merge: its parameters become phis (the back-edges come later).
      log.push_back("loop" + id + " [" + join(args) + "]");
      for (size_t i = 0; i < params.size(); ++i) params[i].s = "phi" + id + "." + std::to_string(i);
      return;
    }
    log.push_back(name_of(op) + id + " [" + join(args) + "] params [" + join(params) + "]");
  }
  void else_(const ControlFrame& frame, Block& c, Args then_values, Results params) {
    if (!frame.unreachable) c.incoming.push_back(texts(then_values));
    log.push_back("else#" + std::to_string(c.id) + " [" + join(then_values) + "] params [" +
                  join(params) + "]");
  }
  void end(const ControlFrame& frame, Block& c, Args values, Results after) {
    std::string id = "#" + std::to_string(c.id);
    log.push_back("end" + id + (frame.unreachable ? " unreachable" : "") + " [" + join(values) +
                  "]");
    if (frame.kind == FrameKind::kFunction) {
      EXPECT_TRUE(after.empty());
      return;
    }
    if (frame.kind == FrameKind::kLoop) return;  // falls through with its values
    // Without branches to the end, the fall-through values go on as they are (`after` starts
    // as copies of them).
    if (c.incoming.empty()) return;
    std::vector<std::vector<std::string>> inputs = c.incoming;
    if (!frame.unreachable) inputs.push_back(texts(values));
    for (size_t i = 0; i < after.size(); ++i) {
      after[i].s = "phi" + id + "." + std::to_string(i) + "(";
      for (size_t k = 0; k < inputs.size(); ++k) after[i].s += (k ? " | " : "") + inputs[k][i];
      after[i].s += ")";
    }
  }
  void br(uint32_t depth, Block& target, Args values) {
    target.incoming.push_back(texts(values));
    log.push_back("br " + std::to_string(depth) + " to #" + std::to_string(target.id) + " [" +
                  join(values) + "]");
  }
  void br_if(uint32_t depth, Block& target, Args args, Results passthrough) {
    Args values = args.first(args.size() - 1);
    target.incoming.push_back(texts(values));
    log.push_back("br_if " + std::to_string(depth) + " to #" + std::to_string(target.id) + " if " +
                  text(args.back()) + " [" + join(values) + "] passthrough [" + join(passthrough) +
                  "]");
  }
  void br_table(std::span<const uint32_t> targets, uint32_t default_depth,
                std::span<Block* const> frames, Args args) {
    std::string line =
        "br_table " + text(args.back()) + " [" + join(args.first(args.size() - 1)) + "] to";
    EXPECT_EQ(frames.size(), targets.size() + 1);
    std::vector<Block*> seen;
    for (Block* b : frames) {
      line += " #" + std::to_string(b->id);
      if (std::find(seen.begin(), seen.end(), b) != seen.end()) continue;
      seen.push_back(b);
      b->incoming.push_back(texts(args.first(args.size() - 1)));
    }
    log.push_back(line + " default depth " + std::to_string(default_depth));
  }
  void return_(Args values) { log.push_back("return [" + join(values) + "]"); }
  void unreachable() { log.push_back("unreachable"); }  // the plain form: it has no values
  void call(Op op, uint32_t func_index, Args args, Results results) {
    std::string call = name_of(op) + " " + std::to_string(func_index) + "(" + join(args) + ")";
    for (size_t i = 0; i < results.size(); ++i) results[i].s = call + "." + std::to_string(i);
    if (results.empty()) log.push_back(call);
  }
  void call_indirect(Op op, uint32_t type_index, uint32_t table, Args args, Results results) {
    std::string call = name_of(op) + " type " + std::to_string(type_index) + " table " +
                       std::to_string(table) + "(" + join(args) + ")";
    for (size_t i = 0; i < results.size(); ++i) results[i].s = call + "." + std::to_string(i);
    if (results.empty()) log.push_back(call);
  }
  void drop(ValType, Args args) { log.push_back("drop " + join(args)); }
  void select(ValType, Args args, Expr* result) { result->s = "(select " + join(args) + ")"; }
  void local(Op op, uint32_t index, ValType, Args args, Expr* result) {
    // Locals hold the expression last stored (the test bodies have no merges over locals).
    if (op != Op::kLocalGet) locals_[index] = args[0];
    if (result) *result = locals_[index];
    if (op == Op::kLocalSet) {
      EXPECT_EQ(result, nullptr);
    }
  }
  void global(Op op, uint32_t index, ValType, Args args, Expr* result) {
    if (op == Op::kGlobalGet) {
      result->s = "g" + std::to_string(index);
    } else {
      log.push_back("global.set " + std::to_string(index) + " " + join(args));
    }
  }
  void table_op(Op op, uint32_t a, uint32_t, Args args, Expr* result) {
    std::string e = "(" + name_of(op) + " " + std::to_string(a) + " " + join(args) + ")";
    if (result) {
      result->s = e;
    } else {
      log.push_back(e);
    }
  }
  void memory_op(Op op, uint32_t, uint32_t, Args args, Expr* result) {
    std::string e = "(" + name_of(op) + " " + join(args) + ")";
    if (result) {
      result->s = e;
    } else {
      log.push_back(e);
    }
  }
  void ref_null(ValType, Expr* result) { result->s = "null"; }
  void ref_is_null(Args args, Expr* result) { result->s = "(ref.is_null " + join(args) + ")"; }
  void ref_func(uint32_t f, Expr* result) { result->s = "func" + std::to_string(f); }
  void exception_op(Op op, uint32_t, Args args, Results, Block*) {
    log.push_back(name_of(op) + " [" + join(args) + "]");
  }

 private:
  int next_id_ = 0;
  size_t num_params_ = 0;
  std::vector<Expr> locals_;
};

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// Decodes function `func_index` of a module that must validate, with the printer, in both
// validation modes; the two logs must agree. Returns the log.
template <class Tag>
std::string print_with(const Module& m, uint32_t func_index) {
  ValidationContext ctx(m);
  std::fill(ctx.declared_functions.begin(), ctx.declared_functions.end(), 1);
  Printer printer;
  printer.set_num_params(m.function_type(func_index).params.size());
  FunctionBodyDecoder<Printer, Tag> decoder(ctx, printer);
  if (!decoder.decode_function(func_index)) return "error: " + decoder.error().to_string();
  return joined(printer.log);
}
std::string print(const Bytes& bytes, uint32_t func_index) {
  auto loaded = load_module(buffer_of(bytes));
  if (!loaded.ok()) return "invalid: " + loaded.error().to_string();
  std::string checked = print_with<FullValidationTag>(*loaded, func_index);
  std::string trusted = print_with<NoValidationTag>(*loaded, func_index);
  EXPECT_EQ(checked, trusted) << "the validation modes disagree";
  return checked;
}

Bytes lget(uint32_t i) {
  return local_get(i);
}
Bytes lset(uint32_t i) {
  return cat(op::kLocalSet, u32(i));
}
Bytes ltee(uint32_t i) {
  return cat(op::kLocalTee, u32(i));
}
Bytes block_t(uint8_t kind, uint32_t type_index) {
  return cat(kind, s32(static_cast<int32_t>(type_index)));
}
constexpr uint8_t kI32Sub = 0x6b, kI32Mul = 0x6c;

TEST(DecoderHooks, ArithmeticThroughLocals) {
  WasmBuilder b;
  b.func(b.type({I}, {I}),
         cat(lget(0), i32_const(2), kI32Mul, lset(1), lget(1), lget(1), op::kI32Add), {{1, I}});
  EXPECT_EQ(print(b.build(), 0),
            "func 0\n"
            "end#0 [(i32.add (i32.mul p0 2) (i32.mul p0 2))]\n");
}

TEST(DecoderHooks, MultiValueBlocksAndParams) {
  WasmBuilder b;
  uint32_t pair = b.type({}, {I, L});
  uint32_t binary = b.type({I, I}, {I});
  b.func(b.type({}, {I}),
         cat(block_t(op::kBlock, pair), i32_const(1), i64_const(2), op::kEnd, lset(0), i32_const(3),
             i32_const(4), block_t(op::kBlock, binary), kI32Sub, op::kEnd, op::kI32Add),
         {{1, L}});
  // The pair leaves the first block as it is (no branch: no merge); the second block starts with
  // copies of its arguments.
  EXPECT_EQ(print(b.build(), 0),
            "func 0\n"
            "block#1 [] params []\n"
            "end#1 [1, 2L]\n"
            "block#2 [3, 4] params [3, 4]\n"
            "end#2 [(i32.sub 3 4)]\n"
            "end#0 [(i32.add 1 (i32.sub 3 4))]\n");
}

TEST(DecoderHooks, BrIfPassesValuesThroughAndMerges) {
  WasmBuilder b;
  b.func(b.type({I}, {I}), cat(cat(op::kBlock, I), i32_const(7), lget(0), cat(op::kBrIf, 0),
                               i32_const(1), op::kI32Add, op::kEnd));
  EXPECT_EQ(print(b.build(), 0),
            "func 0\n"
            "block#1 [] params []\n"
            "br_if 0 to #1 if p0 [7] passthrough [7]\n"
            "end#1 [(i32.add 7 1)]\n"
            "end#0 [phi#1.0(7 | (i32.add 7 1))]\n");
}

TEST(DecoderHooks, SelectAndCallsWithSeveralParamsAndResults) {
  WasmBuilder b;
  uint32_t callee_type = b.type({I, L, F}, {I, L});
  b.func(callee_type, cat(lget(0), lget(1)));
  b.func(b.type({I}, {I}), cat(i32_const(1), i64_const(2), f32_const(), call(0), op::kDrop,
                               i32_const(5), lget(0), op::kSelect));
  EXPECT_EQ(print(b.build(), 1),
            "func 1\n"
            "drop call 0(1, 2L, 0f).1\n"
            "end#0 [(select call 0(1, 2L, 0f).0, 5, p0)]\n");
  EXPECT_EQ(print(b.build(), 0), "func 0\nend#0 [p0, p1]\n");
}

TEST(DecoderHooks, IfElseWithParams) {
  WasmBuilder b;
  uint32_t t = b.type({I}, {I});
  b.func(t, cat(i32_const(10), lget(0), block_t(op::kIf, t), i32_const(1), op::kI32Add, op::kElse,
                i32_const(2), kI32Mul, op::kEnd));
  // The else branch starts again from the if's parameter (10), not from the then branch's value.
  EXPECT_EQ(print(b.build(), 0),
            "func 0\n"
            "if#1 [10, p0] params [10]\n"
            "else#1 [(i32.add 10 1)] params [10]\n"
            "end#1 [(i32.mul 10 2)]\n"
            "end#0 [phi#1.0((i32.add 10 1) | (i32.mul 10 2))]\n");
}

// `else` sees the frame as the then branch left it: here unreachable, so its (bottom) values are
// no input of the merge, only the branch's are.
TEST(DecoderHooks, ElseAfterAnUnreachableThenBranch) {
  WasmBuilder b;
  b.func(b.type({I}, {I}),
         cat(lget(0), cat(op::kIf, I), i32_const(1), br(0), op::kElse, i32_const(2), op::kEnd));
  EXPECT_EQ(print(b.build(), 0),
            "func 0\n"
            "if#1 [p0] params []\n"
            "br 0 to #1 [1]\n"
            "else#1 [?] params []\n"
            "end#1 [2]\n"
            "end#0 [phi#1.0(1 | 2)]\n");
}

TEST(DecoderHooks, LoopParamsAndBackEdges) {
  WasmBuilder b;
  uint32_t t = b.type({I}, {I});
  b.func(t,
         cat(i32_const(5), block_t(op::kLoop, t), i32_const(1), kI32Sub, ltee(1), lget(1),
             cat(op::kBrIf, 0), op::kEnd),
         {{1, I}});
  EXPECT_EQ(print(b.build(), 0),
            "func 0\n"
            "loop#1 [5]\n"
            "br_if 0 to #1 if (i32.sub phi#1.0 1) [(i32.sub phi#1.0 1)] passthrough "
            "[(i32.sub phi#1.0 1)]\n"
            "end#1 [(i32.sub phi#1.0 1)]\n"
            "end#0 [(i32.sub phi#1.0 1)]\n");
}

TEST(DecoderHooks, BrTableSeesItsTargetFrames) {
  WasmBuilder b;
  b.func(b.type({I}, {I}), cat(cat(op::kBlock, I), cat(op::kBlock, I), i32_const(3), lget(0),
                               op::kBrTable, vec_u32({0, 1}), u32(1), op::kEnd, op::kEnd));
  EXPECT_EQ(print(b.build(), 0),
            "func 0\n"
            "block#1 [] params []\n"
            "block#2 [] params []\n"
            "br_table p0 [3] to #2 #1 #1 default depth 1\n"
            "end#2 unreachable [?]\n"
            "end#1 [phi#2.0(3)]\n"
            "end#0 [phi#1.0(3 | phi#2.0(3))]\n");
}

TEST(DecoderHooks, UnreachableCodeGetsDefaultValues) {
  WasmBuilder b;
  uint32_t pair = b.type({}, {I, I});
  // After `unreachable`, i32.add pops two values that are not there, and br carries one that is
  // and one that is not; the function's end sees the block's values.
  b.func(b.type({}, {I}), cat(block_t(op::kBlock, pair), op::kUnreachable, op::kI32Add,
                              i32_const(4), br(0), op::kEnd, op::kI32Add));
  EXPECT_EQ(print(b.build(), 0),
            "func 0\n"
            "block#1 [] params []\n"
            "unreachable\n"
            "br 0 to #1 [(i32.add ? ?), 4]\n"
            "end#1 unreachable [?, ?]\n"
            "end#0 [(i32.add phi#1.0((i32.add ? ?)) phi#1.1(4))]\n");
}

TEST(DecoderHooks, ReturnMemoryAndGlobals) {
  WasmBuilder b;
  b.memory(1);
  b.global(I, true, expr(i32_const(0)));
  b.func(b.type({I}, {I}), cat(lget(0), cat(op::kI32Load, memarg(2, 8)), global_set(0),
                               global_get(0), cat(op::kMemorySize, 0), op::kI32Add, op::kReturn));
  EXPECT_EQ(print(b.build(), 0),
            "func 0\n"
            "global.set 0 (i32.load p0)\n"
            "return [(i32.add g0 (memory.size ))]\n"
            "end#0 unreachable [?]\n");
}

// The same interface with full validation rejects what the validator rejects.
TEST(DecoderHooks, InvalidBodiesFailOnTheValidatingPath) {
  WasmBuilder b;
  b.func(b.type({}, {I}), cat(i64_const(1), i32_const(2), op::kI32Add));
  auto decoded = decode_module(buffer_of(b.build()), Features{});
  ASSERT_TRUE(decoded.ok());
  ValidationContext ctx(*decoded);
  Printer printer;
  FunctionBodyDecoder<Printer> decoder(ctx, printer);
  EXPECT_FALSE(decoder.decode_function(0));
  EXPECT_EQ(decoder.error().message, "type mismatch");
  EXPECT_FALSE(load_module(buffer_of(b.build())).ok());
}

}  // namespace
}  // namespace keel

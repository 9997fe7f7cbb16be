#include "jit/optimizing/passes/constant_folding.h"
#include "optimizing/graph_test_util.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/passes/dce.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/verifier.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

TEST(ConstantFolding, FoldsChainThenDceRemovesTheConstants) {
  Graph g(FuncType{{}, {VT::kI32}});
  Builder b(g);
  ValueId sum = b.wasm(Op::kI32Add, {b.i32_const(2), b.i32_const(3)});
  ValueId product = b.wasm(Op::kI32Mul, {sum, b.i32_const(-4)});
  ValueId shifted = b.wasm(Op::kI32ShrU, {product, b.i32_const(28)});
  b.ret({shifted});
  EXPECT_TRUE(run_constant_folding(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function () -> (i32) {\n"
            "block0:\n"
            "  v0 = i32.const 2\n"
            "  v1 = i32.const 3\n"
            "  v2 = i32.const 5\n"
            "  v3 = i32.const -4\n"
            "  v4 = i32.const -20\n"
            "  v5 = i32.const 28\n"
            "  v6 = i32.const 15\n"
            "  return v6\n"
            "}\n");
  EXPECT_TRUE(run_dce(g));
  EXPECT_EQ(print_graph(g),
            "function () -> (i32) {\n"
            "block0:\n"
            "  v6 = i32.const 15\n"
            "  return v6\n"
            "}\n");
  EXPECT_FALSE(run_constant_folding(g));
}

TEST(ConstantFolding, ConstantDivisorDropsTheTrap) {
  Graph g(FuncType{{VT::kI32, VT::kI64}, {VT::kI32, VT::kI32, VT::kI64, VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  ValueId y = g.block(g.entry()).params[1];
  ValueId by_seven = b.wasm(Op::kI32DivS, {x, b.i32_const(7)});
  ValueId by_minus_one = b.wasm(Op::kI32DivS, {x, b.i32_const(-1)});
  ValueId rem = b.wasm(Op::kI64RemS, {y, b.i64_const(-1)});
  ValueId by_zero = b.wasm(Op::kI32DivU, {x, b.i32_const(0)});
  b.ret({by_seven, by_minus_one, rem, by_zero});
  EXPECT_TRUE(run_constant_folding(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, i64) -> (i32, i32, i64, i32) {\n"
            "block0(v0: i32, v1: i64):\n"
            "  v2 = i32.const 7\n"
            "  v3 = i32.div_s v0, v2\n"
            "  v4 = i32.const -1\n"
            "  v5 = i32.div_s v0, v4 !trap(integer_overflow)\n"
            "  v6 = i64.const -1\n"
            "  v7 = i64.rem_s v1, v6\n"
            "  v8 = i32.const 0\n"
            "  v9 = i32.div_u v0, v8 !trap(integer_divide_by_zero)\n"
            "  return v3, v5, v7, v9\n"
            "}\n");
}

TEST(ConstantFolding, TrappingDivisionOfConstantsStays) {
  Graph g(FuncType{{}, {VT::kI32}});
  Builder b(g);
  ValueId q = b.wasm(Op::kI32DivS, {b.i32_const(INT32_MIN), b.i32_const(-1)});
  b.ret({q});
  run_constant_folding(g);
  EXPECT_EQ(g.inst(g.value(q).inst).kind, InstKind::kWasm);
  EXPECT_TRUE(g.inst(g.value(q).inst).effects.may_trap());
}

TEST(ConstantFolding, BranchOnConstantBecomesJumpAndDeadArmGoes) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  BlockId yes = g.create_block();
  BlockId no = g.create_block();
  BlockId join = g.create_block();
  ValueId r = g.add_block_param(join, VT::kI32);
  ValueId cond = b.wasm(Op::kI32Eqz, {b.i32_const(0)});
  b.branch(cond, yes, {}, no);
  b.set_block(yes);
  b.jump(join, {g.block(g.entry()).params[0]});
  b.set_block(no);
  b.jump(join, {b.i32_const(9)});
  b.set_block(join);
  b.ret({r});
  EXPECT_TRUE(run_constant_folding(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v2 = i32.const 0\n"
            "  v3 = i32.const 1\n"
            "  jump block1\n"
            "block1:\n"
            "  jump block3(v0)\n"
            "block3(v1: i32):\n"
            "  return v1\n"
            "}\n");
}

TEST(ConstantFolding, SwitchOnConstantTakesCaseOrDefault) {
  for (int32_t index : {1, 7}) {
    Graph g(FuncType{{}, {VT::kI32}});
    Builder b(g);
    BlockId zero = g.create_block();
    BlockId one = g.create_block();
    BlockId other = g.create_block();
    b.switch_(b.i32_const(index), {BlockCall{zero, {}}, BlockCall{one, {}}}, BlockCall{other, {}});
    for (BlockId t : {zero, one, other}) {
      b.set_block(t);
      b.ret({b.i32_const(static_cast<int32_t>(t.index))});
    }
    run_constant_folding(g);
    expect_valid(g);
    ASSERT_EQ(g.layout().size(), 2u);
    EXPECT_EQ(g.layout()[1], index == 1 ? one : other);
  }
}

TEST(ConstantFolding, TrapIfOnConstants) {
  Graph g(FuncType{{VT::kI32}, {}});
  Builder b(g);
  BlockId after = g.create_block();
  b.trap_if(b.i32_const(0), TrapCode::kIntegerDivideByZero);
  b.trap_if(g.block(g.entry()).params[0], TrapCode::kIntegerOverflow);
  b.jump(after);
  b.set_block(after);
  b.trap_if(b.i32_const(3), TrapCode::kMemoryOutOfBounds);
  b.global_set(0, b.i32_const(1));
  b.ret();
  EXPECT_TRUE(run_constant_folding(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> () {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const 0\n"
            "  trap_if v0, integer_overflow\n"
            "  jump block1\n"
            "block1:\n"
            "  v2 = i32.const 3\n"
            "  trap out_of_bounds_memory_access\n"
            "}\n");
}

TEST(ConstantFolding, ParamsBoundToOneConstantEverywhere) {
  Graph g(FuncType{{VT::kI32}, {VT::kI64}});
  Builder b(g);
  BlockId left = g.create_block();
  BlockId right = g.create_block();
  BlockId join = g.create_block();
  ValueId p = g.add_block_param(join, VT::kI64);
  b.branch(g.block(g.entry()).params[0], left, {}, right);
  b.set_block(left);
  b.jump(join, {b.i64_const(40)});
  b.set_block(right);
  b.jump(join, {b.i64_const(40)});
  b.set_block(join);
  b.ret({b.wasm(Op::kI64Add, {p, b.i64_const(2)})});
  EXPECT_TRUE(run_constant_folding(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i64) {\n"
            "block0(v0: i32):\n"
            "  brif v0, block1, block2\n"
            "block1:\n"
            "  v2 = i64.const 40\n"
            "  jump block3\n"
            "block2:\n"
            "  v3 = i64.const 40\n"
            "  jump block3\n"
            "block3:\n"
            "  v6 = i64.const 40\n"
            "  v4 = i64.const 2\n"
            "  v5 = i64.const 42\n"
            "  return v5\n"
            "}\n");
}

TEST(ConstantFolding, SelectAndRefIsNull) {
  Graph g(FuncType{{VT::kF32, VT::kF32}, {VT::kF32, VT::kI32, VT::kI32}});
  Builder b(g);
  ValueId a = g.block(g.entry()).params[0];
  ValueId c = g.block(g.entry()).params[1];
  ValueId chosen = b.select(b.i32_const(0), a, c);
  ValueId null_test = b.ref_is_null(b.ref_null(VT::kExternRef));
  ValueId func_test = b.ref_is_null(b.ref_func(2));
  b.ret({chosen, null_test, func_test});
  EXPECT_TRUE(run_constant_folding(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (f32, f32) -> (f32, i32, i32) {\n"
            "block0(v0: f32, v1: f32):\n"
            "  v2 = i32.const 0\n"
            "  v4 = ref.null externref\n"
            "  v5 = i32.const 1\n"
            "  v6 = ref.func f2\n"
            "  v7 = i32.const 0\n"
            "  return v1, v5, v7\n"
            "}\n");
}

}  // namespace
}  // namespace keel::jit::opt

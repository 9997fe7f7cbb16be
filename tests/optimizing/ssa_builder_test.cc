#include "jit/optimizing/ssa_builder.h"
#include "optimizing/graph_test_util.h"

#include <gtest/gtest.h>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/verifier.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

// local0 = param; local1 = 0; loop { local1 += local0; br_if loop (local1 < 100) } return local1
// local0 is never written in the loop: it must not become a loop parameter. local1 must.
TEST(SsaBuilder, LoopGetsParamOnlyForModifiedVariable) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  SsaBuilder ssa(g);
  Builder b(g);
  Variable l0 = ssa.declare_var(VT::kI32);
  Variable l1 = ssa.declare_var(VT::kI32);
  ssa.def_var(l0, g.entry(), g.block(g.entry()).params[0]);
  ssa.def_var(l1, g.entry(), b.i32_const(0));
  BlockId loop = g.create_block();
  BlockId exit = g.create_block();
  b.jump(loop);

  b.set_block(loop);
  ValueId sum = b.wasm(Op::kI32Add, {ssa.use_var(l1, loop), ssa.use_var(l0, loop)});
  ssa.def_var(l1, loop, sum);
  ValueId limit = b.i32_const(100);
  ValueId again = b.wasm(Op::kI32LtS, {ssa.use_var(l1, loop), limit});
  b.branch(again, loop, {}, exit);
  ssa.seal(loop);  // the back edge exists now
  ssa.seal(exit);

  b.set_block(exit);
  b.ret({ssa.use_var(l1, exit)});
  ssa.finish();

  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const 0\n"
            "  jump block1(v1)\n"
            "block1(v2: i32):\n"
            "  v4 = i32.add v2, v0\n"
            "  v5 = i32.const 100\n"
            "  v6 = i32.lt_s v4, v5\n"
            "  brif v6, block1(v4), block2\n"
            "block2:\n"
            "  return v4\n"
            "}\n");
}

// A diamond: the variable is set on one side only, so the join gets a parameter; a variable set
// before the diamond and untouched does not.
TEST(SsaBuilder, DiamondMergesOnlyWhatDiffers) {
  Graph g(FuncType{{VT::kI32}, {VT::kI64, VT::kI64}});
  SsaBuilder ssa(g);
  Builder b(g);
  Variable x = ssa.declare_var(VT::kI64);
  Variable y = ssa.declare_var(VT::kI64);
  ssa.def_var(x, g.entry(), b.i64_const(1));
  ssa.def_var(y, g.entry(), b.i64_const(2));
  BlockId left = g.create_block();
  BlockId right = g.create_block();
  BlockId join = g.create_block();
  b.branch(g.block(g.entry()).params[0], left, {}, right);
  ssa.seal(left);
  ssa.seal(right);
  b.set_block(left);
  ssa.def_var(x, left, b.i64_const(3));
  b.jump(join);
  b.set_block(right);
  b.jump(join);
  ssa.seal(join);
  b.set_block(join);
  b.ret({ssa.use_var(x, join), ssa.use_var(y, join)});
  ssa.finish();

  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i64, i64) {\n"
            "block0(v0: i32):\n"
            "  v1 = i64.const 1\n"
            "  v2 = i64.const 2\n"
            "  brif v0, block1, block2\n"
            "block1:\n"
            "  v3 = i64.const 3\n"
            "  jump block3(v3)\n"
            "block2:\n"
            "  jump block3(v1)\n"
            "block3(v4: i64):\n"
            "  return v4, v2\n"
            "}\n");
}

// Nested loops, where the inner header is used before it is sealed: the provisional parameters of
// the unmodified variable turn out trivial and go, the modified one stays in both headers.
TEST(SsaBuilder, NestedLoopsRemoveTrivialProvisionalParams) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  SsaBuilder ssa(g);
  Builder b(g);
  Variable n = ssa.declare_var(VT::kI32);
  Variable acc = ssa.declare_var(VT::kI32);
  ssa.def_var(n, g.entry(), g.block(g.entry()).params[0]);
  ssa.def_var(acc, g.entry(), g.block(g.entry()).params[1]);
  BlockId outer = g.create_block();
  BlockId inner = g.create_block();
  BlockId latch = g.create_block();
  BlockId exit = g.create_block();
  b.jump(outer);
  b.set_block(outer);  // unsealed: its back edge comes from latch
  b.jump(inner);
  ssa.seal(inner);
  ssa.seal(inner);  // sealing twice is harmless
  b.set_block(inner);
  ValueId next = b.wasm(Op::kI32Mul, {ssa.use_var(acc, inner), ssa.use_var(n, inner)});
  ssa.def_var(acc, inner, next);
  b.jump(latch);
  ssa.seal(latch);
  b.set_block(latch);
  b.branch(ssa.use_var(acc, latch), outer, {}, exit);
  ssa.seal(outer);
  ssa.seal(exit);
  b.set_block(exit);
  b.ret({ssa.use_var(acc, exit)});
  ssa.finish();

  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, i32) -> (i32) {\n"
            "block0(v0: i32, v1: i32):\n"
            "  jump block1(v1)\n"
            "block1(v2: i32):\n"
            "  jump block2\n"
            "block2:\n"
            "  v4 = i32.mul v2, v0\n"
            "  jump block3\n"
            "block3:\n"
            "  brif v4, block1(v4), block4\n"
            "block4:\n"
            "  return v4\n"
            "}\n");
}

// A br_table that reaches one block through two edges, plus a loop header with an explicit
// parameter (a wasm loop's parameter) that variable parameters go after.
TEST(SsaBuilder, SwitchEdgesAndExplicitParams) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  SsaBuilder ssa(g);
  Builder b(g);
  Variable v = ssa.declare_var(VT::kI32);
  ValueId x = g.block(g.entry()).params[0];
  BlockId one = g.create_block();
  BlockId two = g.create_block();
  BlockId loop = g.create_block();
  BlockId exit = g.create_block();
  ValueId carried = g.add_block_param(loop, VT::kI32);  // explicit, before any variable's
  ssa.def_var(v, g.entry(), x);
  b.switch_(x, {BlockCall{one, {}}, BlockCall{two, {}}, BlockCall{one, {}}}, BlockCall{two, {}});
  ssa.seal(one);
  ssa.seal(two);
  b.set_block(one);
  ssa.def_var(v, one, b.i32_const(1));
  b.jump(loop, {x});
  b.set_block(two);
  b.jump(loop, {b.i32_const(2)});
  b.set_block(loop);
  ValueId next = b.wasm(Op::kI32Add, {ssa.use_var(v, loop), carried});
  ssa.def_var(v, loop, next);
  b.branch(next, loop, {next}, exit);
  ssa.seal(loop);
  ssa.seal(exit);
  b.set_block(exit);
  b.ret({ssa.use_var(v, exit)});
  ssa.finish();
  expect_valid(g);
  EXPECT_EQ(g.block(one).preds.size(), 2u);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  br_table v0, [block1, block2, block1], block2\n"
            "block1:\n"
            "  v2 = i32.const 1\n"
            "  jump block3(v0, v2)\n"
            "block2:\n"
            "  v3 = i32.const 2\n"
            "  jump block3(v3, v0)\n"
            "block3(v1: i32, v4: i32):\n"
            "  v5 = i32.add v4, v1\n"
            "  brif v5, block3(v5, v5), block4\n"
            "block4:\n"
            "  return v5\n"
            "}\n");
}

TEST(SsaBuilder, UseBeforeAnyDefinitionIsZero) {
  Graph g(FuncType{{}, {VT::kF64}});
  SsaBuilder ssa(g);
  Builder b(g);
  Variable v = ssa.declare_var(VT::kF64);
  b.ret({ssa.use_var(v, g.entry())});
  ssa.finish();
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function () -> (f64) {\n"
            "block0:\n"
            "  v0 = f64.const bits:0x0000000000000000\n"
            "  return v0\n"
            "}\n");
}

// Found in dlmalloc's free() in yosys: a variable the loop never touches is first looked up after
// the loop, from a merge, through a chain of single predecessors (exit <- body <- header). The
// header's new parameter then looks the variable up on each back edge, and one back edge comes
// from the body, still on that chain. The merge's parameter breaks the cycle, so the body must
// not count as visited again (which made the variable zero on that edge): x is v0 everywhere.
TEST(SsaBuilder, LookupThroughAMergeIsNotACycle) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  SsaBuilder ssa(g);
  Builder b(g);
  Variable x = ssa.declare_var(VT::kI32);
  ValueId p0 = g.block(g.entry()).params[0], p1 = g.block(g.entry()).params[1];
  ssa.def_var(x, g.entry(), p0);
  BlockId header = g.create_block(), body = g.create_block(), exit = g.create_block();
  BlockId other = g.create_block(), merge = g.create_block();
  b.branch(p1, header, {}, other, {});
  ssa.seal(other);

  b.set_block(header);
  b.branch(p1, header, {}, body, {});
  ssa.seal(body);
  b.set_block(body);
  b.branch(p1, header, {}, exit, {});
  ssa.seal(exit);
  ssa.seal(header);  // the loop never used x: the header has no parameter yet

  b.set_block(exit);
  b.jump(merge);
  b.set_block(other);
  b.jump(merge);
  ssa.seal(merge);
  b.set_block(merge);
  b.ret({ssa.use_var(x, merge)});
  ssa.finish();

  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, i32) -> (i32) {\n"
            "block0(v0: i32, v1: i32):\n"
            "  brif v1, block1, block4\n"
            "block1:\n"
            "  brif v1, block1, block2\n"
            "block2:\n"
            "  brif v1, block1, block3\n"
            "block3:\n"
            "  jump block5\n"
            "block4:\n"
            "  jump block5\n"
            "block5:\n"
            "  return v0\n"
            "}\n");
}

TEST(SsaBuilder, RemoveTrivialBlockParamsCascades) {
  // block1(p) loops to itself passing p and is entered with v0: p is v0. block2(q) gets p from
  // block1 and q from itself: after p goes, q is v0 too.
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  BlockId one = g.create_block();
  BlockId two = g.create_block();
  ValueId p = g.add_block_param(one, VT::kI32);
  ValueId q = g.add_block_param(two, VT::kI32);
  b.jump(one, {x});
  b.set_block(one);
  b.branch(p, one, {p}, two, {p});
  b.set_block(two);
  b.branch(q, two, {q}, one, {x});
  EXPECT_TRUE(remove_trivial_block_params(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  jump block1\n"
            "block1:\n"
            "  brif v0, block1, block2\n"
            "block2:\n"
            "  brif v0, block2, block1\n"
            "}\n");
  EXPECT_FALSE(remove_trivial_block_params(g));
}

}  // namespace
}  // namespace keel::jit::opt

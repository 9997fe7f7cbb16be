// Copy propagation, DCE, GVN and the pass pipeline, each on IR text before and after.
#include <gtest/gtest.h>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/passes/cfg_simplification.h"
#include "jit/optimizing/passes/copy_propagation.h"
#include "jit/optimizing/passes/dce.h"
#include "jit/optimizing/passes/gvn.h"
#include "jit/optimizing/passes/pipeline.h"
#include "jit/optimizing/passes/redundant_loads.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/verifier.h"
#include "optimizing/graph_test_util.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

TEST(CopyPropagation, EqualArmedSelectAndTrivialParams) {
  Graph g(FuncType{{VT::kI32, VT::kI64}, {VT::kI64}});
  Builder b(g);
  ValueId c = g.block(g.entry()).params[0];
  ValueId x = g.block(g.entry()).params[1];
  BlockId loop = g.create_block();
  BlockId exit = g.create_block();
  ValueId carried = g.add_block_param(loop, VT::kI64);
  ValueId same = b.select(c, x, x);
  b.jump(loop, {same});
  b.set_block(loop);
  b.branch(c, loop, {carried}, exit);
  b.set_block(exit);
  b.ret({carried});
  EXPECT_EQ(print_graph(g),
            "function (i32, i64) -> (i64) {\n"
            "block0(v0: i32, v1: i64):\n"
            "  v3 = select v0, v1, v1\n"
            "  jump block1(v3)\n"
            "block1(v2: i64):\n"
            "  brif v0, block1(v2), block2\n"
            "block2:\n"
            "  return v2\n"
            "}\n");
  EXPECT_TRUE(run_copy_propagation(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, i64) -> (i64) {\n"
            "block0(v0: i32, v1: i64):\n"
            "  jump block1\n"
            "block1:\n"
            "  brif v0, block1, block2\n"
            "block2:\n"
            "  return v1\n"
            "}\n");
  EXPECT_FALSE(run_copy_propagation(g));
}

TEST(CopyPropagation, KeepsRealMerges) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId c = g.block(g.entry()).params[0];
  BlockId join = g.create_block();
  ValueId p = g.add_block_param(join, VT::kI32);
  b.branch(c, join, {c}, join, {g.block(g.entry()).params[1]});
  b.set_block(join);
  b.ret({b.select(c, p, c)});
  EXPECT_FALSE(run_copy_propagation(g));
  EXPECT_EQ(g.block(join).params.size(), 1u);
}

TEST(Dce, RemovesUnusedPureButKeepsEffects) {
  Graph g(FuncType{{VT::kI32}, {}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  b.wasm(Op::kI32Add, {x, b.i32_const(1)});         // dead, pure
  b.wasm(Op::kI32DivU, {x, x});                     // dead but may trap: kept
  b.load(Op::kI64Load, 0, 8, x);                    // dead but may trap: kept
  b.global_get(1, VT::kI32);                        // dead, only reads: removed
  b.store(Op::kI32Store, 0, 0, x, b.i32_const(5));  // effect
  ValueId args[] = {x};
  b.call(4, FuncType{{VT::kI32}, {VT::kI32}}, args);  // result unused, call kept
  b.trap_if(b.wasm(Op::kI32Eqz, {x}), TrapCode::kUnreachable);
  b.ret();
  EXPECT_TRUE(run_dce(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> () {\n"
            "block0(v0: i32):\n"
            "  v3 = i32.div_u v0, v0 !trap(integer_divide_by_zero)\n"
            "  v4 = i64.load mem0[v0 + 8]\n"
            "  v6 = i32.const 5\n"
            "  i32.store mem0[v0], v6\n"
            "  v7 = call f4(v0)\n"
            "  v8 = i32.eqz v0\n"
            "  trap_if v8, unreachable\n"
            "  return\n"
            "}\n");
  EXPECT_FALSE(run_dce(g));
}

TEST(Dce, RemovesLoopCarriedValueNobodyReads) {
  // i = 0; s = 0; loop { s = s + i; i = i + 1; br_if loop (i < n) } return i: s is dead.
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId n = g.block(g.entry()).params[0];
  BlockId loop = g.create_block();
  BlockId exit = g.create_block();
  ValueId i = g.add_block_param(loop, VT::kI32);
  ValueId s = g.add_block_param(loop, VT::kI32);
  ValueId zero = b.i32_const(0);
  b.jump(loop, {zero, zero});
  b.set_block(loop);
  ValueId s2 = b.wasm(Op::kI32Add, {s, i});
  ValueId i2 = b.wasm(Op::kI32Add, {i, b.i32_const(1)});
  b.branch(b.wasm(Op::kI32LtS, {i2, n}), loop, {i2, s2}, exit);
  b.set_block(exit);
  b.ret({i2});
  EXPECT_TRUE(run_dce(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v3 = i32.const 0\n"
            "  jump block1(v3)\n"
            "block1(v1: i32):\n"
            "  v5 = i32.const 1\n"
            "  v6 = i32.add v1, v5\n"
            "  v7 = i32.lt_s v6, v0\n"
            "  brif v7, block1(v6), block2\n"
            "block2:\n"
            "  return v6\n"
            "}\n");
}

TEST(Gvn, MergesDominatedDuplicatesOnly) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  ValueId y = g.block(g.entry()).params[1];
  BlockId left = g.create_block();
  BlockId right = g.create_block();
  BlockId join = g.create_block();
  ValueId p = g.add_block_param(join, VT::kI32);
  ValueId sum = b.wasm(Op::kI32Add, {x, y});
  b.branch(sum, left, {}, right);
  b.set_block(left);
  ValueId again = b.wasm(Op::kI32Add, {x, y});  // dominated by sum: merged
  ValueId only_left = b.wasm(Op::kI32Mul, {again, y});
  b.jump(join, {only_left});
  b.set_block(right);
  ValueId sibling = b.wasm(Op::kI32Mul, {sum, y});  // same as only_left, but not dominated
  ValueId swapped = b.wasm(Op::kI32Add, {y, x});    // commutative: merged with sum
  ValueId minus = b.wasm(Op::kI32Sub, {x, y});
  ValueId minus_swapped = b.wasm(Op::kI32Sub, {y, x});  // not commutative: kept
  b.jump(join, {b.wasm(Op::kI32Xor, {b.wasm(Op::kI32Xor, {sibling, swapped}),
                                     b.wasm(Op::kI32Xor, {minus, minus_swapped})})});
  b.set_block(join);
  ValueId load1 = b.load(Op::kI32Load, 0, 0, p);
  ValueId load2 = b.load(Op::kI32Load, 0, 0, p);  // loads are not merged by GVN
  ValueId c1 = b.i32_const(3);
  ValueId c2 = b.i32_const(3);
  ValueId total =
      b.wasm(Op::kI32Add, {b.wasm(Op::kI32Add, {load1, load2}), b.wasm(Op::kI32Add, {c1, c2})});
  b.ret({total});
  EXPECT_TRUE(run_gvn(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, i32) -> (i32) {\n"
            "block0(v0: i32, v1: i32):\n"
            "  v3 = i32.add v0, v1\n"
            "  brif v3, block1, block2\n"
            "block1:\n"
            "  v5 = i32.mul v3, v1\n"
            "  jump block3(v5)\n"
            "block2:\n"
            "  v6 = i32.mul v3, v1\n"
            "  v8 = i32.sub v0, v1\n"
            "  v9 = i32.sub v1, v0\n"
            "  v10 = i32.xor v6, v3\n"
            "  v11 = i32.xor v8, v9\n"
            "  v12 = i32.xor v10, v11\n"
            "  jump block3(v12)\n"
            "block3(v2: i32):\n"
            "  v13 = i32.load mem0[v2]\n"
            "  v14 = i32.load mem0[v2]\n"
            "  v15 = i32.const 3\n"
            "  v17 = i32.add v13, v14\n"
            "  v18 = i32.add v15, v15\n"
            "  v19 = i32.add v17, v18\n"
            "  return v19\n"
            "}\n");
  EXPECT_FALSE(run_gvn(g));
}

TEST(Gvn, DistinguishesImmediatesAndTraps) {
  Graph g(FuncType{{VT::kI32, VT::kV128}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  ValueId v = g.block(g.entry()).params[1];
  ValueId lane0 = b.wasm(Op::kI32x4ExtractLane, {v}, 0);
  ValueId lane1 = b.wasm(Op::kI32x4ExtractLane, {v}, 1);
  ValueId lane1_again = b.wasm(Op::kI32x4ExtractLane, {v}, 1);
  ValueId d1 = b.wasm(Op::kI32DivU, {x, lane0});  // may trap: left alone
  ValueId d2 = b.wasm(Op::kI32DivU, {x, lane0});
  ValueId t = b.wasm(Op::kI32Add, {b.wasm(Op::kI32Add, {lane0, lane1}), lane1_again});
  b.ret({b.wasm(Op::kI32Add, {t, b.wasm(Op::kI32Add, {d1, d2})})});
  EXPECT_TRUE(run_gvn(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, v128) -> (i32) {\n"
            "block0(v0: i32, v1: v128):\n"
            "  v2 = i32x4.extract_lane v1 lane 0\n"
            "  v3 = i32x4.extract_lane v1 lane 1\n"
            "  v5 = i32.div_u v0, v2 !trap(integer_divide_by_zero)\n"
            "  v6 = i32.div_u v0, v2 !trap(integer_divide_by_zero)\n"
            "  v7 = i32.add v2, v3\n"
            "  v8 = i32.add v7, v3\n"
            "  v9 = i32.add v5, v6\n"
            "  v10 = i32.add v8, v9\n"
            "  return v10\n"
            "}\n");
}

// Within a block: a second load of the same place takes the first's value, a full-width load
// takes what a store just wrote there, and any store, call or bulk operation forgets both.
TEST(RedundantLoads, ReusesLoadsAndStoredValuesUntilMemoryIsWritten) {
  Graph g(FuncType{{VT::kI32, VT::kI64}, {VT::kI64}});
  Builder b(g);
  ValueId p = g.block(g.entry()).params[0];
  ValueId x = g.block(g.entry()).params[1];
  ValueId a = b.load(Op::kI64Load, 0, 8, p);
  ValueId a_again = b.load(Op::kI64Load, 0, 8, p);        // reused
  ValueId other_offset = b.load(Op::kI64Load, 0, 16, p);  // kept
  ValueId narrower = b.load(Op::kI64Load32U, 0, 8, p);    // another kind: kept
  b.store(Op::kI64Store, 0, 24, p, x);
  ValueId forwarded = b.load(Op::kI64Load, 0, 24, p);     // the stored x
  ValueId a_after_store = b.load(Op::kI64Load, 0, 8, p);  // the store may overlap: kept
  b.store(Op::kI64Store8, 0, 32, p, x);
  ValueId not_forwarded = b.load(Op::kI64Load, 0, 32, p);  // a narrowing store: kept
  b.store(Op::kI64Store, 0, 40, p, x);
  std::vector<ValueId> fill{p, b.i32_const(0), b.i32_const(8)};
  b.runtime_call(Op::kMemoryFill, 0, 0, fill, VT::kBottom);
  ValueId after_fill = b.load(Op::kI64Load, 0, 40, p);  // the fill wrote memory: kept
  ValueId total = a;
  for (ValueId v :
       {a_again, other_offset, narrower, forwarded, a_after_store, not_forwarded, after_fill})
    total = b.wasm(Op::kI64Add, {total, v});
  b.ret({total});
  EXPECT_TRUE(run_redundant_load_elimination(g));
  expect_valid(g);
  std::string text = print_graph(g);
  auto count = [&](std::string_view what) { return occurrences(text, what); };
  EXPECT_EQ(count("i64.load mem0[v0 + 8]"), 2u) << text;   // a, and after the store
  EXPECT_EQ(count("i64.load mem0[v0 + 24]"), 0u) << text;  // forwarded from the store
  EXPECT_EQ(count("i64.load mem0[v0 + 16]"), 1u) << text;
  EXPECT_EQ(count("i64.load32_u mem0[v0 + 8]"), 1u) << text;
  EXPECT_EQ(count("i64.load mem0[v0 + 32]"), 1u) << text;
  EXPECT_EQ(count("i64.load mem0[v0 + 40]"), 1u) << text;
  EXPECT_NE(text.find("i64.add v2, v2"), std::string::npos) << text;  // a + a_again
  EXPECT_FALSE(run_redundant_load_elimination(g));
}

// table.set then a table.get or call_indirect of the same slot: the stored reference, and a call
// of ref.func's function when its type is the expected one; a call or another table.set forgets.
TEST(RedundantLoads, ReusesTableSlotsAndCallsTheFunctionStoredThere) {
  const FuncType unary{{VT::kI32}, {VT::kI32}}, nullary{{}, {VT::kI32}};
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId slot = g.block(g.entry()).params[0];
  ValueId other = g.block(g.entry()).params[1];
  b.table_set(0, slot, b.ref_func(3, &unary));
  ValueId got = b.table_get(0, VT::kFuncRef, slot);                                // the ref.func
  ValueId direct = b.call_indirect(1, 0, unary, std::vector{other}, slot)[0];      // call f3
  ValueId after_call = b.call_indirect(1, 0, unary, std::vector{other}, slot)[0];  // forgotten
  b.table_set(0, slot, b.ref_func(4, &nullary));
  ValueId wrong_type = b.call_indirect(1, 0, unary, std::vector{other}, slot)[0];  // kept
  b.table_set(0, slot, b.ref_func(3, &unary));
  b.table_set(0, other, b.ref_func(4, &nullary));
  ValueId maybe_overwritten = b.call_indirect(1, 0, unary, std::vector{other}, slot)[0];  // kept
  ValueId total = b.wasm(Op::kI32Add, {b.ref_is_null(got), direct});
  for (ValueId v : {after_call, wrong_type, maybe_overwritten})
    total = b.wasm(Op::kI32Add, {total, v});
  b.ret({total});
  EXPECT_TRUE(run_redundant_load_elimination(g));
  expect_valid(g);
  std::string text = print_graph(g);
  auto count = [&](std::string_view what) { return occurrences(text, what); };
  EXPECT_EQ(count("table.get"), 0u) << text;
  EXPECT_EQ(count("call f3("), 1u) << text;
  EXPECT_EQ(count("call_indirect"), 3u) << text;
}

TEST(CfgSimplification, BypassesEmptyBlocksAndMergesChains) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  BlockId empty = g.create_block();
  BlockId chain = g.create_block();
  BlockId join = g.create_block();
  BlockId loop = g.create_block();
  ValueId p = g.add_block_param(join, VT::kI32);
  ValueId q = g.add_block_param(chain, VT::kI32);
  b.branch(x, empty, {}, chain, {x});
  b.set_block(empty);
  b.jump(join, {x});
  b.set_block(chain);
  ValueId twice = b.wasm(Op::kI32Add, {q, q});
  b.jump(join, {twice});
  b.set_block(join);
  b.jump(loop);
  b.set_block(loop);  // a self-loop is never merged into itself
  b.branch(p, loop, {}, loop);
  EXPECT_TRUE(run_cfg_simplification(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  brif v0, block3(v0), block2(v0)\n"
            "block2(v2: i32):\n"
            "  v3 = i32.add v2, v2\n"
            "  jump block3(v3)\n"
            "block3(v1: i32):\n"
            "  jump block4\n"
            "block4:\n"
            "  brif v1, block4, block4\n"
            "}\n");
}

// x * (2 + 3) on a branch that folding proves always taken, with a duplicate and a dead value.
Graph pipeline_input() {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  BlockId taken = g.create_block();
  BlockId not_taken = g.create_block();
  BlockId join = g.create_block();
  ValueId r = g.add_block_param(join, VT::kI32);
  ValueId five = b.wasm(Op::kI32Add, {b.i32_const(2), b.i32_const(3)});
  b.branch(b.wasm(Op::kI32GtU, {five, b.i32_const(1)}), taken, {}, not_taken);
  b.set_block(taken);
  ValueId m1 = b.wasm(Op::kI32Mul, {x, five});
  ValueId m2 = b.wasm(Op::kI32Mul, {x, b.i32_const(5)});
  b.wasm(Op::kI32Popcnt, {m2});
  b.jump(join, {b.wasm(Op::kI32Sub, {m1, m2})});
  b.set_block(not_taken);
  b.jump(join, {x});
  b.set_block(join);
  b.ret({r});
  return g;
}

// Folding makes the branch a jump and 2 + 3 a 5 (the dead arm goes, so block3's parameter
// becomes trivial); GVN then sees both multiplications as x * 5; DCE drops popcnt and the
// constants; the straight line left merges into one block. x - x stays: algebraic
// simplification is not a pass yet.
TEST(Pipeline, AllPassesTogether) {
  Graph g = pipeline_input();
  PassOptions options;
  options.verify_after_each_pass = true;
  Status status = run_passes(g, options);
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v4 = i32.const 5\n"
            "  v7 = i32.mul v0, v4\n"
            "  v11 = i32.sub v7, v7\n"
            "  return v11\n"
            "}\n");
}

TEST(Pipeline, EachPassCanBeSwitchedOff) {
  Graph none = pipeline_input();
  std::string before = print_graph(none);
  PassOptions off;
  off.constant_folding = off.copy_propagation = off.gvn = off.dce = off.redundant_loads = false;
  off.cfg_simplification = off.licm = false;
  ASSERT_TRUE(run_passes(none, off).ok());
  EXPECT_EQ(print_graph(none), before);

  // Without constant folding the branch stays; GVN still cannot see 2 + 3 as 5, so the two
  // multiplications differ, while DCE drops the popcnt.
  Graph no_fold = pipeline_input();
  PassOptions options;
  options.constant_folding = false;
  options.verify_after_each_pass = true;
  ASSERT_TRUE(run_passes(no_fold, options).ok());
  std::string text = print_graph(no_fold);
  EXPECT_NE(text.find("brif"), std::string::npos) << text;
  EXPECT_EQ(text.find("popcnt"), std::string::npos) << text;
  EXPECT_NE(text.find("i32.sub"), std::string::npos) << text;

  Graph no_dce = pipeline_input();
  options = PassOptions{};
  options.dce = false;
  ASSERT_TRUE(run_passes(no_dce, options).ok());
  EXPECT_NE(print_graph(no_dce).find("popcnt"), std::string::npos);
}

TEST(Pipeline, ReportsWhichPassBrokeTheGraph) {
  Graph g(FuncType{{}, {VT::kI32}});
  Builder b(g);
  b.i32_const(1);  // no terminator: broken before any pass runs
  PassOptions options;
  options.verify_after_each_pass = true;
  Status status = run_passes(g, options);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "after constant folding: block0 lacks a terminator");
}

}  // namespace
}  // namespace keel::jit::opt

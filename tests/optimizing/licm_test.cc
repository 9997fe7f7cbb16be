// Loop-invariant code motion, on IR text before and after: what moves, where to, which
// preheaders get made, and what has to stay in the loop.
#include "jit/optimizing/passes/licm.h"

#include <gtest/gtest.h>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/passes/constant_folding.h"
#include "jit/optimizing/passes/pipeline.h"
#include "jit/optimizing/printer.h"
#include "optimizing/graph_test_util.h"
#include "random_program.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

// for (i = 0; i < n; ++i) s += load(base + (n << 2)) + (f64) 1.5: the address and the float
// constant are invariant; the shift's i32 constant goes with it, while the loop's own i32
// constant 1 stays (the register allocator makes it an immediate anyway), and so does the
// invariant check of base, a compare fused into its trap_if.
TEST(Licm, HoistsAddressArithmeticIntoTheExistingPreheader) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kF64}});
  Builder b(g);
  ValueId base = g.block(g.entry()).params[0];
  ValueId n = g.block(g.entry()).params[1];
  BlockId loop = g.create_block(), exit = g.create_block();
  ValueId i = g.add_block_param(loop, VT::kI32);
  ValueId s = g.add_block_param(loop, VT::kF64);
  b.jump(loop, {b.i32_const(0), b.f64_const_bits(0)});
  b.set_block(loop);
  ValueId address = b.wasm(Op::kI32Add, {base, b.wasm(Op::kI32Shl, {n, b.i32_const(2)})});
  ValueId loaded = b.load(Op::kF64Load, 0, 0, address);
  ValueId term = b.wasm(Op::kF64Add, {loaded, b.f64_const_bits(0x3ff8000000000000)});
  ValueId s2 = b.wasm(Op::kF64Add, {s, term});
  b.trap_if(b.wasm(Op::kI32Eqz, {base}), TrapCode::kUnreachable);
  ValueId i2 = b.wasm(Op::kI32Add, {i, b.i32_const(1)});
  b.branch(b.wasm(Op::kI32LtU, {i2, n}), loop, {i2, s2}, exit);
  b.set_block(exit);
  b.ret({s2});

  EXPECT_TRUE(run_licm(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, i32) -> (f64) {\n"
            "block0(v0: i32, v1: i32):\n"
            "  v4 = i32.const 0\n"
            "  v5 = f64.const bits:0x0000000000000000\n"
            "  v6 = i32.const 2\n"
            "  v7 = i32.shl v1, v6\n"
            "  v8 = i32.add v0, v7\n"
            "  v10 = f64.const bits:0x3ff8000000000000\n"
            "  jump block1(v4, v5)\n"
            "block1(v2: i32, v3: f64):\n"
            "  v9 = f64.load mem0[v8]\n"
            "  v11 = f64.add v9, v10\n"
            "  v12 = f64.add v3, v11\n"
            "  v13 = i32.eqz v0\n"
            "  trap_if v13, unreachable\n"
            "  v14 = i32.const 1\n"
            "  v15 = i32.add v2, v14\n"
            "  v16 = i32.lt_u v15, v1\n"
            "  brif v16, block1(v15, v12), block2\n"
            "block2:\n"
            "  return v12\n"
            "}\n");
  EXPECT_FALSE(run_licm(g));
}

// An outer loop over j and an inner one over i: n * 8 is invariant in both and ends up in the
// outer loop's preheader; j * n only in the inner one, so it stops in the inner loop's
// preheader (the outer header), and so does their sum.
TEST(Licm, InvariantsOfNestedLoopsBubbleOut) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId n = g.block(g.entry()).params[0];
  BlockId outer = g.create_block(), inner = g.create_block(), latch = g.create_block(),
          exit = g.create_block();
  ValueId j = g.add_block_param(outer, VT::kI32);
  ValueId i = g.add_block_param(inner, VT::kI32);
  b.jump(outer, {n});
  b.set_block(outer);
  b.jump(inner, {j});
  b.set_block(inner);
  ValueId both = b.wasm(Op::kI32Mul, {n, b.i32_const(8)});
  ValueId inner_only = b.wasm(Op::kI32Mul, {j, n});
  ValueId step = b.wasm(Op::kI32Add, {both, inner_only});
  ValueId i2 = b.wasm(Op::kI32Sub, {i, step});
  b.branch(i2, inner, {i2}, latch);
  b.set_block(latch);
  ValueId j2 = b.wasm(Op::kI32Sub, {j, b.i32_const(1)});
  b.branch(j2, outer, {j2}, exit);
  b.set_block(exit);
  b.ret({j2});

  EXPECT_TRUE(run_licm(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v3 = i32.const 8\n"
            "  v4 = i32.mul v0, v3\n"
            "  jump block1(v0)\n"
            "block1(v1: i32):\n"
            "  v5 = i32.mul v1, v0\n"
            "  v6 = i32.add v4, v5\n"
            "  jump block2(v1)\n"
            "block2(v2: i32):\n"
            "  v7 = i32.sub v2, v6\n"
            "  brif v7, block2(v7), block3\n"
            "block3:\n"
            "  v8 = i32.const 1\n"
            "  v9 = i32.sub v1, v8\n"
            "  brif v9, block1(v9), block4\n"
            "block4:\n"
            "  return v9\n"
            "}\n");
  EXPECT_FALSE(run_licm(g));
}

// n + 64 of an n from outside the loop is one lea where it is used: hoisted it would only hold a
// register through the loop, so it stays, unless something hoisted needs it (n + 64) * 4 does.
TEST(Licm, OffsetsOfOutsideValuesStayUnlessNeeded) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId n = g.block(g.entry()).params[0];
  BlockId loop = g.create_block(), exit = g.create_block();
  ValueId i = g.add_block_param(loop, VT::kI32);
  b.jump(loop, {n});
  b.set_block(loop);
  ValueId offset = b.wasm(Op::kI32Add, {n, b.i32_const(64)});
  ValueId next = b.wasm(Op::kI32Sub, {i, offset});
  b.branch(next, loop, {next}, exit);
  b.set_block(exit);
  b.ret({next});
  EXPECT_FALSE(run_licm(g));

  Graph h(FuncType{{VT::kI32}, {VT::kI32}});
  Builder c(h);
  n = h.block(h.entry()).params[0];
  loop = h.create_block(), exit = h.create_block();
  i = h.add_block_param(loop, VT::kI32);
  c.jump(loop, {n});
  c.set_block(loop);
  offset = c.wasm(Op::kI32Add, {n, c.i32_const(64)});
  ValueId scaled = c.wasm(Op::kI32Mul, {offset, c.i32_const(4)});
  next = c.wasm(Op::kI32Sub, {i, scaled});
  c.branch(next, loop, {next}, exit);
  c.set_block(exit);
  c.ret({next});
  EXPECT_TRUE(run_licm(h));
  expect_valid(h);
  EXPECT_EQ(print_graph(h),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v2 = i32.const 64\n"
            "  v3 = i32.add v0, v2\n"
            "  v4 = i32.const 4\n"
            "  v5 = i32.mul v3, v4\n"
            "  jump block1(v0)\n"
            "block1(v1: i32):\n"
            "  v6 = i32.sub v1, v5\n"
            "  brif v6, block1(v6), block2\n"
            "block2:\n"
            "  return v6\n"
            "}\n");
}

// The inner loop is entered by a branch that may skip it, so it gets a new preheader; that
// block belongs to the outer loop, which then takes the invariant of both out of it too.
TEST(Licm, InvariantsBubbleThroughAMadePreheader) {
  Graph g(FuncType{{VT::kI64}, {VT::kI64}});
  Builder b(g);
  ValueId n = g.block(g.entry()).params[0];
  BlockId outer = g.create_block(), inner = g.create_block(), latch = g.create_block(),
          exit = g.create_block();
  ValueId j = g.add_block_param(outer, VT::kI64);
  ValueId i = g.add_block_param(inner, VT::kI64);
  b.jump(outer, {n});
  b.set_block(outer);
  b.branch(b.wasm(Op::kI64Eqz, {j}), latch, {}, inner, {j});
  b.set_block(inner);
  ValueId mask = b.wasm(Op::kI64Xor, {n, b.i64_const(0x123456789)});
  ValueId i2 = b.wasm(Op::kI64Sub, {i, b.wasm(Op::kI64And, {mask, j})});
  b.branch(b.wasm(Op::kI32WrapI64, {i2}), inner, {i2}, latch);
  b.set_block(latch);
  ValueId j2 = b.wasm(Op::kI64Sub, {j, b.i64_const(1)});
  b.branch(b.wasm(Op::kI32WrapI64, {j2}), outer, {j2}, exit);
  b.set_block(exit);
  b.ret({j2});

  EXPECT_TRUE(run_licm(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i64) -> (i64) {\n"
            "block0(v0: i64):\n"
            "  v4 = i64.const 4886718345\n"
            "  v5 = i64.xor v0, v4\n"
            "  jump block1(v0)\n"
            "block1(v1: i64):\n"
            "  v3 = i64.eqz v1\n"
            "  brif v3, block3, block5\n"
            "block5:\n"
            "  v6 = i64.and v5, v1\n"
            "  jump block2(v1)\n"
            "block2(v2: i64):\n"
            "  v7 = i64.sub v2, v6\n"
            "  v8 = i32.wrap_i64 v7\n"
            "  brif v8, block2(v7), block3\n"
            "block3:\n"
            "  v9 = i64.const 1\n"
            "  v10 = i64.sub v1, v9\n"
            "  v11 = i32.wrap_i64 v10\n"
            "  brif v11, block1(v10), block4\n"
            "block4:\n"
            "  return v10\n"
            "}\n");
  EXPECT_FALSE(run_licm(g));
}

// A br_table with two cases into the header is two entry edges of one terminator: both move
// to the new preheader, each keeping its argument.
TEST(Licm, MakesAPreheaderForTwoCasesOfOneSwitch) {
  Graph g(FuncType{{VT::kI32, VT::kF64}, {VT::kF64}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  ValueId y = g.block(g.entry()).params[1];
  BlockId loop = g.create_block(), exit = g.create_block();
  ValueId acc = g.add_block_param(loop, VT::kF64);
  ValueId half = b.wasm(Op::kF64Neg, {y});
  b.switch_(x, {BlockCall{loop, {y}}, BlockCall{loop, {half}}}, BlockCall{exit, {}});
  b.set_block(loop);
  ValueId acc2 = b.wasm(Op::kF64Add, {acc, b.wasm(Op::kF64Abs, {y})});
  b.branch(b.wasm(Op::kF64Lt, {acc2, y}), loop, {acc2}, exit);
  b.set_block(exit);
  b.ret({y});

  EXPECT_TRUE(run_licm(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, f64) -> (f64) {\n"
            "block0(v0: i32, v1: f64):\n"
            "  v3 = f64.neg v1\n"
            "  br_table v0, [block3(v1), block3(v3)], block2\n"
            "block3(v7: f64):\n"
            "  v4 = f64.abs v1\n"
            "  jump block1(v7)\n"
            "block1(v2: f64):\n"
            "  v5 = f64.add v2, v4\n"
            "  v6 = f64.lt v5, v1\n"
            "  brif v6, block1(v5), block2\n"
            "block2:\n"
            "  return v1\n"
            "}\n");
}

// The loop is entered from block0 and from block1, each binding its own value to the header's
// parameter: the new preheader takes that parameter and passes it on.
TEST(Licm, MakesAPreheaderForTwoEntryEdges) {
  Graph g(FuncType{{VT::kI32, VT::kF32}, {VT::kF32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  ValueId y = g.block(g.entry()).params[1];
  BlockId side = g.create_block(), loop = g.create_block(), exit = g.create_block();
  ValueId acc = g.add_block_param(loop, VT::kF32);
  b.branch(x, side, {}, loop, {y});
  b.set_block(side);
  b.jump(loop, {b.wasm(Op::kF32Neg, {y})});
  b.set_block(loop);
  ValueId scale = b.wasm(Op::kF32Mul, {y, y});
  ValueId acc2 = b.wasm(Op::kF32Add, {acc, scale});
  b.branch(b.wasm(Op::kI32Eqz, {x}), loop, {acc2}, exit);
  b.set_block(exit);
  b.ret({acc2});

  EXPECT_TRUE(run_licm(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, f32) -> (f32) {\n"
            "block0(v0: i32, v1: f32):\n"
            "  brif v0, block1, block4(v1)\n"
            "block1:\n"
            "  v3 = f32.neg v1\n"
            "  jump block4(v3)\n"
            "block4(v7: f32):\n"
            "  v4 = f32.mul v1, v1\n"
            "  jump block2(v7)\n"
            "block2(v2: f32):\n"
            "  v5 = f32.add v2, v4\n"
            "  v6 = i32.eqz v0\n"
            "  brif v6, block2(v5), block3\n"
            "block3:\n"
            "  return v5\n"
            "}\n");
  EXPECT_FALSE(run_licm(g));
}

// One entry edge, but from a branch that may skip the loop: the new preheader has no
// parameters; the edge's arguments move to its jump, so the path around the loop computes
// nothing extra.
TEST(Licm, MakesAPreheaderOnABranchIntoTheLoop) {
  Graph g(FuncType{{VT::kI32, VT::kF64}, {VT::kF64}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  ValueId y = g.block(g.entry()).params[1];
  BlockId loop = g.create_block(), exit = g.create_block();
  ValueId acc = g.add_block_param(loop, VT::kF64);
  ValueId result = g.add_block_param(exit, VT::kF64);
  b.branch(x, loop, {y}, exit, {y});
  b.set_block(loop);
  ValueId acc2 = b.wasm(Op::kF64Mul, {acc, b.f64_const_bits(0x4000000000000000)});
  b.branch(b.wasm(Op::kF64Lt, {acc2, y}), loop, {acc2}, exit, {acc2});
  b.set_block(exit);
  b.ret({result});

  EXPECT_TRUE(run_licm(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, f64) -> (f64) {\n"
            "block0(v0: i32, v1: f64):\n"
            "  brif v0, block3, block2(v1)\n"
            "block3:\n"
            "  v4 = f64.const bits:0x4000000000000000\n"
            "  jump block1(v1)\n"
            "block1(v2: f64):\n"
            "  v5 = f64.mul v2, v4\n"
            "  v6 = f64.lt v5, v1\n"
            "  brif v6, block1(v5), block2(v5)\n"
            "block2(v3: f64):\n"
            "  return v3\n"
            "}\n");
}

// What must stay: a division that may trap (its divisor is not a constant), a load (the loop
// stores), whatever depends on the loop's parameter, and global.gets of a global the loop sets
// or that a call in it may set. Nothing changes.
TEST(Licm, LeavesTrapsLoadsVariantsAndWrittenGlobals) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  ValueId y = g.block(g.entry()).params[1];
  BlockId loop = g.create_block(), body = g.create_block(), exit = g.create_block();
  ValueId i = g.add_block_param(loop, VT::kI32);
  b.jump(loop, {x});
  b.set_block(loop);
  ValueId quotient = b.wasm(Op::kI32DivU, {x, y});
  ValueId loaded = b.load(Op::kI32Load, 0, 4, y);
  ValueId set_global = b.global_get(0, VT::kI32);
  ValueId variant = b.wasm(Op::kI32Xor, {i, y});
  b.store(Op::kI32Store, 0, 0, variant, b.wasm(Op::kI32Add, {quotient, loaded}));
  b.global_set(0, b.wasm(Op::kI32Add, {set_global, variant}));
  b.branch(variant, body, {}, exit);
  b.set_block(body);
  ValueId called_global = b.global_get(1, VT::kI32);
  ValueId args[] = {called_global};
  std::vector<ValueId> results = b.call(2, FuncType{{VT::kI32}, {VT::kI32}}, args);
  b.jump(loop, {results[0]});
  b.set_block(exit);
  b.ret({i});

  std::string before = print_graph(g);
  EXPECT_FALSE(run_licm(g));
  EXPECT_EQ(print_graph(g), before);
}

// The same division by a constant is safe once constant folding has ruled out its trap, and a
// global nothing in the loop sets is read once.
TEST(Licm, HoistsDivisionProvedSafeAndReadsOfUnwrittenGlobals) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  BlockId loop = g.create_block(), exit = g.create_block();
  ValueId i = g.add_block_param(loop, VT::kI32);
  b.jump(loop, {x});
  b.set_block(loop);
  ValueId quotient = b.wasm(Op::kI32DivU, {x, b.i32_const(7)});
  ValueId read = b.global_get(0, VT::kI32);
  b.global_set(1, read);
  ValueId i2 = b.wasm(Op::kI32Sub, {i, b.wasm(Op::kI32Add, {quotient, read})});
  b.branch(i2, loop, {i2}, exit);
  b.set_block(exit);
  b.ret({i2});

  run_constant_folding(g);
  ASSERT_FALSE(g.inst(g.value(quotient).inst).effects.may_trap());
  EXPECT_TRUE(run_licm(g));
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v2 = i32.const 7\n"
            "  v3 = i32.div_u v0, v2\n"
            "  v4 = global.get g0\n"
            "  v5 = i32.add v3, v4\n"
            "  jump block1(v0)\n"
            "block1(v1: i32):\n"
            "  global.set g1, v4\n"
            "  v6 = i32.sub v1, v5\n"
            "  brif v6, block1(v6), block2\n"
            "block2:\n"
            "  return v6\n"
            "}\n");
}

// The pipeline runs LICM unless switched off.
TEST(Licm, RunsInThePipelineUnlessSwitchedOff) {
  auto build = [] {
    Graph g(FuncType{{VT::kF64}, {VT::kF64}});
    Builder b(g);
    ValueId x = g.block(g.entry()).params[0];
    BlockId loop = g.create_block(), exit = g.create_block();
    ValueId acc = g.add_block_param(loop, VT::kF64);
    b.jump(loop, {x});
    b.set_block(loop);
    ValueId acc2 = b.wasm(Op::kF64Sub, {acc, b.wasm(Op::kF64Sqrt, {x})});
    b.branch(b.wasm(Op::kF64Gt, {acc2, x}), loop, {acc2}, exit);
    b.set_block(exit);
    b.ret({acc2});
    return g;
  };
  auto sqrt_in_entry = [](const Graph& g) {
    std::string text = print_graph(g);
    return text.find("f64.sqrt") < text.find("block1");
  };
  Graph on = build();
  PassOptions options;
  options.verify_after_each_pass = true;
  ASSERT_TRUE(run_passes(on, options).ok());
  EXPECT_TRUE(sqrt_in_entry(on)) << print_graph(on);
  Graph off = build();
  options.licm = false;
  ASSERT_TRUE(run_passes(off, options).ok());
  EXPECT_FALSE(sqrt_in_entry(off)) << print_graph(off);
}

// Many locals, floats, calls and memory make loops with several entry edges inside other loops,
// where LICM makes preheaders that the outer loops then hoist from: every pass in the pipeline
// must leave those graphs valid (codegen_random_test.cc checks what they compute).
TEST(Licm, RandomProgramsStayValid) {
  using P = test::RandomProgram;
  for (uint32_t seed = 5001; seed <= 5200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Graph g = P(seed, 20, P::kFloats | P::kCalls | P::kMemory).build();
    PassOptions options;
    options.verify_after_each_pass = true;
    Status status = run_passes(g, options);
    ASSERT_TRUE(status.ok()) << status.error().message;
  }
}

}  // namespace
}  // namespace keel::jit::opt

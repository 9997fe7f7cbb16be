// Tier 2's back end on hand-built graphs: each test compiles IR, installs the code and runs it
// through the entry trampoline (codegen_harness.h), checking results and traps; where the
// graph is in the IR interpreter's subset the interpreter is the reference.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "codegen_harness.h"
#include "graph_test_util.h"
#include "ir_interpreter.h"
#include "jit/optimizing/builder.h"
#include "jit/optimizing/compare_fusion.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/ssa_builder.h"
#include "jit/optimizing/verifier.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;
using test::RunResult;
using test::Tier2Harness;

// Compiles one function and runs it on each input, checking it against the interpreter.
void expect_matches_interpreter(const Graph& g, const std::vector<std::vector<uint64_t>>& inputs) {
  ASSERT_TRUE(verify(g).ok()) << print_graph(g);
  Tier2Harness h;
  uint32_t f = h.add_function(g);
  ASSERT_TRUE(h.build()) << h.error() << "\n" << print_graph(g);
  for (const std::vector<uint64_t>& in : inputs) {
    test::Outcome want = test::interpret(g, in);
    ASSERT_TRUE(want.finished);
    RunResult got = h.call(f, in);
    EXPECT_EQ(got.trap != vm::TrapCode::kNone, want.trapped) << print_graph(g);
    if (!want.trapped) {
      std::vector<uint64_t> masked;
      for (size_t i = 0; i < want.results.size(); ++i)
        masked.push_back(g.signature().results[i] == VT::kI32 ? want.results[i] & 0xffffffffu
                                                              : want.results[i]);
      EXPECT_EQ(got.results, masked) << print_graph(g);
    }
  }
}

ValueId param(const Graph& g, size_t i) {
  return g.block(g.entry()).params[i];
}

InstId def_of(const Graph& g, ValueId v) {
  return g.value(v).inst;
}

TEST(Codegen, ReturnsArithmeticOfParameters) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = param(g, 0), y = param(g, 1);
  ValueId sum = b.wasm(Op::kI32Add, {x, y});
  ValueId prod = b.wasm(Op::kI32Mul, {sum, b.i32_const(3)});
  b.ret({b.wasm(Op::kI32Sub, {prod, x})});
  expect_matches_interpreter(g, {{1, 2}, {0xffffffff, 5}, {100, 0}});
}

// sum = 0; for (i = n; i > 0; --i) sum += i * i; with the loop state in block parameters.
TEST(Codegen, LoopWithBlockParameters) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  BlockId header = g.create_block(), body = g.create_block(), exit = g.create_block();
  ValueId i = g.add_block_param(header, VT::kI32), sum = g.add_block_param(header, VT::kI32);
  ValueId result = g.add_block_param(exit, VT::kI32);
  b.jump(header, {param(g, 0), b.i32_const(0)});
  b.set_block(header);
  b.branch(b.wasm(Op::kI32GtS, {i, b.i32_const(0)}), body, {}, exit, {sum});
  b.set_block(body);
  ValueId next_sum = b.wasm(Op::kI32Add, {sum, b.wasm(Op::kI32Mul, {i, i})});
  b.jump(header, {b.wasm(Op::kI32Sub, {i, b.i32_const(1)}), next_sum});
  b.set_block(exit);
  b.ret({result});
  expect_matches_interpreter(g, {{0}, {1}, {10}, {1000}, {0xffffffff}});
}

// if (x < y) r = x * 7 else r = y - x; return select(x & 1, r, r ^ 5).
TEST(Codegen, DiamondAndSelect) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  BlockId then = g.create_block(), other = g.create_block(), join = g.create_block();
  ValueId r = g.add_block_param(join, VT::kI32);
  ValueId x = param(g, 0), y = param(g, 1);
  b.branch(b.wasm(Op::kI32LtU, {x, y}), then, {}, other);
  b.set_block(then);
  b.jump(join, {b.wasm(Op::kI32Mul, {x, b.i32_const(7)})});
  b.set_block(other);
  b.jump(join, {b.wasm(Op::kI32Sub, {y, x})});
  b.set_block(join);
  ValueId odd = b.wasm(Op::kI32And, {x, b.i32_const(1)});
  b.ret({b.select(odd, r, b.wasm(Op::kI32Xor, {r, b.i32_const(5)}))});
  expect_matches_interpreter(g, {{1, 2}, {2, 1}, {3, 3}, {0x80000001, 4}});
}

// A loop that rotates three values and swaps two more on every iteration: the edge moves form
// cycles. `pressure` extra values stay live across the loop, so with enough of them the
// parameters themselves live in frame slots and the cycles go through memory.
Graph rotating_loop(int pressure) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32, VT::kI32}});
  Builder b(g);
  ValueId x = param(g, 0), n = param(g, 1);
  std::vector<ValueId> extra;
  for (int k = 0; k < pressure; ++k)
    extra.push_back(b.wasm(Op::kI32Mul, {x, b.i32_const(k * 2 + 3)}));
  BlockId header = g.create_block(), body = g.create_block(), exit = g.create_block();
  std::vector<ValueId> p;
  for (int k = 0; k < 6; ++k) p.push_back(g.add_block_param(header, VT::kI32));
  ValueId out0 = g.add_block_param(exit, VT::kI32), out1 = g.add_block_param(exit, VT::kI32);
  b.jump(header, {x, b.wasm(Op::kI32Add, {x, b.i32_const(1)}),
                  b.wasm(Op::kI32Add, {x, b.i32_const(2)}), b.i32_const(10), b.i32_const(20), n});
  b.set_block(header);
  ValueId a = p[0], c1 = p[1], c2 = p[2], s0 = p[3], s1 = p[4], count = p[5];
  // The result mixes positions so a wrong rotation or swap shows.
  ValueId mix =
      b.wasm(Op::kI32Add,
             {b.wasm(Op::kI32Mul, {a, b.i32_const(1000003)}),
              b.wasm(Op::kI32Add,
                     {b.wasm(Op::kI32Mul, {c1, b.i32_const(101)}),
                      b.wasm(Op::kI32Sub, {c2, b.wasm(Op::kI32Mul, {s0, b.i32_const(7)})})})});
  b.branch(count, body, {}, exit, {mix, s1});
  b.set_block(body);
  b.jump(header, {c1, c2, a, s1, s0, b.wasm(Op::kI32Sub, {count, b.i32_const(1)})});
  b.set_block(exit);
  ValueId total = out0;
  for (ValueId e : extra)
    total = b.wasm(Op::kI32Xor, {b.wasm(Op::kI32Rotl, {total, b.i32_const(3)}), e});
  b.ret({total, out1});
  return g;
}

TEST(Codegen, EdgeMovesBreakCycles) {
  for (int pressure : {0, 4, 12, 20}) {
    SCOPED_TRACE("pressure " + std::to_string(pressure));
    Graph g = rotating_loop(pressure);
    expect_matches_interpreter(g, {{5, 0}, {5, 1}, {5, 2}, {7, 3}, {9, 10}, {11, 11}});
  }
}

// Forty values all live at once: most must be spilled, and the result depends on every one.
TEST(Codegen, ManyLiveValuesSpill) {
  Graph g(FuncType{{VT::kI32, VT::kI64}, {VT::kI64}});
  Builder b(g);
  std::vector<ValueId> values;
  ValueId wide = b.wasm(Op::kI64ExtendI32U, {param(g, 0)});
  for (int k = 0; k < 40; ++k) {
    ValueId base = k % 2 ? wide : param(g, 1);
    values.push_back(b.wasm(Op::kI64Mul, {base, b.i64_const(k * 31 + 7)}));
  }
  ValueId total = b.i64_const(0);
  for (size_t k = values.size(); k-- > 0;)
    total = b.wasm(Op::kI64Xor, {b.wasm(Op::kI64Rotl, {total, b.i64_const(5)}), values[k]});
  b.ret({total});
  Tier2Harness h;
  h.add_function(g);
  ASSERT_TRUE(h.build()) << h.error();
  EXPECT_GT(h.stats().spilled_values, 20u);
  expect_matches_interpreter(g, {{1, 2}, {0xffffffff, 0x123456789abcdefull}, {0, 0}});
}

// Adds of scaled indices and displacements become one lea (address_arithmetic.h): each shape,
// in i32 (wrapping) and i64, with the operands in registers and, with 30 values live across
// them, in frame slots; the interpreter is the reference.
TEST(Codegen, AddressArithmeticBecomesLea) {
  for (VT t : {VT::kI32, VT::kI64}) {
    for (bool spill : {false, true}) {
      SCOPED_TRACE(std::string(t == VT::kI32 ? "i32" : "i64") + (spill ? ", spilled" : ""));
      Op add = t == VT::kI32 ? Op::kI32Add : Op::kI64Add;
      Op shl = t == VT::kI32 ? Op::kI32Shl : Op::kI64Shl;
      Op mul = t == VT::kI32 ? Op::kI32Mul : Op::kI64Mul;
      Op xor_ = t == VT::kI32 ? Op::kI32Xor : Op::kI64Xor;
      Graph g(FuncType{{t, t}, {t}});
      Builder b(g);
      auto c = [&](int64_t v) { return b.constant(t, static_cast<uint64_t>(v)); };
      ValueId x = param(g, 0), y = param(g, 1);
      std::vector<ValueId> live;
      if (spill)
        for (int k = 0; k < 30; ++k) live.push_back(b.wasm(mul, {x, c(k * 2 + 3)}));
      std::vector<ValueId> shapes = {
          b.wasm(add, {b.wasm(add, {b.wasm(shl, {x, c(3)}), y}), c(48)}),   // (x<<3)+y+48
          b.wasm(add, {b.wasm(add, {y, b.wasm(shl, {x, c(1)})}), c(-20)}),  // y+(x<<1)-20
          b.wasm(add, {b.wasm(shl, {y, c(2)}), c(0x7fffffff)}),             // (y<<2)+max
          b.wasm(add, {x, b.wasm(shl, {y, c(3)})}),                         // x+(y<<3)
          b.wasm(add, {b.wasm(shl, {x, c(2)}), y}),                         // (x<<2)+y
          b.wasm(add, {b.wasm(add, {x, y}), c(-1)}),                        // x+y-1
          b.wasm(add, {b.wasm(shl, {x, c(4)}), y}),                         // shift 4: no lea
      };
      ValueId total = c(0);
      for (ValueId v : shapes) total = b.wasm(xor_, {b.wasm(mul, {total, c(31)}), v});
      for (ValueId v : live) total = b.wasm(add, {total, v});
      b.ret({total});
      Tier2Harness h;
      h.add_function(g);
      ASSERT_TRUE(h.build()) << h.error();
      EXPECT_EQ(h.stats().lea_forms, 6u);
      if (spill) {
        EXPECT_GT(h.stats().spilled_values, 0u);
      }
      expect_matches_interpreter(g, {{1, 2},
                                     {0xffffffff, 0x7fffffff},
                                     {0x80000000, 0xfffffffe},
                                     {0x123456789abcdefull, 0xfedcba9876543210ull},
                                     {0, 0}});
    }
  }
}

TEST(Codegen, TrapsWithTheirCodesAndSourceOffsets) {
  Graph g(FuncType{{VT::kI32, VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  BlockId divide = g.create_block(), fail = g.create_block();
  ValueId mode = param(g, 0);
  b.trap_if(b.wasm(Op::kI32Eq, {mode, b.i32_const(7)}), TrapCode::kIntegerOverflow);
  g.inst(g.block(g.entry()).insts.back()).module_offset = 0x77;
  b.branch(b.wasm(Op::kI32Eq, {mode, b.i32_const(9)}), fail, {}, divide);
  b.set_block(fail);
  b.trap(TrapCode::kUnreachable);
  g.inst(g.block(fail).insts.back()).module_offset = 0x99;
  b.set_block(divide);
  ValueId q = b.wasm(Op::kI32DivS, {param(g, 1), param(g, 2)});
  g.inst(def_of(g, q)).module_offset = 0x42;
  b.ret({q});
  Tier2Harness h;
  uint32_t f = h.add_function(g);
  ASSERT_TRUE(h.build()) << h.error();
  RunResult ok = h.call(f, {0, 100, 7});
  EXPECT_EQ(ok.trap, vm::TrapCode::kNone);
  EXPECT_EQ(ok.results, std::vector<uint64_t>{14});
  RunResult zero = h.call(f, {0, 100, 0});
  EXPECT_EQ(zero.trap, vm::TrapCode::kIntegerDivideByZero);
  EXPECT_EQ(zero.trap_module_offset, 0x42u);
  RunResult overflow = h.call(f, {0, 0x80000000, 0xffffffff});
  EXPECT_EQ(overflow.trap, vm::TrapCode::kIntegerOverflow);
  EXPECT_EQ(overflow.trap_module_offset, 0x42u);
  RunResult trap_if = h.call(f, {7, 1, 1});
  EXPECT_EQ(trap_if.trap, vm::TrapCode::kIntegerOverflow);
  EXPECT_EQ(trap_if.trap_module_offset, 0x77u);
  RunResult unreachable = h.call(f, {9, 1, 1});
  EXPECT_EQ(unreachable.trap, vm::TrapCode::kUnreachable);
  EXPECT_EQ(unreachable.trap_module_offset, 0x99u);
}

// The code refers to nothing by absolute address within itself (jump tables, constants and trap
// stubs are RIP-relative): a second copy elsewhere runs the same, traps included.
TEST(Codegen, CodeIsPositionIndependent) {
  Graph g(FuncType{{VT::kI32, VT::kF64}, {VT::kI32}});
  Builder b(g);
  std::vector<BlockCall> targets;
  BlockId join = g.create_block();
  ValueId r = g.add_block_param(join, VT::kI32);
  for (int k = 0; k < 8; ++k) {
    BlockId t = g.create_block();
    Builder tb(g, t);
    tb.jump(join, {tb.wasm(Op::kI32DivU, {tb.i32_const(1000 * (k + 1)), param(g, 0)})});
    targets.push_back({t, {}});
  }
  b.switch_(param(g, 0), targets, BlockCall{join, {b.i32_const(7)}});
  b.set_block(join);
  ValueId v = b.wasm(Op::kI32x4Splat, {r});
  ValueId w = b.wasm(Op::kI32x4Add, {v, b.v128_const(0x0000000500000003ull, 9)});
  b.ret({b.wasm(Op::kI32x4ExtractLane, {w}, 0)});
  Tier2Harness h;
  uint32_t f = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  auto run_all = [&] {
    std::vector<uint64_t> out;
    for (uint64_t x : {1u, 3u, 7u, 8u, 100u}) out.push_back(h.call(f, {x, 0}).results.at(0));
    return out;
  };
  // case x: 1000 * (x + 1) / x, the default 7; lane 0 adds 3.
  std::vector<uint64_t> want{2003, 1336, 1145, 10, 10};
  EXPECT_EQ(run_all(), want);
  EXPECT_EQ(h.call(f, {0, 0}).trap, vm::TrapCode::kIntegerDivideByZero);
  ASSERT_TRUE(h.install_copy(f));
  EXPECT_EQ(run_all(), want);
  EXPECT_EQ(h.call(f, {0, 0}).trap, vm::TrapCode::kIntegerDivideByZero);
}

TEST(Codegen, SwitchesByCompareChainAndJumpTable) {
  for (int cases : {3, 9}) {
    SCOPED_TRACE(std::to_string(cases) + " cases");
    Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
    Builder b(g);
    BlockId join = g.create_block();
    ValueId r = g.add_block_param(join, VT::kI32), r2 = g.add_block_param(join, VT::kI32);
    std::vector<BlockCall> targets;
    ValueId y = param(g, 1);
    for (int k = 0; k < cases; ++k) {
      // Odd cases jump straight to the join with arguments (edge pads from the switch).
      if (k % 2) {
        targets.push_back({join, {y, param(g, 0)}});
        continue;
      }
      BlockId t = g.create_block();
      Builder tb(g, t);
      tb.jump(join, {tb.wasm(Op::kI32Mul, {y, tb.i32_const(k + 2)}), tb.i32_const(k)});
      targets.push_back({t, {}});
    }
    b.switch_(param(g, 0), targets, BlockCall{join, {b.i32_const(1000), y}});
    b.set_block(join);
    b.ret({b.wasm(Op::kI32Add, {r, b.wasm(Op::kI32Mul, {r2, b.i32_const(65536)})})});
    std::vector<std::vector<uint64_t>> inputs;
    for (uint64_t k = 0; k < 12; ++k) inputs.push_back({k, 5});
    inputs.push_back({0xffffffff, 3});
    expect_matches_interpreter(g, inputs);
  }
}
// Every integer comparison fused into a branch and into a trap_if, with the right operand in a
// register, a frame slot (under pressure) or as an immediate.
TEST(Codegen, FusedComparesBranchOnTheFlags) {
  const Op ops[] = {Op::kI32Eq,  Op::kI32Ne,  Op::kI32LtS, Op::kI32LtU, Op::kI32GtS, Op::kI32GtU,
                    Op::kI32LeS, Op::kI32LeU, Op::kI32GeS, Op::kI32GeU, Op::kI64Eq,  Op::kI64Ne,
                    Op::kI64LtS, Op::kI64LtU, Op::kI64GtS, Op::kI64GtU, Op::kI64LeS, Op::kI64LeU,
                    Op::kI64GeS, Op::kI64GeU, Op::kI32Eqz, Op::kI64Eqz};
  const uint64_t values[] = {0,
                             1,
                             2,
                             0x7fffffff,
                             0x80000000,
                             0xffffffff,
                             0x100000000ull,
                             0x8000000000000000ull,
                             0xffffffffffffffffull};
  for (Op op : ops) {
    for (int shape = 0; shape < 3; ++shape) {
      SCOPED_TRACE(std::string(op_text(op)) + " shape " + std::to_string(shape));
      bool wide = op_info(op).sig.params[0] == VT::kI64;
      VT t = wide ? VT::kI64 : VT::kI32;
      Graph g(FuncType{{t, t}, {VT::kI32}});
      Builder b(g);
      ValueId x = param(g, 0), y = param(g, 1);
      // Shape 1 keeps many values live so y sits in a slot; shape 2 compares with a constant.
      std::vector<ValueId> extra;
      if (shape == 1)
        for (int k = 0; k < 12; ++k)
          extra.push_back(b.wasm(wide ? Op::kI64Add : Op::kI32Add,
                                 {x, wide ? b.i64_const(k) : b.i32_const(k)}));
      ValueId rhs = shape == 2 ? (wide ? b.i64_const(-2) : b.i32_const(7)) : y;
      bool unary = op == Op::kI32Eqz || op == Op::kI64Eqz;
      ValueId c = unary ? b.wasm(op, {x}) : b.wasm(op, {x, rhs});
      BlockId yes = g.create_block(), no = g.create_block();
      b.branch(c, yes, {}, no);
      b.set_block(yes);
      ValueId c2 = unary ? b.wasm(op, {y}) : b.wasm(op, {y, x});
      b.trap_if(c2, TrapCode::kUnreachable);
      ValueId sum = b.i32_const(1);
      for (ValueId e : extra)
        sum = b.wasm(Op::kI32Add, {sum, wide ? b.wasm(Op::kI32WrapI64, {e}) : e});
      b.ret({sum});
      b.set_block(no);
      b.ret({b.i32_const(0)});
      std::vector<std::vector<uint64_t>> inputs;
      for (uint64_t a : values)
        for (uint64_t bv : values)
          if (wide || (a <= 0xffffffff && bv <= 0xffffffff)) inputs.push_back({a, bv});
      Tier2Harness h;
      h.add_function(g);
      ASSERT_TRUE(h.build()) << h.error();
      EXPECT_EQ(h.stats().fused_compares, 2u);
      expect_matches_interpreter(g, inputs);
    }
  }
}

// clang puts code between a loop's exit test and its branch: the compare moves down to the
// branch (and to a trap_if), and is fused there; the results stay right.
TEST(Codegen, ComparesSinkToTheirBranches) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = param(g, 0), y = param(g, 1);
  ValueId below = b.wasm(Op::kI32LtU, {x, y});
  ValueId is_zero = b.wasm(Op::kI32Eqz, {y});
  ValueId sum = b.wasm(Op::kI32Add, {x, y});
  b.trap_if(is_zero, TrapCode::kIntegerDivideByZero);
  ValueId twice = b.wasm(Op::kI32Add, {sum, sum});
  BlockId yes = g.create_block(), no = g.create_block();
  b.branch(below, yes, {}, no);
  b.set_block(yes);
  b.ret({twice});
  b.set_block(no);
  b.ret({sum});
  sink_compares_into_branches(g);
  expect_valid(g);
  EXPECT_EQ(print_graph(g),
            "function (i32, i32) -> (i32) {\n"
            "block0(v0: i32, v1: i32):\n"
            "  v4 = i32.add v0, v1\n"
            "  v3 = i32.eqz v1\n"
            "  trap_if v3, integer_divide_by_zero\n"
            "  v5 = i32.add v4, v4\n"
            "  v2 = i32.lt_u v0, v1\n"
            "  brif v2, block1, block2\n"
            "block1:\n"
            "  return v5\n"
            "block2:\n"
            "  return v4\n"
            "}\n");
  Tier2Harness h;
  h.add_function(g);
  ASSERT_TRUE(h.build()) << h.error();
  EXPECT_EQ(h.stats().fused_compares, 2u);
  expect_matches_interpreter(g, {{1, 2}, {2, 1}, {5, 0}, {0, 0}, {0xffffffff, 1}});
}

// A large function: 400 blocks of a loop nest and diamonds with 40 values live throughout. The
// interpreter checks the result; the compile time is printed (not asserted: machines differ).
TEST(Codegen, LargeFunction) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  SsaBuilder ssa(g);
  Builder b(g);
  std::vector<Variable> vars;
  for (int k = 0; k < 40; ++k) {
    vars.push_back(ssa.declare_var(VT::kI32));
    ssa.def_var(vars.back(), g.entry(), b.wasm(Op::kI32Add, {param(g, k % 2), b.i32_const(k)}));
  }
  BlockId current = g.entry();
  for (int round = 0; round < 100; ++round) {
    // A diamond, then a small counted loop.
    BlockId left = g.create_block(), right = g.create_block(), join = g.create_block();
    b.set_block(current);
    ValueId c = b.wasm(Op::kI32And, {ssa.use_var(vars[round % 40], current), b.i32_const(1)});
    b.branch(c, left, {}, right);
    ssa.seal(left);
    ssa.seal(right);
    b.set_block(left);
    ssa.def_var(vars[(round * 7) % 40], left,
                b.wasm(Op::kI32Mul, {ssa.use_var(vars[(round * 3) % 40], left), b.i32_const(3)}));
    b.jump(join);
    b.set_block(right);
    ssa.def_var(
        vars[(round * 11) % 40], right,
        b.wasm(Op::kI32Xor, {ssa.use_var(vars[(round * 5) % 40], right), b.i32_const(round)}));
    b.jump(join);
    ssa.seal(join);
    b.set_block(join);
    BlockId header = g.create_block(), exit = g.create_block();
    Variable count = ssa.declare_var(VT::kI32);
    ssa.def_var(count, join, b.i32_const(3));
    b.jump(header);
    b.set_block(header);
    ValueId left_count = b.wasm(Op::kI32Sub, {ssa.use_var(count, header), b.i32_const(1)});
    ssa.def_var(count, header, left_count);
    ssa.def_var(vars[(round * 13) % 40], header,
                b.wasm(Op::kI32Add, {ssa.use_var(vars[(round * 13) % 40], header),
                                     ssa.use_var(vars[(round * 17 + 1) % 40], header)}));
    b.branch(left_count, header, {}, exit);
    ssa.seal(header);
    ssa.seal(exit);
    current = exit;
  }
  b.set_block(current);
  ValueId total = b.i32_const(0);
  for (Variable v : vars)
    total = b.wasm(Op::kI32Add,
                   {b.wasm(Op::kI32Rotl, {total, b.i32_const(1)}), ssa.use_var(v, current)});
  b.ret({total});
  ssa.finish();
  ASSERT_TRUE(verify(g).ok());
  auto start = std::chrono::steady_clock::now();
  Tier2Harness h;
  h.add_function(g);
  ASSERT_TRUE(h.build()) << h.error();
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("tier 2 large function: %zu values, %zu blocks, %u spilled, compiled in %.1f ms\n",
              g.num_values(), g.num_blocks(), h.stats().spilled_values, ms);
  expect_matches_interpreter(g, {{1, 2}, {0xffffffff, 12345}});
}

}  // namespace
}  // namespace keel::jit::opt

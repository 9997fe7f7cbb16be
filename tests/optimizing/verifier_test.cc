#include "jit/optimizing/verifier.h"

#include <gtest/gtest.h>

#include <string>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/printer.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

void expect_rejected(const Graph& g, const std::string& fragment) {
  Status status = verify(g);
  ASSERT_FALSE(status.ok()) << "accepted:\n" << print_graph(g);
  EXPECT_EQ(status.error().kind, ErrorKind::kInvalid);
  EXPECT_NE(status.error().message.find(fragment), std::string::npos) << status.error().message;
}

TEST(Verifier, AcceptsWellFormedGraph) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  BlockId next = g.create_block();
  ValueId p = g.add_block_param(next, VT::kI32);
  b.jump(next, {g.block(g.entry()).params[0]});
  b.set_block(next);
  b.ret({b.wasm(Op::kI32Popcnt, {p})});
  EXPECT_TRUE(verify(g).ok());
}

TEST(Verifier, RejectsOperandTypeMismatch) {
  Graph g(FuncType{{VT::kI64}, {VT::kI32}});
  Builder b(g);
  ValueId sum = b.wasm(Op::kI32Add, {g.block(g.entry()).params[0], b.i32_const(1)});
  b.ret({sum});
  expect_rejected(g, "operand v0 is not i32");
}

TEST(Verifier, RejectsMissingTerminator) {
  Graph g(FuncType{{}, {}});
  Builder b(g);
  b.i32_const(1);
  expect_rejected(g, "block0 lacks a terminator");
}

TEST(Verifier, RejectsEmptyBlockAndTerminatorInTheMiddle) {
  Graph g(FuncType{{}, {}});
  Builder b(g);
  b.ret();
  b.i32_const(1);
  expect_rejected(g, "terminator before block end");

  Graph h(FuncType{{}, {}});
  Builder c(h);
  BlockId empty = h.create_block();
  c.jump(empty);
  expect_rejected(h, "block1 is empty");

  Graph k(FuncType{{}, {}});
  Builder d(k);
  d.ret();
  d.ret();
  expect_rejected(k, "terminator before block end");
}

TEST(Verifier, RejectsBlockArgumentMismatch) {
  Graph g(FuncType{{VT::kI32}, {}});
  Builder b(g);
  BlockId next = g.create_block();
  g.add_block_param(next, VT::kI64);
  b.jump(next);
  b.set_block(next);
  b.ret();
  expect_rejected(g, "0 arguments for 1 parameters of block1");

  Graph h(FuncType{{VT::kI32}, {}});
  Builder c(h);
  BlockId target = h.create_block();
  h.add_block_param(target, VT::kI64);
  c.jump(target, {h.block(h.entry()).params[0]});
  c.set_block(target);
  c.ret();
  expect_rejected(h, "argument v0 does not match v1");
}

TEST(Verifier, RejectsUseNotDominatedByDefinition) {
  // The value is made on one side of a diamond and used after the join.
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  BlockId left = g.create_block();
  BlockId right = g.create_block();
  BlockId join = g.create_block();
  b.branch(g.block(g.entry()).params[0], left, {}, right);
  b.set_block(left);
  ValueId only_left = b.i32_const(7);
  b.jump(join);
  b.set_block(right);
  b.jump(join);
  b.set_block(join);
  b.ret({only_left});
  expect_rejected(g, "the definition of v1 does not dominate it");
}

TEST(Verifier, RejectsUseBeforeDefinitionInTheSameBlock) {
  Graph g(FuncType{{}, {VT::kI32}});
  Builder b(g);
  ValueId one = b.i32_const(1);
  ValueId sum = b.wasm(Op::kI32Add, {one, one});
  // Move the add before the constant.
  std::vector<InstId>& insts = g.block(g.entry()).insts;
  std::swap(insts[0], insts[1]);
  b.ret({sum});
  expect_rejected(g, "the definition of v0 does not dominate it");
}

TEST(Verifier, RejectsWrongReturnAndBranchTypes) {
  Graph g(FuncType{{VT::kI64}, {VT::kI32}});
  Builder b(g);
  b.ret({g.block(g.entry()).params[0]});
  expect_rejected(g, "operand v0 is not i32");

  Graph h(FuncType{{VT::kI64}, {}});
  Builder c(h);
  BlockId next = h.create_block();
  c.branch(h.block(h.entry()).params[0], next, {}, next);
  c.set_block(next);
  c.ret();
  expect_rejected(h, "operand v0 is not i32");
}

TEST(Verifier, RejectsBranchToEntryAndRemovedValues) {
  Graph g(FuncType{{}, {}});
  Builder b(g);
  b.jump(g.entry());
  expect_rejected(g, "branch to the entry block");

  Graph h(FuncType{{}, {VT::kI32}});
  Builder c(h);
  ValueId one = c.i32_const(1);
  c.ret({one});
  h.kill(h.value(one).inst);
  h.remove_dead_insts();
  expect_rejected(h, "v0 is defined by a removed instruction");
}

TEST(Verifier, RejectsStalePredecessorList) {
  Graph g(FuncType{{}, {}});
  Builder b(g);
  BlockId next = g.create_block();
  b.jump(next);
  b.set_block(next);
  b.ret();
  g.block(next).preds.clear();
  expect_rejected(g, "block1: stale predecessor list");
  g.rebuild_predecessors();
  EXPECT_TRUE(verify(g).ok());
}

TEST(Verifier, RejectsCallArgumentMismatch) {
  Graph g(FuncType{{VT::kF32}, {}});
  Builder b(g);
  ValueId args[] = {g.block(g.entry()).params[0]};
  b.call(3, FuncType{{VT::kI32}, {}}, args);
  b.ret();
  expect_rejected(g, "operand v0 is not i32");
}

TEST(Verifier, RejectsBadLanesAndNonPureWasmKinds) {
  Graph g(FuncType{{VT::kV128}, {VT::kI32}});
  Builder b(g);
  b.ret({b.wasm(Op::kI32x4ExtractLane, {g.block(g.entry()).params[0]}, 4)});
  expect_rejected(g, "lane index out of range");

  Graph h(FuncType{{}, {VT::kI32}});
  Builder c(h);
  c.ret({c.wasm(Op::kI32Const, {})});  // a constant needs kConst and its bits
  expect_rejected(h, "not a pure wasm instruction");

  Graph k(FuncType{{VT::kI32}, {VT::kI32}});
  Builder d(k);
  Inst load;
  load.kind = InstKind::kWasm;
  load.op = Op::kI32Load;
  load.type = VT::kI32;
  load.operands = {k.block(k.entry()).params[0]};
  ValueId v = k.result(d.append(std::move(load)));
  d.ret({v});
  expect_rejected(k, "not a pure wasm instruction");
}

TEST(Verifier, AcceptsLaneMemoryAccesses) {
  Graph g(FuncType{{VT::kI32, VT::kV128}, {VT::kV128}});
  Builder b(g);
  ValueId addr = g.block(g.entry()).params[0];
  ValueId vec = g.block(g.entry()).params[1];
  ValueId loaded = b.load_lane(Op::kV128Load16Lane, 0, 2, addr, vec, 7);
  b.store_lane(Op::kV128Store64Lane, 0, 0, addr, loaded, 1);
  b.ret({loaded});
  Status status = verify(g);
  EXPECT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(print_graph(g),
            "function (i32, v128) -> (v128) {\n"
            "block0(v0: i32, v1: v128):\n"
            "  v2 = v128.load16_lane mem0[v0 + 2], v1 lane 7\n"
            "  v128.store64_lane mem0[v0], v2 lane 1\n"
            "  return v2\n"
            "}\n");
  Graph h(FuncType{{VT::kI32, VT::kV128}, {}});
  Builder c(h);
  c.store_lane(Op::kV128Store64Lane, 0, 0, h.block(h.entry()).params[0],
               h.block(h.entry()).params[1], 2);
  c.ret();
  expect_rejected(h, "lane index out of range");
}

}  // namespace
}  // namespace keel::jit::opt

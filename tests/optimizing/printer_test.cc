#include "jit/optimizing/printer.h"

#include <gtest/gtest.h>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/verifier.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

TEST(Printer, BlocksParamsAndBranches) {
  Graph g(FuncType{{VT::kI32, VT::kI64}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  BlockId then_block = g.create_block();
  BlockId else_block = g.create_block();
  ValueId p = g.add_block_param(then_block, VT::kI32);
  ValueId two = b.i32_const(2);
  ValueId sum = b.wasm(Op::kI32Add, {x, two});
  b.branch(sum, then_block, {sum}, else_block);
  b.set_block(then_block);
  ValueId q = b.wasm(Op::kI32DivS, {p, x});
  b.ret({q});
  b.set_block(else_block);
  b.trap(TrapCode::kUnreachable);

  EXPECT_TRUE(verify(g).ok());
  EXPECT_EQ(print_graph(g),
            "function (i32, i64) -> (i32) {\n"
            "block0(v0: i32, v1: i64):\n"
            "  v3 = i32.const 2\n"
            "  v4 = i32.add v0, v3\n"
            "  brif v4, block1(v4), block2\n"
            "block1(v2: i32):\n"
            "  v5 = i32.div_s v2, v0 !trap(integer_divide_by_zero, integer_overflow)\n"
            "  return v5\n"
            "block2:\n"
            "  trap unreachable\n"
            "}\n");
}

TEST(Printer, MemoryGlobalsTablesCallsAndConstants) {
  Graph g(FuncType{{VT::kI32}, {}});
  Builder b(g);
  ValueId addr = g.block(g.entry()).params[0];
  ValueId loaded = b.load(Op::kI32Load8S, 0, 16, addr);
  b.store(Op::kI64Store32, 1, 0, addr, b.wasm(Op::kI64ExtendI32U, {loaded}));
  ValueId gv = b.global_get(3, VT::kF64);
  b.global_set(4, gv);
  ValueId ref = b.table_get(0, VT::kFuncRef, addr);
  b.table_set(1, addr, b.ref_null(VT::kFuncRef));
  b.ref_is_null(ref);
  b.memory_size(0);
  ValueId args[] = {addr};
  b.runtime_call(Op::kMemoryGrow, 0, 0, args, VT::kI32);
  std::vector<ValueId> r = b.call(7, FuncType{{VT::kI32}, {VT::kI32, VT::kI64}}, args);
  b.call_indirect(2, 0, FuncType{{VT::kI32}, {}}, args, r[0]);
  b.f32_const_bits(0x3f800000);
  b.i64_const(-5);
  b.v128_const(1, 2);
  ValueId cond = b.wasm(Op::kI32Eqz, {addr});
  b.trap_if(cond, TrapCode::kIntegerDivideByZero);
  b.select(cond, r[1], r[1]);
  b.ret();
  Status status = verify(g);
  EXPECT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(print_graph(g),
            "function (i32) -> () {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.load8_s mem0[v0 + 16]\n"
            "  v2 = i64.extend_i32_u v1\n"
            "  i64.store32 mem1[v0], v2\n"
            "  v3 = global.get g3\n"
            "  global.set g4, v3\n"
            "  v4 = table.get t0[v0]\n"
            "  v5 = ref.null funcref\n"
            "  table.set t1[v0], v5\n"
            "  v6 = ref.is_null v4\n"
            "  v7 = memory.size mem0\n"
            "  v8 = runtime memory.grow 0 0, v0\n"
            "  v9, v10 = call f7(v0)\n"
            "  call_indirect t0 type2 v9(v0)\n"
            "  v11 = f32.const bits:0x3f800000\n"
            "  v12 = i64.const -5\n"
            "  v13 = v128.const i64x2 0x0000000000000001, 0x0000000000000002\n"
            "  v14 = i32.eqz v0\n"
            "  trap_if v14, integer_divide_by_zero\n"
            "  v15 = select v14, v10, v10\n"
            "  return\n"
            "}\n");
}

TEST(Printer, SwitchAndLanes) {
  Graph g(FuncType{{VT::kI32, VT::kV128}, {VT::kI32}});
  Builder b(g);
  ValueId i = g.block(g.entry()).params[0];
  ValueId v = g.block(g.entry()).params[1];
  BlockId a = g.create_block();
  BlockId c = g.create_block();
  ValueId pa = g.add_block_param(a, VT::kI32);
  ValueId lane = b.wasm(Op::kI32x4ExtractLane, {v}, 3);
  b.switch_(i, {BlockCall{a, {lane}}, BlockCall{c, {}}}, BlockCall{a, {i}});
  b.set_block(a);
  b.ret({pa});
  b.set_block(c);
  b.ret({i});
  EXPECT_TRUE(verify(g).ok());
  EXPECT_EQ(print_graph(g),
            "function (i32, v128) -> (i32) {\n"
            "block0(v0: i32, v1: v128):\n"
            "  v3 = i32x4.extract_lane v1 lane 3\n"
            "  br_table v0, [block1(v3), block2], block1(v0)\n"
            "block1(v2: i32):\n"
            "  return v2\n"
            "block2:\n"
            "  return v0\n"
            "}\n");
  EXPECT_EQ(g.block(a).preds.size(), 2u);
  EXPECT_EQ(g.predecessor_blocks(a).size(), 1u);
}

}  // namespace
}  // namespace keel::jit::opt

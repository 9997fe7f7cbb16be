#include "jit/optimizing/ir.h"

#include <gtest/gtest.h>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/printer.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

TEST(Ir, WasmInstructionsTakeTheirTypeAndTrapsFromTheTable) {
  Graph g(FuncType{{VT::kF64, VT::kI64}, {}});
  Builder b(g);
  ValueId d = g.block(g.entry()).params[0];
  ValueId l = g.block(g.entry()).params[1];
  ValueId t = b.wasm(Op::kI32TruncF64U, {d});
  ValueId s = b.wasm(Op::kI32TruncSatF64U, {d});
  ValueId c = b.wasm(Op::kI64LtU, {l, l});
  EXPECT_EQ(g.type_of(t), VT::kI32);
  EXPECT_EQ(g.type_of(c), VT::kI32);
  const Inst& trunc = g.inst(g.value(t).inst);
  EXPECT_EQ(trunc.kind, InstKind::kWasm);
  EXPECT_EQ(trunc.effects.traps, Effects::trap_bit(TrapCode::kInvalidConversion) |
                                     Effects::trap_bit(TrapCode::kIntegerOverflow));
  EXPECT_TRUE(g.inst(g.value(s).inst).effects.is_pure());
  EXPECT_TRUE(g.inst(g.value(c).inst).effects.is_pure());
}

TEST(Ir, EffectsOfMemoryGlobalsCallsAndAtomics) {
  Graph g(FuncType{{VT::kI32}, {}});
  Builder b(g);
  ValueId a = g.block(g.entry()).params[0];
  const Inst& load = g.inst(g.value(b.load(Op::kI32Load, 0, 0, a)).inst);
  EXPECT_TRUE(load.effects.has(Effects::kReadsMemory));
  EXPECT_FALSE(load.effects.has(Effects::kWritesMemory));
  EXPECT_EQ(load.effects.traps, Effects::trap_bit(TrapCode::kMemoryOutOfBounds));
  EXPECT_FALSE(load.effects.removable_if_unused());
  const Inst& atomic = g.inst(g.value(b.load(Op::kI32AtomicRmwAdd, 0, 0, a)).inst);
  EXPECT_TRUE(atomic.effects.has(Effects::kWritesMemory));
  const Inst& global = g.inst(g.value(b.global_get(0, VT::kI32)).inst);
  EXPECT_TRUE(global.effects.removable_if_unused());
  EXPECT_FALSE(global.effects.is_pure());
  ValueId args[] = {a};
  InstId call = g.value(b.call(1, FuncType{{VT::kI32}, {VT::kI32}}, args)[0]).inst;
  EXPECT_TRUE(g.inst(call).effects.has(Effects::kCall));
  EXPECT_TRUE(g.inst(call).effects.may_trap());
}

TEST(Ir, UsesPredecessorsAndAliases) {
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  BlockId next = g.create_block();
  ValueId p = g.add_block_param(next, VT::kI32);
  ValueId y = b.wasm(Op::kI32Add, {x, x});
  b.branch(y, next, {x}, next, {y});
  b.set_block(next);
  b.ret({p});

  std::vector<uint32_t> counts = g.use_counts();
  EXPECT_EQ(counts[x.index], 3u);  // twice by the add, once as an edge argument
  EXPECT_EQ(counts[y.index], 2u);
  std::vector<std::vector<InstId>> users = g.users();
  ASSERT_EQ(users[p.index].size(), 1u);
  EXPECT_EQ(g.inst(users[p.index][0]).kind, InstKind::kReturn);
  EXPECT_EQ(g.block(next).preds.size(), 2u);
  EXPECT_EQ(g.predecessor_blocks(next), std::vector<BlockId>{g.entry()});
  EXPECT_EQ(g.successors(g.entry()), std::vector<BlockId>{next});

  g.make_alias(p, y);
  EXPECT_EQ(g.resolve(p), y);
  g.remove_block_param(next, 0);
  g.resolve_aliases();
  EXPECT_EQ(print_graph(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v2 = i32.add v0, v0\n"
            "  brif v2, block1, block1\n"
            "block1:\n"
            "  return v2\n"
            "}\n");
}

TEST(Ir, RemovingUnreachableBlocksDropsTheirEdges) {
  Graph g(FuncType{{}, {}});
  Builder b(g);
  BlockId live = g.create_block();
  BlockId dead = g.create_block();
  b.jump(live);
  b.set_block(dead);
  b.jump(live);
  b.set_block(live);
  b.ret();
  EXPECT_EQ(g.block(live).preds.size(), 2u);
  EXPECT_TRUE(g.remove_unreachable_blocks());
  EXPECT_EQ(g.block(live).preds.size(), 1u);
  EXPECT_TRUE(g.block(dead).removed);
  EXPECT_EQ(g.layout().size(), 2u);
  EXPECT_FALSE(g.remove_unreachable_blocks());
}

}  // namespace
}  // namespace keel::jit::opt

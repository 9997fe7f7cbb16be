// Natural loops: members, nesting, and when a header has a preheader.
#include "jit/optimizing/loops.h"

#include <gtest/gtest.h>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/dominators.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

TEST(Loops, NestingDepthsAndPreheaders) {
  // block0 -> outer; outer: brif(inner, exit); inner: brif(inner, latch); latch -> outer.
  // The inner loop is entered by a branch that may also leave, so it has no preheader.
  Graph g(FuncType{{VT::kI32}, {}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  BlockId outer = g.create_block(), inner = g.create_block(), latch = g.create_block(),
          exit = g.create_block();
  b.jump(outer);
  b.set_block(outer);
  b.branch(x, inner, {}, exit);
  b.set_block(inner);
  b.branch(x, inner, {}, latch);
  b.set_block(latch);
  b.jump(outer);
  b.set_block(exit);
  b.ret();

  std::vector<Loop> loops = find_loops(g, DominatorTree(g));
  ASSERT_EQ(loops.size(), 2u);
  const Loop& o = loops[0];
  const Loop& i = loops[1];
  EXPECT_EQ(o.header, outer);
  EXPECT_EQ(o.parent, kNoLoop);
  EXPECT_EQ(o.depth, 1u);
  EXPECT_EQ(o.preheader, g.entry());
  EXPECT_EQ(o.blocks, (std::vector<BlockId>{outer, inner, latch}));
  EXPECT_FALSE(o.contains(exit));
  EXPECT_EQ(i.header, inner);
  EXPECT_EQ(i.parent, 0u);
  EXPECT_EQ(i.depth, 2u);
  EXPECT_FALSE(i.preheader.valid());
  EXPECT_EQ(i.blocks, (std::vector<BlockId>{inner}));
}

TEST(Loops, TwoEntryEdgesMeanNoPreheader) {
  Graph g(FuncType{{VT::kI32}, {}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0];
  BlockId side = g.create_block(), loop = g.create_block(), exit = g.create_block();
  b.branch(x, side, {}, loop);
  b.set_block(side);
  b.jump(loop);
  b.set_block(loop);
  b.branch(x, loop, {}, exit);
  b.set_block(exit);
  b.ret();
  std::vector<Loop> loops = find_loops(g, DominatorTree(g));
  ASSERT_EQ(loops.size(), 1u);
  EXPECT_EQ(loops[0].header, loop);
  EXPECT_FALSE(loops[0].preheader.valid());
}

}  // namespace
}  // namespace keel::jit::opt

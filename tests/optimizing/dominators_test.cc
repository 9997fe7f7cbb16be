#include "jit/optimizing/dominators.h"

#include <gtest/gtest.h>

#include "jit/optimizing/builder.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

// block0 -> block1 (loop header) -> block2 | block3; block2 -> block1 (back edge);
// block3 -> block4; block5 is unreachable.
class DominatorsTest : public ::testing::Test {
 protected:
  DominatorsTest() : g(FuncType{{VT::kI32}, {}}) {
    Builder b(g);
    for (int i = 0; i < 5; ++i) blocks.push_back(g.create_block());
    blocks.insert(blocks.begin(), g.entry());
    ValueId c = g.block(g.entry()).params[0];
    b.jump(blocks[1]);
    b.set_block(blocks[1]);
    b.branch(c, blocks[2], {}, blocks[3]);
    b.set_block(blocks[2]);
    b.jump(blocks[1]);
    b.set_block(blocks[3]);
    b.jump(blocks[4]);
    b.set_block(blocks[4]);
    b.ret();
    b.set_block(blocks[5]);
    b.jump(blocks[4]);
  }
  Graph g;
  std::vector<BlockId> blocks;
};

TEST_F(DominatorsTest, ImmediateDominators) {
  DominatorTree dom(g);
  EXPECT_FALSE(dom.idom(blocks[0]).valid());
  EXPECT_EQ(dom.idom(blocks[1]), blocks[0]);
  EXPECT_EQ(dom.idom(blocks[2]), blocks[1]);
  EXPECT_EQ(dom.idom(blocks[3]), blocks[1]);
  EXPECT_EQ(dom.idom(blocks[4]), blocks[3]);  // block5's edge does not count: it is unreachable
  EXPECT_FALSE(dom.reachable(blocks[5]));
  EXPECT_FALSE(dom.idom(blocks[5]).valid());
}

TEST_F(DominatorsTest, DominatesAndOrder) {
  DominatorTree dom(g);
  EXPECT_TRUE(dom.dominates(blocks[0], blocks[4]));
  EXPECT_TRUE(dom.dominates(blocks[1], blocks[2]));
  EXPECT_TRUE(dom.dominates(blocks[2], blocks[2]));
  EXPECT_FALSE(dom.dominates(blocks[2], blocks[1]));
  EXPECT_FALSE(dom.dominates(blocks[2], blocks[3]));
  EXPECT_FALSE(dom.dominates(blocks[5], blocks[4]));
  EXPECT_FALSE(dom.dominates(blocks[0], blocks[5]));
  const std::vector<BlockId>& rpo = dom.reverse_postorder();
  ASSERT_EQ(rpo.size(), 5u);
  EXPECT_EQ(rpo[0], blocks[0]);
  EXPECT_EQ(rpo[1], blocks[1]);
  EXPECT_EQ(dom.children(blocks[1]).size(), 2u);
}

// The classic irreducible example: two blocks that enter each other from a common dominator.
TEST(Dominators, IrreducibleLoop) {
  Graph g(FuncType{{VT::kI32}, {}});
  Builder b(g);
  BlockId a = g.create_block();
  BlockId c = g.create_block();
  BlockId exit = g.create_block();
  ValueId x = g.block(g.entry()).params[0];
  b.branch(x, a, {}, c);
  b.set_block(a);
  b.branch(x, c, {}, exit);
  b.set_block(c);
  b.branch(x, a, {}, exit);
  b.set_block(exit);
  b.ret();
  DominatorTree dom(g);
  EXPECT_EQ(dom.idom(a), g.entry());
  EXPECT_EQ(dom.idom(c), g.entry());
  EXPECT_EQ(dom.idom(exit), g.entry());
  EXPECT_FALSE(dom.dominates(a, c));
}

// A br_table reaching blocks by several cases: each successor is listed once, in the order of
// its first case, and the tree is that of the distinct edges.
TEST(Dominators, SwitchSuccessorsAreDistinct) {
  Graph g(FuncType{{VT::kI32}, {}});
  Builder b(g);
  BlockId one = g.create_block();
  BlockId two = g.create_block();
  BlockId join = g.create_block();
  ValueId x = g.block(g.entry()).params[0];
  b.switch_(x, {BlockCall{two, {}}, BlockCall{one, {}}, BlockCall{two, {}}, BlockCall{one, {}}},
            BlockCall{two, {}});
  b.set_block(one);
  b.jump(join);
  b.set_block(two);
  b.jump(join);
  b.set_block(join);
  b.ret();
  DominatorTree dom(g);
  std::span<const BlockId> successors = dom.successors(g.entry());
  ASSERT_EQ(successors.size(), 2u);
  EXPECT_EQ(successors[0], two);
  EXPECT_EQ(successors[1], one);
  EXPECT_EQ(dom.successors(one).size(), 1u);
  EXPECT_EQ(dom.successors(join).size(), 0u);
  EXPECT_EQ(dom.idom(join), g.entry());
  EXPECT_EQ(dom.children(g.entry()).size(), 3u);
  EXPECT_TRUE(dom.dominates(g.entry(), join));
  EXPECT_FALSE(dom.dominates(one, join));
}

}  // namespace
}  // namespace keel::jit::opt

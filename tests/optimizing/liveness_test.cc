// The back end's block order and intervals: loops stay contiguous even where plain reverse
// postorder would put an exit block between a loop's header and its body, loop depths count
// nesting, block parameters are live from their predecessors' terminators, and a call lists the
// values that survive it.
#include <gtest/gtest.h>

#include <algorithm>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/dominators.h"
#include "jit/optimizing/liveness.h"
#include "jit/optimizing/register_allocator.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

TEST(Liveness, LoopsStayContiguousAndNest) {
  // entry -> outer; outer: branch(inner_head, exit); inner_head: branch(inner_body, outer_latch);
  // inner_body -> inner_head; outer_latch -> outer. The depth-first walk takes the loop bodies
  // first, so reverse postorder alone would place the exits inside the loops.
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  BlockId outer = g.create_block(), exit = g.create_block(), inner = g.create_block(),
          body = g.create_block(), latch = g.create_block();
  ValueId x = g.block(g.entry()).params[0];
  b.jump(outer);
  b.set_block(outer);
  b.branch(x, inner, {}, exit);
  b.set_block(inner);
  b.branch(x, body, {}, latch);
  b.set_block(body);
  b.jump(inner);
  b.set_block(latch);
  b.jump(outer);
  b.set_block(exit);
  b.ret({x});
  // The premise: reverse postorder alone splits a loop here.
  DominatorTree dom(g);
  const std::vector<BlockId>& rpo = dom.reverse_postorder();
  auto rpo_at = [&](BlockId block) {
    return std::find(rpo.begin(), rpo.end(), block) - rpo.begin();
  };
  EXPECT_TRUE(rpo_at(exit) < rpo_at(latch) || rpo_at(latch) < rpo_at(body));
  Liveness live = compute_liveness(g);
  ASSERT_EQ(live.order.size(), 6u);
  EXPECT_EQ(live.non_contiguous_loops, 0u);
  auto at = [&](BlockId block) { return live.order_index[block.index]; };
  // The outer loop {outer, inner, body, latch} and the inner {inner, body} are runs of the order.
  EXPECT_LT(at(outer), at(inner));
  EXPECT_EQ(at(body), at(inner) + 1);
  EXPECT_GT(at(exit), at(latch));
  EXPECT_EQ(live.loop_depth[at(outer)], 1u);
  EXPECT_EQ(live.loop_depth[at(body)], 2u);
  EXPECT_EQ(live.loop_depth[at(exit)], 0u);
  EXPECT_TRUE(live.loop_header[at(outer)]);
  EXPECT_TRUE(live.loop_header[at(inner)]);
  // x is live through both loops up to the exit's return.
  const Interval& xi = live.intervals[x.index];
  EXPECT_LE(xi.start, live.block_start[at(outer)]);
  EXPECT_GE(xi.end, live.block_end[at(latch)]);
}

TEST(Liveness, ParametersCoverIncomingEdgesAndCallsListSurvivors) {
  const FuncType callee{{VT::kI32}, {VT::kI32}};
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  BlockId join = g.create_block();
  ValueId p = g.add_block_param(join, VT::kI32);
  ValueId x = g.block(g.entry()).params[0], y = g.block(g.entry()).params[1];
  ValueId before = b.wasm(Op::kI32Add, {x, y});
  std::vector<ValueId> args{x};
  ValueId r = b.call(0, callee, args)[0];
  InstId call = g.value(r).inst;
  b.jump(join, {r});
  b.set_block(join);
  b.ret({b.wasm(Op::kI32Add, {p, before})});
  Liveness live = compute_liveness(g);
  // Live after the call: `before` (used in join); not x (only an argument), not the result.
  EXPECT_EQ(live.live_across[call.index], std::vector<ValueId>{before});
  InstId jump = g.terminator(g.entry());
  // Written by the jump's edge move, at the jump's odd position.
  EXPECT_LE(live.intervals[p.index].start, live.inst_position[jump.index] + 1);
  Allocation alloc = allocate_registers(g, live);
  EXPECT_EQ(alloc.call_saved_values, 1u);
  EXPECT_NE(alloc.save_slot[before.index], 0);
  EXPECT_EQ(alloc.spilled_values, 0u);
}

}  // namespace
}  // namespace keel::jit::opt

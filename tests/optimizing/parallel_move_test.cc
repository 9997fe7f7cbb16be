// sequentialize() against a simulation: random parallel moves among registers and frame slots
// (permutations with cycles, fan-out of one source to many destinations, slots shared by the two
// register classes) run as the returned sequence must leave every destination holding what its
// source held before.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>
#include <vector>

#include "jit/optimizing/parallel_move.h"

namespace keel::jit::opt {
namespace {

constexpr Location kTemps[2] = {{Location::kReg, 0, 0}, {Location::kReg, 15, 0}};

// A register is a place per class; a frame slot is one place whichever class moves through it
// (the allocator reuses slots across classes: an edge may write a slot as f64 that it reads as
// i32).
using Key = std::pair<int, std::pair<int, int32_t>>;  // kind, (location kind, reg or slot)
Key key(RegKind kind, const Location& l) {
  if (l.kind == Location::kStack) return {-1, {l.kind, l.slot}};
  return {static_cast<int>(kind), {l.kind, l.reg}};
}

Location random_location(std::mt19937& rng) {
  if (rng() % 2) return {Location::kReg, static_cast<uint8_t>(1 + rng() % 6), 0};
  return {Location::kStack, 0, -16 - 8 * static_cast<int32_t>(rng() % 6)};
}

TEST(ParallelMove, SequenceHasTheEffectOfTheParallelMove) {
  std::mt19937 rng(7);
  int cycles_seen = 0;
  for (int round = 0; round < 2000; ++round) {
    std::vector<Move> moves;
    std::map<Key, bool> taken;
    int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      RegKind kind = rng() % 2 ? RegKind::kGp : RegKind::kXmm;
      Location dst = random_location(rng);
      if (taken[key(kind, dst)]) continue;
      taken[key(kind, dst)] = true;
      moves.push_back(
          {random_location(rng), dst, kind, kind == RegKind::kGp ? ValType::kI64 : ValType::kF64});
    }
    std::map<Key, int> state;
    int next = 1;
    auto value = [&](RegKind kind, const Location& l) -> int& {
      int& v = state[key(kind, l)];
      if (v == 0) v = next++;
      return v;
    };
    for (const Move& m : moves) value(m.kind, m.src), value(m.kind, m.dst);
    std::map<Key, int> before = state;
    std::vector<Move> sequence = sequentialize(moves, kTemps);
    for (const Move& m : sequence) {
      if (m.dst == kTemps[static_cast<int>(m.kind)]) ++cycles_seen;
      state[key(m.kind, m.dst)] = value(m.kind, m.src);
    }
    for (const Move& m : moves)
      ASSERT_EQ(state[key(m.kind, m.dst)], before[key(m.kind, m.src)]) << "round " << round;
  }
  EXPECT_GT(cycles_seen, 50);  // the cycle-breaking path ran
}

}  // namespace
}  // namespace keel::jit::opt

// Tier-2 SIMD through emit_simd: v128 constants, lanes, arithmetic, shuffles, bitselect (the
// third operand), shifts by an immediate and by a register, the instruction that needs an extra
// temporary, v128 values spilled, carried in loop parameters and passed to and from calls, and
// v128.load/store. Expected values are computed lane by lane on the host.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "codegen_harness.h"
#include "jit/optimizing/builder.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;
using test::RunResult;
using test::Tier2Harness;

ValueId param(const Graph& g, size_t i) {
  return g.block(g.entry()).params[i];
}

// Lanes as i32x4 in the low and high halves of a v128 constant.
uint64_t pack(uint32_t lo, uint32_t hi) {
  return uint64_t{lo} | uint64_t{hi} << 32;
}

// Sums the four i32 lanes of a vector (extract_lane and add).
ValueId lane_sum(Builder& b, ValueId v) {
  ValueId total = b.wasm(Op::kI32x4ExtractLane, {v}, 0);
  for (uint32_t lane = 1; lane < 4; ++lane)
    total = b.wasm(Op::kI32Add, {total, b.wasm(Op::kI32x4ExtractLane, {v}, lane)});
  return total;
}

TEST(CodegenSimd, LanesArithmeticShufflesAndSelects) {
  Tier2Harness h;
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32, VT::kI32, VT::kI32, VT::kI32}});
  Builder b(g);
  ValueId x = param(g, 0), n = param(g, 1);
  ValueId splat = b.wasm(Op::kI32x4Splat, {x});
  ValueId c = b.v128_const(pack(1, 2), pack(3, 4));
  ValueId sum = b.wasm(Op::kI32x4Add, {splat, c});
  ValueId mul = b.wasm(Op::kI32x4Mul, {sum, c});
  ValueId shl_imm = b.wasm(Op::kI32x4Shl, {mul, b.i32_const(3)});
  ValueId shr_var = b.wasm(Op::kI32x4ShrU, {mul, n});
  std::array<uint8_t, 16> lanes{};
  for (uint8_t k = 0; k < 16; ++k) lanes[k] = static_cast<uint8_t>((k + 4) % 32);  // rotate
  ValueId shuffled = b.shuffle(sum, c, lanes);
  ValueId mask = b.v128_const(0xffffffff00000000ull, 0x00000000ffffffffull);
  ValueId picked = b.wasm(Op::kV128Bitselect, {sum, c, mask});
  ValueId replaced = b.wasm(Op::kI32x4ReplaceLane, {picked, n}, 2);
  b.ret({lane_sum(b, shl_imm), lane_sum(b, shr_var), lane_sum(b, shuffled), lane_sum(b, replaced)});
  uint32_t f = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  for (uint32_t xv : {0u, 5u, 0xfffffff0u}) {
    for (uint32_t nv : {0u, 3u, 33u}) {
      uint32_t cl[4] = {1, 2, 3, 4}, s[4], m[4];
      for (int k = 0; k < 4; ++k) s[k] = xv + cl[k], m[k] = s[k] * cl[k];
      uint32_t want0 = 0, want1 = 0;
      for (int k = 0; k < 4; ++k) want0 += m[k] << 3, want1 += m[k] >> (nv % 32);
      // The shuffle takes lanes 1, 2, 3 of sum and lane 0 of c.
      uint32_t want2 = s[1] + s[2] + s[3] + cl[0];
      // bitselect: lanes 0 and 3 from c (mask clear), 1 and 2 from sum; lane 2 replaced by n.
      uint32_t want3 = cl[0] + s[1] + nv + cl[3];
      RunResult r = h.call(f, {xv, nv});
      ASSERT_EQ(r.trap, vm::TrapCode::kNone);
      EXPECT_EQ(r.results, (std::vector<uint64_t>{want0, want1, want2, want3})) << xv << " " << nv;
    }
  }
}

// Twenty vectors live at once (spilled), a loop carrying vectors in block parameters that swap,
// a float conversion that needs the extra temporary, and vectors through a call and memory.
TEST(CodegenSimd, SpillsLoopsCallsAndMemory) {
  Tier2Harness h(1);
  // callee(v, w) -> (w - v, v)
  Graph callee(FuncType{{VT::kV128, VT::kV128}, {VT::kV128, VT::kV128}});
  {
    Builder b(callee);
    b.ret({b.wasm(Op::kI32x4Sub, {param(callee, 1), param(callee, 0)}), param(callee, 0)});
  }
  uint32_t callee_index = h.add_function(std::move(callee));
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = param(g, 0), n = param(g, 1);
  ValueId base = b.wasm(Op::kI32x4Splat, {x});
  std::vector<ValueId> many;
  for (uint32_t k = 0; k < 20; ++k)
    many.push_back(b.wasm(Op::kI32x4Add, {base, b.v128_const(pack(k, k + 1), pack(k + 2, k * 3))}));
  BlockId loop = g.create_block(), body = g.create_block(), exit = g.create_block();
  ValueId p = g.add_block_param(loop, VT::kV128), q = g.add_block_param(loop, VT::kV128);
  ValueId count = g.add_block_param(loop, VT::kI32);
  ValueId out = g.add_block_param(exit, VT::kV128);
  b.jump(loop, {many[0], many[1], n});
  b.set_block(loop);
  b.branch(count, body, {}, exit, {b.wasm(Op::kI32x4Sub, {p, q})});
  b.set_block(body);
  b.jump(loop, {b.wasm(Op::kI32x4Add, {q, b.v128_const(pack(1, 1), pack(1, 1))}), p,
                b.wasm(Op::kI32Sub, {count, b.i32_const(1)})});
  b.set_block(exit);
  std::vector<ValueId> args{out, many[2]};
  std::vector<ValueId> r =
      b.call(callee_index, FuncType{{VT::kV128, VT::kV128}, {VT::kV128, VT::kV128}}, args);
  b.store(Op::kV128Store, 0, 32, b.i32_const(0), r[0]);
  ValueId loaded = b.load(Op::kV128Load, 0, 32, b.i32_const(0));
  // f32x4 -> u32x4 saturating truncation: the instruction that needs the extra temporary.
  ValueId floats = b.wasm(Op::kF32x4ConvertI32x4U, {loaded});
  ValueId back = b.wasm(Op::kI32x4TruncSatF32x4U, {floats});
  ValueId total = b.wasm(Op::kI32Add, {lane_sum(b, back), lane_sum(b, r[1])});
  for (ValueId v : many) total = b.wasm(Op::kI32Add, {total, lane_sum(b, v)});
  b.ret({total});
  uint32_t f = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  EXPECT_GT(h.stats().spilled_values, 0u);
  for (uint32_t xv : {0u, 7u, 1000u}) {
    for (uint32_t nv : {0u, 1u, 2u, 5u}) {
      auto vec = [&](uint32_t k) {
        return std::array<uint32_t, 4>{xv + k, xv + k + 1, xv + k + 2, xv + k * 3};
      };
      std::array<uint32_t, 4> pv = vec(0), qv = vec(1);
      for (uint32_t i = nv; i > 0; --i) {
        std::array<uint32_t, 4> next_p;
        for (int k = 0; k < 4; ++k) next_p[k] = qv[k] + 1;
        qv = pv;
        pv = next_p;
      }
      std::array<uint32_t, 4> outv, w = vec(2), diff;
      for (int k = 0; k < 4; ++k) outv[k] = pv[k] - qv[k];
      for (int k = 0; k < 4; ++k) diff[k] = w[k] - outv[k];
      uint32_t want = 0;
      // Through f32 and back: exact for these small magnitudes, saturating at 0 for "negative"
      // u32 values above 2^32 - 2^8 (they round to 2^32, which saturates to UINT32_MAX).
      for (int k = 0; k < 4; ++k) {
        float fl = static_cast<float>(diff[k]);
        want += fl >= 4294967296.0f ? UINT32_MAX : static_cast<uint32_t>(fl);
      }
      for (int k = 0; k < 4; ++k) want += outv[k];
      for (uint32_t k = 0; k < 20; ++k)
        for (uint32_t lane : vec(k)) want += lane;
      RunResult res = h.call(f, {xv, nv});
      ASSERT_EQ(res.trap, vm::TrapCode::kNone);
      EXPECT_EQ(res.results, std::vector<uint64_t>{want}) << xv << " " << nv;
    }
  }
}

// The v128 memory instructions: extending, splat, zero and lane loads, lane stores, and one
// faulting in the guard region.
TEST(CodegenSimd, VectorLoadsAndStores) {
  Tier2Harness h(1);
  Graph g(FuncType{{VT::kI32}, {VT::kI32, VT::kI32, VT::kI32, VT::kI32}});
  Builder b(g);
  ValueId at = param(g, 0);
  ValueId ext = b.load(Op::kV128Load8x8S, 0, 0, at);                   // i16x8 of bytes 0..7
  ValueId splat = b.load(Op::kV128Load32Splat, 0, 4, at);              // i32x4 of bytes 4..7
  ValueId zero = b.load(Op::kV128Load64Zero, 0, 8, at);                // bytes 8..15, then zeros
  ValueId lane = b.load_lane(Op::kV128Load16Lane, 0, 2, at, zero, 7);  // lane 7 = bytes 2..3
  b.store_lane(Op::kV128Store32Lane, 0, 64, at, splat, 3);             // bytes 64..67 = bytes 4..7
  b.store(Op::kV128Store, 0, 80, at, lane);
  ValueId back = b.load(Op::kI32Load, 0, 92, at);  // lane 7 of `lane`: bytes 2..3 in the top half
  b.ret({b.wasm(Op::kI16x8ExtractLaneS, {ext}, 1), lane_sum(b, splat),
         b.load(Op::kI32Load, 0, 64, at), back});
  uint32_t f = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  uint8_t* m = h.memory();
  for (int k = 0; k < 16; ++k) m[100 + k] = static_cast<uint8_t>(0xf0 + k);
  RunResult r = h.call(f, {100});
  ASSERT_EQ(r.trap, vm::TrapCode::kNone);
  uint32_t word4;
  std::memcpy(&word4, m + 104, 4);
  uint16_t half2;
  std::memcpy(&half2, m + 102, 2);
  uint32_t want_back;
  std::memcpy(&want_back, m + 192, 4);
  // Bytes 12..15 of the stored vector: the zero load's upper half, then lane 7 from bytes 2..3.
  EXPECT_EQ(want_back, uint32_t{half2} << 16);
  EXPECT_EQ(r.results, (std::vector<uint64_t>{static_cast<uint32_t>(int32_t(int8_t(m[101]))),
                                              static_cast<uint32_t>(word4 * 4), word4, want_back}));
  EXPECT_EQ(h.call(f, {65536 - 8}).trap, vm::TrapCode::kMemoryOutOfBounds);
}

}  // namespace
}  // namespace keel::jit::opt

// Tier-2 memory, globals, floats and the attention check on hand-built graphs: every load and
// store width, out-of-bounds accesses faulting in the guard region (trap sites), globals through
// the context, float arithmetic and selects with spilled operands, interrupts at loop headers,
// and the errors for what tier 2 does not compile yet (atomics, memory.init).
#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
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

TEST(CodegenMemory, LoadsAndStoresEveryWidth) {
  Tier2Harness h(1);
  Graph g(FuncType{{VT::kI32, VT::kI64}, {VT::kI64}});
  Builder b(g);
  ValueId addr = param(g, 0), v = param(g, 1);
  ValueId v32 = b.wasm(Op::kI32WrapI64, {v});
  b.store(Op::kI64Store, 0, 0, addr, v);
  b.store(Op::kI32Store, 0, 8, addr, v32);
  b.store(Op::kI32Store16, 0, 12, addr, v32);
  b.store(Op::kI64Store8, 0, 14, addr, v);
  b.store(Op::kI64Store32, 0, 16, addr, v);
  b.store(Op::kF64Store, 0, 24, addr, b.wasm(Op::kF64ReinterpretI64, {v}));
  // Every load reads something back; the sum mixes them with distinct multipliers.
  const Op loads[] = {Op::kI64Load,    Op::kI64Load8S,  Op::kI64Load8U, Op::kI64Load16S,
                      Op::kI64Load16U, Op::kI64Load32S, Op::kI64Load32U};
  ValueId total = b.i64_const(0);
  uint64_t mul = 3;
  for (Op op : loads) {
    ValueId x = b.load(op, 0, 0, addr);
    total = b.wasm(Op::kI64Add, {b.wasm(Op::kI64Mul, {total, b.i64_const(mul)}), x});
    mul += 2;
  }
  const Op narrow[] = {Op::kI32Load, Op::kI32Load8S, Op::kI32Load8U, Op::kI32Load16S,
                       Op::kI32Load16U};
  for (Op op : narrow) {
    ValueId x = b.wasm(Op::kI64ExtendI32U, {b.load(op, 0, 8, addr)});
    total = b.wasm(Op::kI64Add, {b.wasm(Op::kI64Mul, {total, b.i64_const(mul)}), x});
    mul += 2;
  }
  ValueId f = b.wasm(Op::kI64ReinterpretF64, {b.load(Op::kF64Load, 0, 24, addr)});
  total = b.wasm(Op::kI64Xor, {total, f});
  b.ret({total});
  uint32_t fn = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();

  for (uint64_t value : {0x8899aabbccddeeffull, 0x0123456789abcdefull, 0ull}) {
    for (uint32_t at : {0u, 100u, 65536u - 32u}) {
      RunResult r = h.call(fn, {at, value});
      ASSERT_EQ(r.trap, vm::TrapCode::kNone);
      // The same computation on the host.
      const uint8_t* m = h.memory() + at;
      auto read = [&](auto t, uint32_t off) {
        decltype(t) x;
        std::memcpy(&x, m + off, sizeof x);
        return x;
      };
      uint64_t want = 0, k = 3;
      uint64_t wide[] = {
          read(uint64_t{}, 0), static_cast<uint64_t>(static_cast<int64_t>(read(int8_t{}, 0))),
          read(uint8_t{}, 0),  static_cast<uint64_t>(static_cast<int64_t>(read(int16_t{}, 0))),
          read(uint16_t{}, 0), static_cast<uint64_t>(static_cast<int64_t>(read(int32_t{}, 0))),
          read(uint32_t{}, 0)};
      for (uint64_t x : wide) want = want * k + x, k += 2;
      uint32_t small[] = {
          read(uint32_t{}, 8), static_cast<uint32_t>(static_cast<int32_t>(read(int8_t{}, 8))),
          read(uint8_t{}, 8), static_cast<uint32_t>(static_cast<int32_t>(read(int16_t{}, 8))),
          read(uint16_t{}, 8)};
      for (uint32_t x : small) want = want * k + x, k += 2;
      want ^= value;
      EXPECT_EQ(r.results, std::vector<uint64_t>{want});
      EXPECT_EQ(read(uint64_t{}, 0), value);
      EXPECT_EQ(read(uint32_t{}, 8), static_cast<uint32_t>(value));
      EXPECT_EQ(read(uint16_t{}, 12), static_cast<uint16_t>(value));
      EXPECT_EQ(read(uint8_t{}, 14), static_cast<uint8_t>(value));
      EXPECT_EQ(read(uint32_t{}, 16), static_cast<uint32_t>(value));
    }
  }
  // Past the end of the one page: the guard region faults inside a trap site.
  EXPECT_EQ(h.call(fn, {65536u - 16u, 1}).trap, vm::TrapCode::kMemoryOutOfBounds);
  EXPECT_EQ(h.call(fn, {0xfffffff0u, 1}).trap, vm::TrapCode::kMemoryOutOfBounds);
  EXPECT_FALSE(h.compiled(fn).trap_sites.empty());
}

TEST(CodegenMemory, LargeOffsetsAndSpilledAddresses) {
  Tier2Harness h(1);
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  // Enough live addresses that some are spilled.
  std::vector<ValueId> addrs;
  for (int k = 0; k < 20; ++k)
    addrs.push_back(b.wasm(Op::kI32Add, {param(g, 0), b.i32_const(4 * k)}));
  for (int k = 0; k < 20; ++k) b.store(Op::kI32Store, 0, 0, addrs[k], b.i32_const(k * k + 1));
  ValueId total = b.i32_const(0);
  for (int k = 19; k >= 0; --k)
    total = b.wasm(Op::kI32Add, {b.wasm(Op::kI32Mul, {total, b.i32_const(7)}),
                                 b.load(Op::kI32Load, 0, 0, addrs[k])});
  // An offset above 2^31 wraps nothing: it is out of bounds.
  BlockId far = g.create_block(), done = g.create_block();
  b.branch(b.wasm(Op::kI32Eqz, {param(g, 0)}), far, {}, done);
  b.set_block(far);
  b.ret({b.load(Op::kI32Load, 0, 0x80000000u, param(g, 0))});
  b.set_block(done);
  b.ret({total});
  uint32_t fn = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  EXPECT_GT(h.stats().spilled_values, 0u);
  uint32_t want = 0;
  for (int k = 19; k >= 0; --k) want = want * 7 + static_cast<uint32_t>(k * k + 1);
  RunResult r = h.call(fn, {64});
  ASSERT_EQ(r.trap, vm::TrapCode::kNone);
  EXPECT_EQ(r.results, std::vector<uint64_t>{want});
  EXPECT_EQ(h.call(fn, {0}).trap, vm::TrapCode::kMemoryOutOfBounds);
}

// Loads fused into their consumer (load_fusion.h): each operation that takes a memory operand,
// with the load as its right operand and, where the operation commutes, its left one; the
// result is the unfused one's, and an out-of-bounds address traps with the load's offset.
struct FusedCase {
  Op op;
  Op load;
  ValType type;
  bool commutes;
};

TEST(CodegenMemory, FusedLoadsComputeAndTrapAsLoads) {
  const FusedCase cases[] = {
      {Op::kI32Add, Op::kI32Load, VT::kI32, true},  {Op::kI32Sub, Op::kI32Load, VT::kI32, false},
      {Op::kI32Mul, Op::kI32Load, VT::kI32, true},  {Op::kI32And, Op::kI32Load, VT::kI32, true},
      {Op::kI32Or, Op::kI32Load, VT::kI32, true},   {Op::kI32Xor, Op::kI32Load, VT::kI32, true},
      {Op::kI64Add, Op::kI64Load, VT::kI64, true},  {Op::kI64Sub, Op::kI64Load, VT::kI64, false},
      {Op::kI64Mul, Op::kI64Load, VT::kI64, true},  {Op::kI64Xor, Op::kI64Load, VT::kI64, true},
      {Op::kF32Sub, Op::kF32Load, VT::kF32, false}, {Op::kF32Div, Op::kF32Load, VT::kF32, false},
      {Op::kF64Add, Op::kF64Load, VT::kF64, true},  {Op::kF64Sub, Op::kF64Load, VT::kF64, false},
      {Op::kF64Mul, Op::kF64Load, VT::kF64, true},  {Op::kF64Div, Op::kF64Load, VT::kF64, false},
      {Op::kI32LtS, Op::kI32Load, VT::kI32, false}, {Op::kI64GeU, Op::kI64Load, VT::kI64, false},
      {Op::kI32Eq, Op::kI32Load, VT::kI32, false},
  };
  const uint64_t x_bits[] = {0x400c000000000000, 0x40490fdb, 0xfffffff3, 0x7ff8000000000001};
  const uint64_t m_bits = 0xc01e000000000000 | 0x3fc00000;  // a double's and a float's bits
  for (const FusedCase& c : cases) {
    for (bool load_first : {false, true}) {
      if (load_first && !c.commutes) continue;
      SCOPED_TRACE(std::string(op_text(c.op)) + (load_first ? " (load first)" : ""));
      // fused(addr, x) = x op load(addr) (or load(addr) op x), and the same unfused: the load
      // kept apart from its consumer by a store.
      auto build = [&](bool fused) {
        bool compare = op_info(c.op).cmp != Cmp::kNone;
        Graph g(FuncType{{VT::kI32, c.type}, {compare ? VT::kI32 : c.type}});
        Builder b(g);
        ValueId loaded = b.load(c.load, 0, 8, param(g, 0));
        g.inst(g.value(loaded).inst).module_offset = 0x40;
        if (!fused) b.store(Op::kI32Store, 0, 64, b.i32_const(0), b.i32_const(1));
        ValueId r =
            load_first ? b.wasm(c.op, {loaded, param(g, 1)}) : b.wasm(c.op, {param(g, 1), loaded});
        g.inst(g.value(r).inst).module_offset = 0x44;
        b.ret({r});
        return g;
      };
      // A compare also fuses into its branch: load, compare, branch, all in one cmp and jcc.
      auto build_branch = [&]() {
        Graph g(FuncType{{VT::kI32, c.type}, {VT::kI32}});
        Builder b(g);
        ValueId loaded = b.load(c.load, 0, 8, param(g, 0));
        g.inst(g.value(loaded).inst).module_offset = 0x40;
        ValueId r = b.wasm(c.op, {param(g, 1), loaded});
        BlockId yes = g.create_block(), no = g.create_block();
        b.branch(r, yes, {}, no);
        b.set_block(yes);
        b.ret({b.i32_const(11)});
        b.set_block(no);
        b.ret({b.i32_const(22)});
        return g;
      };
      Tier2Harness fused_h(1), plain_h(1);
      uint32_t f = fused_h.add_function(build(true));
      uint32_t p = plain_h.add_function(build(false));
      ASSERT_TRUE(fused_h.build()) << fused_h.error();
      ASSERT_TRUE(plain_h.build()) << plain_h.error();
      EXPECT_EQ(fused_h.stats().fused_loads, 1u);
      EXPECT_EQ(plain_h.stats().fused_loads, 0u);
      for (Tier2Harness* h : {&fused_h, &plain_h}) std::memcpy(h->memory() + 24, &m_bits, 8);
      for (uint64_t x : x_bits) {
        RunResult want = plain_h.call(p, {16, x});
        RunResult got = fused_h.call(f, {16, x});
        ASSERT_EQ(got.trap, vm::TrapCode::kNone);
        EXPECT_EQ(got.results, want.results) << std::hex << x;
      }
      RunResult trap = fused_h.call(f, {65536 - 8, x_bits[0]});
      EXPECT_EQ(trap.trap, vm::TrapCode::kMemoryOutOfBounds);
      EXPECT_EQ(trap.trap_module_offset, std::optional<uint32_t>(0x40u));
      if (op_info(c.op).cmp == Cmp::kNone) continue;
      Tier2Harness branch_h(1);
      uint32_t br = branch_h.add_function(build_branch());
      ASSERT_TRUE(branch_h.build()) << branch_h.error();
      EXPECT_EQ(branch_h.stats().fused_loads, 1u);
      EXPECT_EQ(branch_h.stats().fused_compares, 1u);
      std::memcpy(branch_h.memory() + 24, &m_bits, 8);
      for (uint64_t x : x_bits) {
        RunResult got = branch_h.call(br, {16, x});
        RunResult value = plain_h.call(p, {16, x});
        ASSERT_EQ(got.trap, vm::TrapCode::kNone);
        EXPECT_EQ(got.results, std::vector<uint64_t>{value.results[0] ? 11u : 22u}) << x;
      }
      RunResult branch_trap = branch_h.call(br, {65536 - 8, x_bits[0]});
      EXPECT_EQ(branch_trap.trap, vm::TrapCode::kMemoryOutOfBounds);
      EXPECT_EQ(branch_trap.trap_module_offset, std::optional<uint32_t>(0x40u));
    }
  }
}

TEST(CodegenMemory, GlobalsGoThroughTheContext) {
  Tier2Harness h(0, 3);
  Graph g(FuncType{{VT::kI32, VT::kF64}, {VT::kI64}});
  Builder b(g);
  ValueId old = b.global_get(1, VT::kI64);
  b.global_set(0, param(g, 0));
  b.global_set(1, b.wasm(Op::kI64Add, {old, b.wasm(Op::kI64ExtendI32U, {param(g, 0)})}));
  b.global_set(2, param(g, 1));
  b.ret({b.wasm(Op::kI64Add, {b.global_get(1, VT::kI64),
                              b.wasm(Op::kI64ExtendI32U, {b.global_get(0, VT::kI32)})})});
  uint32_t fn = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  h.global(1).i64 = 1000;
  RunResult r = h.call(fn, {5, std::bit_cast<uint64_t>(2.5)});
  ASSERT_EQ(r.trap, vm::TrapCode::kNone);
  EXPECT_EQ(r.results, std::vector<uint64_t>{1005 + 5});
  EXPECT_EQ(h.global(0).i32, 5u);
  EXPECT_EQ(h.global(1).i64, 1005u);
  EXPECT_EQ(std::bit_cast<double>(h.global(2).f64_bits), 2.5);
}

// sum of (x * k + 0.5) for k = 1..24, all 24 live at once, then a select between two of them.
TEST(CodegenMemory, FloatsSpillAndSelect) {
  Tier2Harness h;
  Graph g(FuncType{{VT::kF64, VT::kI32, VT::kF32}, {VT::kF64, VT::kF32}});
  Builder b(g);
  std::vector<ValueId> vals;
  for (int k = 1; k <= 24; ++k)
    vals.push_back(b.wasm(
        Op::kF64Add,
        {b.wasm(Op::kF64Mul, {param(g, 0), b.f64_const_bits(std::bit_cast<uint64_t>(double(k)))}),
         b.f64_const_bits(std::bit_cast<uint64_t>(0.5))}));
  ValueId total = b.f64_const_bits(0);
  for (ValueId v : vals) total = b.wasm(Op::kF64Add, {total, v});
  ValueId pick = b.select(param(g, 1), vals[3], vals[20]);
  ValueId both = b.wasm(
      Op::kF64Add,
      {b.wasm(Op::kF64Mul, {total, b.f64_const_bits(std::bit_cast<uint64_t>(1000.0))}), pick});
  ValueId f = b.wasm(Op::kF32Sqrt, {b.wasm(Op::kF32Mul, {param(g, 2), param(g, 2)})});
  b.ret({both, b.wasm(Op::kF32Add, {f, b.wasm(Op::kF32ConvertI32S, {param(g, 1)})})});
  uint32_t fn = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  EXPECT_GT(h.stats().spilled_values, 0u);
  for (uint32_t cond : {0u, 1u, 7u}) {
    double x = 1.25;
    double sum = 0;
    std::vector<double> v;
    for (int k = 1; k <= 24; ++k) v.push_back(x * k + 0.5);
    for (double d : v) sum += d;
    double want = sum * 1000.0 + (cond ? v[3] : v[20]);
    float y = -3.0f;
    float want_f = std::sqrt(y * y) + static_cast<float>(static_cast<int32_t>(cond));
    RunResult r = h.call(fn, {std::bit_cast<uint64_t>(x), cond, std::bit_cast<uint32_t>(y)});
    ASSERT_EQ(r.trap, vm::TrapCode::kNone);
    ASSERT_EQ(r.results.size(), 2u);
    EXPECT_EQ(std::bit_cast<double>(r.results[0]), want);
    EXPECT_EQ(std::bit_cast<float>(static_cast<uint32_t>(r.results[1])), want_f);
  }
}

TEST(CodegenMemory, TruncationTraps) {
  Tier2Harness h;
  Graph g(FuncType{{VT::kF64}, {VT::kI32}});
  Builder b(g);
  b.ret({b.wasm(Op::kI32TruncF64S, {param(g, 0)})});
  uint32_t fn = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  EXPECT_EQ(h.call(fn, {std::bit_cast<uint64_t>(-7.9)}).results,
            std::vector<uint64_t>{0xfffffff9u});
  EXPECT_EQ(h.call(fn, {std::bit_cast<uint64_t>(3e10)}).trap, vm::TrapCode::kIntegerOverflow);
  EXPECT_EQ(h.call(fn, {std::bit_cast<uint64_t>(std::nan(""))}).trap,
            vm::TrapCode::kInvalidConversion);
}

// An endless loop ends only by an interrupt at its header.
TEST(CodegenMemory, InterruptStopsALoop) {
  Tier2Harness h;
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  BlockId loop = g.create_block();
  ValueId i = g.add_block_param(loop, VT::kI32);
  b.jump(loop, {param(g, 0)});
  b.set_block(loop);
  ValueId next = b.wasm(Op::kI32Add, {i, b.i32_const(1)});
  b.branch(b.wasm(Op::kI32Eq, {next, b.i32_const(1000000)}), loop, {b.i32_const(0)}, loop, {next});
  uint32_t fn = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  // At entry the attention word is clear: only the loop header's check can stop it.
  std::thread interrupter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    h.interrupt();
  });
  RunResult r = h.call(fn, {0});
  interrupter.join();
  EXPECT_EQ(r.trap, vm::TrapCode::kInterrupted);
}

// Without interrupt checks (bench/ measures their cost) the code has no attention test and
// still runs; the checks cost one compare and branch per loop header and at entry.
TEST(CodegenMemory, InterruptChecksCanBeLeftOut) {
  auto loop = [] {
    Graph g(FuncType{{VT::kI32}, {VT::kI32}});
    Builder b(g);
    BlockId header = g.create_block(), exit = g.create_block();
    ValueId i = g.add_block_param(header, VT::kI32);
    b.jump(header, {param(g, 0)});
    b.set_block(header);
    ValueId next = b.wasm(Op::kI32Sub, {i, b.i32_const(1)});
    b.branch(next, header, {next}, exit);
    b.set_block(exit);
    b.ret({next});
    return g;
  };
  size_t sizes[2];
  for (bool checks : {true, false}) {
    Tier2Harness h;
    h.options().interrupt_checks = checks;
    uint32_t f = h.add_function(loop());
    ASSERT_TRUE(h.build()) << h.error();
    EXPECT_EQ(h.call(f, {1000}).results, std::vector<uint64_t>{0});
    sizes[checks] = h.compiled(f).code.size();
  }
  EXPECT_LT(sizes[0], sizes[1]);
}

TEST(CodegenMemory, UnsupportedInstructionsAreErrors) {
  {
    Tier2Harness h(1);
    Graph g(FuncType{{}, {VT::kI32}});
    Builder b(g);
    ValueId v = b.load(Op::kI32AtomicLoad, 0, 0, b.i32_const(0));
    b.ret({v});
    h.add_function(std::move(g));
    EXPECT_FALSE(h.build());
    EXPECT_NE(h.error().find("tier 2 does not compile i32.atomic.load yet"), std::string::npos)
        << h.error();
  }
}

}  // namespace
}  // namespace keel::jit::opt

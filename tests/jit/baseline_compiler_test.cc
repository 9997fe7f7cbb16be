// Tier 1 end to end: modules built in memory, compiled lazily by the baseline compiler, run
// through the entry trampoline. One test group per instruction family.
#include <atomic>
#include <cstring>
#include <span>
#include <string>

#include "ir/opcodes.h"
#include "jit_fixture.h"

namespace keel::test {
namespace {

using vm::TrapCode;
constexpr ValType I32 = ValType::kI32, I64 = ValType::kI64, F64 = ValType::kF64,
                  FUNCREF = ValType::kFuncRef;
constexpr uint8_t kI32Sub = 0x6b, kI32LtS = 0x48, kI32GtS = 0x4a, kF64Add = 0xa0, kI64Mul = 0x7e;

Bytes lget(uint32_t i) {
  return local_get(i);
}
Bytes lset(uint32_t i) {
  return cat(op::kLocalSet, u32(i));
}
Bytes ltee(uint32_t i) {
  return cat(op::kLocalTee, u32(i));
}
Bytes br_if(uint32_t d) {
  return cat(op::kBrIf, u32(d));
}
Bytes block(uint8_t bt = op::kBlockEmpty) {
  return cat(op::kBlock, bt);
}
Bytes loop(uint8_t bt = op::kBlockEmpty) {
  return cat(op::kLoop, bt);
}
Bytes if_(uint8_t bt = op::kBlockEmpty) {
  return cat(op::kIf, bt);
}
Bytes block_t(uint32_t type) {
  return cat(op::kBlock, s32(static_cast<int32_t>(type)));
}

uint64_t f64_bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

TEST(BaselineControl, AddAndReturn) {
  WasmBuilder b;
  uint32_t t = b.type({I32, I32}, {I32});
  b.func(t, cat(lget(0), lget(1), op::kI32Add));
  b.func(t, cat(lget(0), i32_const(-5), op::kI32Add));
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(0, {40, 2}), 42u);
  EXPECT_EQ(static_cast<uint32_t>(inst.call1(1, {3, 0})), static_cast<uint32_t>(-2));
}

TEST(BaselineControl, LoopSum) {
  // sum = 0; do { sum += n; n -= 1 } while (n > 0)
  WasmBuilder b;
  uint32_t t = b.type({I32}, {I32});
  b.func(t,
         cat(loop(), lget(1), lget(0), op::kI32Add, lset(1), lget(0), i32_const(1), kI32Sub,
             ltee(0), i32_const(0), kI32GtS, br_if(0), op::kEnd, lget(1)),
         {{1, I32}});
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(0, {100}), 5050u);
  EXPECT_EQ(inst.call1(0, {1}), 1u);
}

TEST(BaselineControl, BlockResultsAndBranches) {
  WasmBuilder b;
  uint32_t t = b.type({I32}, {I32});
  // block (result i32): 10, br_if 0 when x != 0 (keeping 10), else drop and 20
  b.func(t, cat(block(static_cast<uint8_t>(I32)), i32_const(10), lget(0), br_if(0), op::kDrop,
                i32_const(20), op::kEnd, i32_const(1), op::kI32Add));
  // if/else with a result
  b.func(t, cat(lget(0), if_(static_cast<uint8_t>(I32)), i32_const(7), op::kElse, i32_const(9),
                op::kEnd));
  // if without else, with a block below holding a value in a register
  b.func(t, cat(i32_const(100), lget(0), if_(), i32_const(5), lset(0), op::kEnd, lget(0),
                op::kI32Add));
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(0, {1}), 11u);
  EXPECT_EQ(inst.call1(0, {0}), 21u);
  EXPECT_EQ(static_cast<uint32_t>(inst.call1(1, {1})), 7u);
  EXPECT_EQ(static_cast<uint32_t>(inst.call1(1, {0})), 9u);
  EXPECT_EQ(inst.call1(2, {1}), 105u);
  EXPECT_EQ(inst.call1(2, {0}), 100u);
}

// An integer comparison right before br_if or if branches on the flags (the compiler peeks at the
// next opcode); anything between them, even a nop, makes it materialise the i32 first. Both ways
// must agree with the predicate for every comparison.
TEST(BaselineControl, ComparisonsFusedWithBranches) {
  using Pred = bool (*)(uint64_t, uint64_t);
  struct Case {
    Op op;
    bool wide;
    Pred holds;
  };
  // clang-format off
  const Case cases[] = {
      {Op::kI32Eqz, false, [](uint64_t a, uint64_t) { return uint32_t(a) == 0; }},
      {Op::kI32Eq, false, [](uint64_t a, uint64_t b) { return uint32_t(a) == uint32_t(b); }},
      {Op::kI32Ne, false, [](uint64_t a, uint64_t b) { return uint32_t(a) != uint32_t(b); }},
      {Op::kI32LtS, false, [](uint64_t a, uint64_t b) { return int32_t(a) < int32_t(b); }},
      {Op::kI32LtU, false, [](uint64_t a, uint64_t b) { return uint32_t(a) < uint32_t(b); }},
      {Op::kI32GtS, false, [](uint64_t a, uint64_t b) { return int32_t(a) > int32_t(b); }},
      {Op::kI32GtU, false, [](uint64_t a, uint64_t b) { return uint32_t(a) > uint32_t(b); }},
      {Op::kI32LeS, false, [](uint64_t a, uint64_t b) { return int32_t(a) <= int32_t(b); }},
      {Op::kI32LeU, false, [](uint64_t a, uint64_t b) { return uint32_t(a) <= uint32_t(b); }},
      {Op::kI32GeS, false, [](uint64_t a, uint64_t b) { return int32_t(a) >= int32_t(b); }},
      {Op::kI32GeU, false, [](uint64_t a, uint64_t b) { return uint32_t(a) >= uint32_t(b); }},
      {Op::kI64Eqz, true, [](uint64_t a, uint64_t) { return a == 0; }},
      {Op::kI64Eq, true, [](uint64_t a, uint64_t b) { return a == b; }},
      {Op::kI64Ne, true, [](uint64_t a, uint64_t b) { return a != b; }},
      {Op::kI64LtS, true, [](uint64_t a, uint64_t b) { return int64_t(a) < int64_t(b); }},
      {Op::kI64LtU, true, [](uint64_t a, uint64_t b) { return a < b; }},
      {Op::kI64GtS, true, [](uint64_t a, uint64_t b) { return int64_t(a) > int64_t(b); }},
      {Op::kI64GtU, true, [](uint64_t a, uint64_t b) { return a > b; }},
      {Op::kI64LeS, true, [](uint64_t a, uint64_t b) { return int64_t(a) <= int64_t(b); }},
      {Op::kI64LeU, true, [](uint64_t a, uint64_t b) { return a <= b; }},
      {Op::kI64GeS, true, [](uint64_t a, uint64_t b) { return int64_t(a) >= int64_t(b); }},
      {Op::kI64GeU, true, [](uint64_t a, uint64_t b) { return a >= b; }},
  };
  // clang-format on
  const uint64_t values32[] = {0, 1, 5, 0x7fffffff, 0x80000000, 0xffffffff};
  const uint64_t values64[] = {
      0, 1, 5, 0x80000000, 0x7fffffffffffffff, 0x8000000000000000, ~uint64_t{0}};
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(op_text(c.op)));
    ValType t = c.wide ? I64 : I32;
    bool unary = c.op == Op::kI32Eqz || c.op == Op::kI64Eqz;
    Bytes compare = unary ? cat(lget(0), static_cast<uint8_t>(op_info(c.op).code))
                          : cat(lget(0), lget(1), static_cast<uint8_t>(op_info(c.op).code));
    WasmBuilder b;
    uint32_t type = b.type({t, t}, {I32});
    constexpr uint8_t kI32Result = 0x7f;
    // br_if (0) and if (1) straight after the comparison, and both after a nop (2, 3).
    b.func(type, cat(block(kI32Result), i32_const(1), compare, br_if(0), op::kDrop, i32_const(0),
                     op::kEnd));
    b.func(type, cat(compare, if_(kI32Result), i32_const(1), op::kElse, i32_const(0), op::kEnd));
    b.func(type, cat(block(kI32Result), i32_const(1), compare, op::kNop, br_if(0), op::kDrop,
                     i32_const(0), op::kEnd));
    b.func(type, cat(compare, op::kNop, if_(kI32Result), i32_const(1), op::kElse, i32_const(0),
                     op::kEnd));
    JitInstance inst(b.build());
    std::span<const uint64_t> values =
        c.wide ? std::span<const uint64_t>(values64) : std::span<const uint64_t>(values32);
    for (uint64_t x : values) {
      for (uint64_t y : values) {
        uint64_t expected = c.holds(x, y) ? 1 : 0;
        for (uint32_t f = 0; f < 4; ++f)
          EXPECT_EQ(inst.call1(f, {x, y}), expected) << "function " << f << ": " << x << ", " << y;
      }
    }
    // The fused branch needs no setcc, movzx and test of the comparison's i32.
    EXPECT_LT(inst.compiled(0)->code.size(), inst.compiled(2)->code.size());
    EXPECT_LT(inst.compiled(1)->code.size(), inst.compiled(3)->code.size());
  }
}

TEST(BaselineControl, BrTable) {
  WasmBuilder b;
  uint32_t t = b.type({I32}, {I32});
  for (uint32_t n : {3u, 8u}) {
    // n+1 nested blocks; br_table sends index i to block i, which returns 100 + i.
    Bytes body;
    for (uint32_t i = 0; i <= n; ++i) body = cat(body, block());
    std::vector<uint32_t> targets;
    for (uint32_t i = 0; i < n; ++i) targets.push_back(i);
    body = cat(body, lget(0), op::kBrTable, vec_u32(targets), u32(n));
    for (uint32_t i = 0; i <= n; ++i)
      body = cat(body, op::kEnd, i32_const(static_cast<int32_t>(100 + i)), op::kReturn);
    b.func(t, cat(body, op::kUnreachable));
  }
  JitInstance inst(b.build());
  for (uint32_t i = 0; i < 6; ++i) EXPECT_EQ(inst.call1(0, {i}), 100u + (i < 3 ? i : 3));
  for (uint32_t i = 0; i < 12; ++i) EXPECT_EQ(inst.call1(1, {i}), 100u + (i < 8 ? i : 8));
}

TEST(BaselineControl, MultiValueBlocksWithParams) {
  WasmBuilder b;
  uint32_t t = b.type({I32, I32}, {I32, I32});
  uint32_t bt = b.type({I32, I32}, {I32, I32});
  // swap through a block with params, then through a loop that runs once
  b.func(t, cat(lget(0), lget(1), block_t(bt), lset(0), lset(1), lget(0), lget(1), op::kEnd));
  uint32_t f1 = b.type({I32, I32}, {I32});
  b.func(f1, cat(lget(0), lget(1), cat(op::kLoop, s32(static_cast<int32_t>(bt))), kI32Sub,
                 i32_const(0), op::kEnd, op::kDrop));
  JitInstance inst(b.build());
  CallResult r = inst.call(0, {1, 2});
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0], 2u);
  EXPECT_EQ(r.results[1], 1u);
  EXPECT_EQ(inst.call1(1, {9, 4}), 5u);
}

TEST(BaselineControl, Select) {
  WasmBuilder b;
  uint32_t t = b.type({I32, I32, I32}, {I32});
  b.func(t, cat(lget(0), lget(1), lget(2), op::kSelect));
  uint32_t tf = b.type({F64, F64, I32}, {F64});
  b.func(tf, cat(lget(0), lget(1), lget(2), op::kSelect));
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(0, {1, 2, 1}), 1u);
  EXPECT_EQ(inst.call1(0, {1, 2, 0}), 2u);
  EXPECT_EQ(inst.call1(1, {f64_bits(1.5), f64_bits(2.5), 0}), f64_bits(2.5));
  EXPECT_EQ(inst.call1(1, {f64_bits(1.5), f64_bits(2.5), 7}), f64_bits(1.5));
}

TEST(BaselineControl, RegisterPressureSpills) {
  // 30 live values (more than the allocatable registers), then summed.
  WasmBuilder b;
  uint32_t t = b.type({I32}, {I32});
  Bytes body;
  for (int i = 0; i < 30; ++i) body = cat(body, lget(0), i32_const(i), op::kI32Add);
  for (int i = 0; i < 29; ++i) body = cat(body, op::kI32Add);
  b.func(t, body);
  uint32_t tf = b.type({F64}, {F64});
  Bytes fbody;
  for (int i = 0; i < 20; ++i) fbody = cat(fbody, lget(0));
  for (int i = 0; i < 19; ++i) fbody = cat(fbody, kF64Add);
  b.func(tf, fbody);
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(0, {1}), 30u + 435u);
  EXPECT_EQ(inst.call1(1, {f64_bits(0.5)}), f64_bits(10.0));
}

TEST(BaselineControl, UnreachableTraps) {
  WasmBuilder b;
  uint32_t t = b.type({}, {I32});
  b.func(t, cat(op::kUnreachable, op::kI32Add, op::kDrop, block(), op::kEnd));
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call(0, {}).trap, TrapCode::kUnreachable);
  const CompiledFunction* f = inst.compiled(0);
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->source_map.empty());
}

TEST(BaselineCalls, DirectRecursiveAndMultiValue) {
  WasmBuilder b;
  uint32_t t = b.type({I32}, {I32});
  // fib(n) = n < 2 ? n : fib(n-1) + fib(n-2)
  b.func(t, cat(lget(0), i32_const(2), kI32LtS, if_(static_cast<uint8_t>(I32)), lget(0), op::kElse,
                lget(0), i32_const(1), kI32Sub, call(0), lget(0), i32_const(2), kI32Sub, call(0),
                op::kI32Add, op::kEnd));
  uint32_t t2 = b.type({I64, I32}, {I32, I64, I32});
  b.func(t2, cat(lget(1), lget(0), lget(1), i32_const(1), op::kI32Add));
  uint32_t t3 = b.type({}, {I64});
  // calls the three-result function with live values around it
  b.func(t3,
         cat(i64_const(1000), i64_const(5), i32_const(3), call(1), op::kDrop, lset(0), op::kDrop,
             lget(0), op::kI64Add),
         {{1, I64}});
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(0, {20}), 6765u);
  CallResult r = inst.call(1, {77, 4});
  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_EQ(static_cast<uint32_t>(r.results[0]), 4u);
  EXPECT_EQ(r.results[1], 77u);
  EXPECT_EQ(static_cast<uint32_t>(r.results[2]), 5u);
  EXPECT_EQ(inst.call1(2, {}), 1005u);
}

TEST(BaselineCalls, ImportedHostFunction) {
  WasmBuilder b;
  uint32_t t = b.type({I32, I32}, {I32});
  b.import_func("env", "sub", t);
  b.func(t, cat(lget(0), lget(1), call(0), i32_const(1), op::kI32Add));
  b.func(t, cat(lget(0), lget(1), call(0)));
  JitInstance inst(b.build(), [](vm::VMHostFunc*, vm::VMContext* caller, uint64_t* area) {
    if (caller == nullptr) return TrapCode::kHostError;
    if (static_cast<uint32_t>(area[1]) == 0) return TrapCode::kIntegerDivideByZero;
    area[0] = static_cast<uint32_t>(area[0] - area[1]);
    return TrapCode::kNone;
  });
  EXPECT_EQ(inst.call1(1, {50, 8}), 43u);
  EXPECT_EQ(inst.call(1, {50, 0}).trap, TrapCode::kIntegerDivideByZero);
  // Entered directly, the host function has no calling instance.
  EXPECT_EQ(inst.call(0, {1, 1}).trap, TrapCode::kHostError);
}

TEST(BaselineCalls, CallIndirectAndItsTraps) {
  WasmBuilder b;
  uint32_t t = b.type({I32}, {I32});
  uint32_t other = b.type({}, {});
  b.table(FUNCREF, 4);
  b.func(t, cat(lget(0), i32_const(1), op::kI32Add));                                           // 0
  b.func(other, {});                                                                            // 1
  b.func(b.type({I32, I32}, {I32}), cat(lget(1), lget(0), op::kCallIndirect, u32(t), u32(0)));  // 2
  JitInstance inst(b.build());
  inst.set_table(0, 0, inst.ref(0));
  inst.set_table(0, 1, inst.ref(1));
  EXPECT_EQ(inst.call1(2, {0, 41}), 42u);
  EXPECT_EQ(inst.call(2, {1, 0}).trap, TrapCode::kIndirectCallTypeMismatch);
  EXPECT_EQ(inst.call(2, {2, 0}).trap, TrapCode::kUninitializedElement);
  EXPECT_EQ(inst.call(2, {4, 0}).trap, TrapCode::kUndefinedElement);
  EXPECT_EQ(inst.call(2, {0xffffffffu, 0}).trap, TrapCode::kUndefinedElement);
}

TEST(BaselineCalls, StackExhaustion) {
  WasmBuilder b;
  uint32_t t = b.type({I32}, {I32});
  b.func(t, cat(lget(0), i32_const(1), op::kI32Add, call(0)));
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call(0, {0}).trap, TrapCode::kStackExhausted);
}

TEST(BaselineCalls, InterruptCheckAtLoopBackEdge) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, cat(loop(), br(0), op::kEnd));
  uint32_t t2 = b.type({I32}, {I32});
  b.func(t2, cat(loop(), lget(0), i32_const(1), kI32Sub, ltee(0), br_if(0), op::kEnd, lget(0)));
  JitInstance inst(b.build());
  inst.ctx().attention.store(1);
  inst.attention_result = static_cast<uint32_t>(TrapCode::kInterrupted);
  EXPECT_EQ(inst.call(0, {}).trap, TrapCode::kInterrupted);
  // A zero answer resumes: every entry and back-edge asks again while the word is set.
  inst.attention_result = 0;
  inst.attention_calls = 0;
  EXPECT_EQ(inst.call1(1, {10}), 0u);
  EXPECT_EQ(inst.attention_calls, 11u);
  inst.ctx().attention.store(0);
  inst.attention_calls = 0;
  EXPECT_EQ(inst.call1(1, {10}), 0u);
  EXPECT_EQ(inst.attention_calls, 0u);
}

// Tiering's counters: each call is charged its body's bytes at entry, each pass through a loop
// header the loop's bytes (patched in once the loop's end is known); running out calls
// keel_rt_tier_up at every check until the runtime resets the budget (this test's helper does not).
TEST(BaselineCalls, TierUpBudgetIsChargedAtEntryAndLoopHeaders) {
  WasmBuilder b;
  uint32_t t = b.type({I32}, {I32});
  b.func(t, cat(lget(0)));
  // loop (2 bytes) local.get (2) i32.const 1 (2) i32.sub (1) local.tee (2) br_if 0 (2) end
  b.func(t, cat(loop(), lget(0), i32_const(1), kI32Sub, ltee(0), br_if(0), op::kEnd, lget(0)));
  CompileOptions options = JitInstance::default_options();
  options.tier_up_counters = true;
  JitInstance inst(b.build(), nullptr, options);
  std::atomic<int32_t> budgets[2];
  budgets[0].store(1000000);
  budgets[1].store(1000000);
  inst.ctx().tier_budgets = budgets;
  const int32_t body = static_cast<int32_t>(inst.module().functions[1].body.size);
  EXPECT_EQ(inst.call1(1, {10}), 0u);
  EXPECT_EQ(budgets[1].load(), 1000000 - body - 10 * 11);  // entered the loop, 9 back-edges
  EXPECT_EQ(budgets[0].load(), 1000000);
  EXPECT_EQ(inst.tier_up_calls, 0u);
  budgets[1].store(5);
  EXPECT_EQ(inst.call1(1, {10}), 0u);
  EXPECT_EQ(inst.tier_up_calls, 11u);  // the entry and every pass through the header
  // Without the option nothing is charged.
  JitInstance plain(b.build());
  std::atomic<int32_t> untouched[2];
  untouched[1].store(7);
  plain.ctx().tier_budgets = untouched;
  EXPECT_EQ(plain.call1(1, {3}), 0u);
  EXPECT_EQ(untouched[1].load(), 7);
  EXPECT_EQ(plain.tier_up_calls, 0u);
}

TEST(BaselineMemory, LoadsAndStoresOfEveryWidth) {
  WasmBuilder b;
  b.memory(1);
  uint32_t st = b.type({I32, I64}, {});
  uint32_t ld = b.type({I32}, {I64});
  uint32_t ld32 = b.type({I32}, {I32});
  b.func(st, cat(lget(0), lget(1), op::kI64Store, memarg(3)));                // 0
  b.func(ld, cat(lget(0), op::kI64Load, memarg(3)));                          // 1
  b.func(ld32, cat(lget(0), 0x2c, memarg(0)));                                // 2 i32.load8_s
  b.func(ld32, cat(lget(0), 0x2d, memarg(0)));                                // 3 i32.load8_u
  b.func(ld32, cat(lget(0), 0x2e, memarg(1)));                                // 4 i32.load16_s
  b.func(ld32, cat(lget(0), 0x2f, memarg(1)));                                // 5 i32.load16_u
  b.func(ld, cat(lget(0), 0x30, memarg(0)));                                  // 6 i64.load8_s
  b.func(ld, cat(lget(0), 0x32, memarg(1)));                                  // 7 i64.load16_s
  b.func(ld, cat(lget(0), 0x34, memarg(2)));                                  // 8 i64.load32_s
  b.func(ld, cat(lget(0), 0x35, memarg(2)));                                  // 9 i64.load32_u
  b.func(st, cat(lget(0), lget(1), 0x3c, memarg(0)));                         // 10 i64.store8
  b.func(st, cat(lget(0), lget(1), 0x3d, memarg(1)));                         // 11 i64.store16
  b.func(st, cat(lget(0), lget(1), 0x3e, memarg(2)));                         // 12 i64.store32
  b.func(ld32, cat(lget(0), op::kI32Load, memarg(2, 8)));                     // 13 offset
  b.func(b.type({}, {I32}), cat(i32_const(16), op::kI32Load, memarg(2, 4)));  // 14 const addr
  b.func(b.type({}, {}), cat(i32_const(24), i32_const(-1), 0x3a, memarg(0),   // 15 const stores
                             i32_const(32), i64_const(0x123456789abcLL), op::kI64Store, memarg(3)));
  b.func(b.type({I32, F64}, {F64}),
         cat(lget(0), lget(1), 0x39, memarg(3), lget(0), 0x2b, memarg(3)));  // 16 f64
  JitInstance inst(b.build());
  inst.call(0, {0, 0x80ff8001fedcba98ull});
  EXPECT_EQ(inst.call1(1, {0}), 0x80ff8001fedcba98ull);
  EXPECT_EQ(static_cast<uint32_t>(inst.call1(2, {0})), 0xffffff98u);
  EXPECT_EQ(inst.call1(3, {0}), 0x98u);
  EXPECT_EQ(static_cast<uint32_t>(inst.call1(4, {0})), 0xffffba98u);
  EXPECT_EQ(inst.call1(5, {0}), 0xba98u);
  EXPECT_EQ(inst.call1(6, {0}), 0xffffffffffffff98ull);
  EXPECT_EQ(inst.call1(7, {0}), 0xffffffffffffba98ull);
  EXPECT_EQ(inst.call1(8, {0}), 0xfffffffffedcba98ull);
  EXPECT_EQ(inst.call1(9, {0}), 0xfedcba98ull);
  EXPECT_EQ(inst.call1(8, {4}), 0xffffffff80ff8001ull);
  inst.call(10, {100, 0x1234});
  inst.call(11, {102, 0x5678});
  inst.call(12, {104, 0x9abcdef0});
  EXPECT_EQ(inst.call1(1, {100}), 0x9abcdef056780034ull);
  std::memcpy(inst.memory() + 20, "\x11\x22\x33\x44", 4);
  EXPECT_EQ(inst.call1(13, {12}), 0x44332211u);
  EXPECT_EQ(inst.call1(14, {}), 0x44332211u);
  inst.call(15, {});
  EXPECT_EQ(inst.memory()[24], 0xff);
  EXPECT_EQ(inst.call1(1, {32}), 0x123456789abcull);
  EXPECT_EQ(inst.call1(16, {200, f64_bits(3.25)}), f64_bits(3.25));
}

TEST(BaselineMemory, SizeGrowFill) {
  WasmBuilder b;
  b.memory(1, 3);
  b.func(b.type({}, {I32}), cat(op::kMemorySize, 0));
  b.func(b.type({I32}, {I32}), cat(lget(0), op::kMemoryGrow, 0));
  b.func(b.type({I32, I32, I32}, {}), cat(lget(0), lget(1), lget(2), fc(11, 0)));
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(0, {}), 1u);
  EXPECT_EQ(inst.call1(1, {1}), 1u);
  EXPECT_EQ(inst.call1(0, {}), 2u);
  EXPECT_EQ(static_cast<uint32_t>(inst.call1(1, {5})), 0xffffffffu);
  inst.call(2, {10, 0xab, 3});
  EXPECT_EQ(inst.memory()[12], 0xab);
  EXPECT_EQ(inst.call(2, {2 * 65536 - 1, 0, 2}).trap, TrapCode::kMemoryOutOfBounds);
}

TEST(BaselineGlobals, GetAndSet) {
  WasmBuilder b;
  b.global(I32, true, expr(i32_const(0)));
  b.global(I64, true, expr(i64_const(0)));
  b.global(F64, true, expr(f64_const()));
  b.func(b.type({I32}, {I32}),
         cat(global_get(0), lget(0), op::kI32Add, global_set(0), global_get(0)));
  b.func(b.type({}, {}),
         cat(i64_const(-2), global_set(1), global_get(1), i64_const(3), kI64Mul, global_set(1)));
  b.func(b.type({F64}, {}), cat(global_get(2), lget(0), kF64Add, global_set(2)));
  JitInstance inst(b.build());
  inst.global(0).i32 = 5;
  EXPECT_EQ(inst.call1(0, {6}), 11u);
  EXPECT_EQ(inst.global(0).i32, 11u);
  inst.call(1, {});
  EXPECT_EQ(static_cast<int64_t>(inst.global(1).i64), -6);
  inst.global(2).f64_bits = f64_bits(1.25);
  inst.call(2, {f64_bits(2.0)});
  EXPECT_EQ(inst.global(2).f64_bits, f64_bits(3.25));
}

TEST(BaselineTables, GetSetSizeAndRefs) {
  WasmBuilder b;
  b.table(FUNCREF, 2);
  uint32_t tget = b.type({I32}, {FUNCREF});
  b.func(tget, cat(lget(0), op::kTableGet, 0));                                         // 0
  b.func(b.type({I32}, {}), cat(lget(0), ref_func(0), op::kTableSet, 0));               // 1
  b.func(b.type({}, {I32}), cat(fc(16, 0)));                                            // 2 size
  b.func(b.type({I32}, {I32}), cat(lget(0), op::kTableGet, 0, op::kRefIsNull));         // 3
  b.func(b.type({}, {I32}), cat(ref_null(FUNCREF), op::kRefIsNull));                    // 4
  b.func(b.type({I32, I32}, {}), cat(lget(0), ref_null(FUNCREF), lget(1), fc(17, 0)));  // 5 fill
  b.elem_declarative({0});
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(2, {}), 2u);
  EXPECT_EQ(inst.call1(0, {1}), 0u);
  EXPECT_EQ(inst.call1(3, {1}), 1u);
  inst.call(1, {1});
  EXPECT_EQ(inst.call1(0, {1}), reinterpret_cast<uint64_t>(inst.ref(0)));
  EXPECT_EQ(inst.call1(3, {1}), 0u);
  EXPECT_EQ(inst.call1(4, {}), 1u);
  EXPECT_EQ(inst.call(0, {2}).trap, TrapCode::kTableOutOfBounds);
  EXPECT_EQ(inst.call(1, {7}).trap, TrapCode::kTableOutOfBounds);
  inst.call(5, {0, 2});
  EXPECT_EQ(inst.call1(3, {1}), 1u);
  EXPECT_EQ(inst.call(5, {1, 2}).trap, TrapCode::kTableOutOfBounds);
}

TEST(BaselineErrors, UnsupportedAndInvalid) {
  WasmBuilder b;
  b.func(b.type({}, {I32}), cat(op::kI64Const, 0));  // i64 where i32 is expected
  auto loaded = load_module(buffer_of(b.build()));
  EXPECT_FALSE(loaded.ok());
}

}  // namespace
}  // namespace keel::test

namespace keel::test {
namespace {

// v128 values through the register cache: locals in registers across loop back-edges (and the
// attention stub, which must save them whole), call arguments and results, memory, and
// multi-value branches.
TEST(BaselineSimd, V128ThroughLocalsCallsMemoryAndBranches) {
  constexpr ValType V128 = ValType::kV128;
  auto splat = fd(0x11), add = fd(0xae);
  auto extract = [](uint8_t lane) { return fd(0x1b, lane); };
  WasmBuilder b;
  uint32_t t_int = b.type({I32}, {I32});
  uint32_t t_add = b.type({V128, V128}, {V128});
  uint32_t t_pair = b.type({}, {V128, I32});
  b.memory(1);
  // acc = splat(n); do { acc = add(acc, acc) } while (--n); acc[3]
  b.func(t_int,
         cat(lget(0), splat, lset(1), loop(), lget(1), lget(1), call(1), lset(1), lget(0),
             i32_const(1), kI32Sub, ltee(0), br_if(0), op::kEnd, lget(1), extract(3)),
         {{1, V128}});
  b.func(t_add, cat(lget(0), lget(1), add));
  // [16, 32) = splat(n); the 16 bytes at 20 hold n, n, n, 0: returns lane 2 + lane 3 * 1000.
  b.func(t_int,
         cat(i32_const(16), lget(0), splat, fd(0x0b, memarg(4)), i32_const(20), fd(0x00, memarg(4)),
             lset(1), lget(1), extract(2), lget(1), extract(3), i32_const(1000), uint8_t{0x6c},
             op::kI32Add),
         {{1, V128}});
  // A block of type [] -> [v128 i32] left by br_if with (splat(n), 7) or ending with (0, 9);
  // the i32 replaces lane 1.
  b.func(t_int, cat(block_t(t_pair), lget(0), splat, i32_const(7), lget(0), br_if(0), op::kDrop,
                    op::kDrop, v128_const(), i32_const(9), op::kEnd, fd(0x1c, 1), extract(1)));
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(0, {3}), 24u);
  inst.ctx().attention.store(1);  // every back-edge calls the attention helper, which continues
  EXPECT_EQ(inst.call1(0, {4}), 64u);
  EXPECT_GT(inst.attention_calls, 0u);
  inst.ctx().attention.store(0);
  EXPECT_EQ(inst.call1(2, {5}), 5u);
  EXPECT_EQ(inst.call1(3, {5}), 7u);
  EXPECT_EQ(inst.call1(3, {0}), 9u);
}

TEST(BaselineCalls, InterruptChecksCanBeOmitted) {
  WasmBuilder b;
  b.func(b.type({I32}, {I32}),
         cat(loop(), lget(0), i32_const(1), kI32Sub, ltee(0), br_if(0), op::kEnd, lget(0)));
  CompileOptions options = JitInstance::default_options();
  options.interrupt_checks = false;
  JitInstance inst(b.build(), nullptr, options);
  inst.ctx().attention.store(1);
  EXPECT_EQ(inst.call1(0, {10}), 0u);
  EXPECT_EQ(inst.attention_calls, 0u);
}

TEST(BaselineControl, ValuesBelowBlocksSurviveBranches) {
  WasmBuilder b;
  uint32_t t = b.type({I32}, {I32});
  // 100 (constant), x (register) stay below a block that is branched out of and a loop.
  b.func(t, cat(i32_const(100), lget(0), block(), lget(0), br_if(0), op::kEnd, loop(), op::kEnd,
                i64_const(0x123456789LL), op::kDrop, op::kI32Add));
  JitInstance inst(b.build());
  EXPECT_EQ(inst.call1(0, {5}), 105u);
  EXPECT_EQ(inst.call1(0, {0}), 100u);
}

}  // namespace
}  // namespace keel::test

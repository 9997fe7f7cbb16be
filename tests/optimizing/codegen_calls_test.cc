// Tier-2 calls on hand-built graphs: direct calls with values live across them, imports (the
// context switch to a host function), call_indirect and its three checks, recursion into the
// stack limit, and the runtime helpers behind memory.grow.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "codegen_harness.h"
#include "jit/optimizing/builder.h"
#include "jit/optimizing/printer.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;
using test::RunResult;
using test::Tier2Harness;

ValueId param(const Graph& g, size_t i) {
  return g.block(g.entry()).params[i];
}

const FuncType kCalleeType{{VT::kI32, VT::kI64}, {VT::kI64, VT::kI32}};

// (a, b) -> (b * 10 + a, a - 1)
Graph callee() {
  Graph g(kCalleeType);
  Builder b(g);
  ValueId a64 = b.wasm(Op::kI64ExtendI32U, {param(g, 0)});
  b.ret({b.wasm(Op::kI64Add, {b.wasm(Op::kI64Mul, {param(g, 1), b.i64_const(10)}), a64}),
         b.wasm(Op::kI32Sub, {param(g, 0), b.i32_const(1)})});
  return g;
}

uint64_t expected_caller(uint32_t x, int live) {
  // Mirrors caller(): values made before the calls, combined after them.
  std::vector<uint64_t> kept;
  for (int k = 0; k < live; ++k) kept.push_back(uint64_t{x} * (k + 3) + k);
  uint64_t r0 = uint64_t{5} * 10 + x;
  uint32_t r1 = x - 1;
  uint64_t s0 = r0 * 10 + r1;
  uint64_t total = s0;
  for (uint64_t v : kept) total = total * 31 + v;
  return total;
}

// Makes `live` i64 values, calls the callee twice (chained), then uses all of them.
Graph caller(uint32_t callee_index, int live) {
  Graph g(FuncType{{VT::kI32}, {VT::kI64}});
  Builder b(g);
  ValueId x64 = b.wasm(Op::kI64ExtendI32U, {param(g, 0)});
  std::vector<ValueId> kept;
  for (int k = 0; k < live; ++k)
    kept.push_back(
        b.wasm(Op::kI64Add, {b.wasm(Op::kI64Mul, {x64, b.i64_const(k + 3)}), b.i64_const(k)}));
  std::vector<ValueId> args{param(g, 0), b.i64_const(5)};
  std::vector<ValueId> first = b.call(callee_index, kCalleeType, args);
  std::vector<ValueId> again{first[1], first[0]};
  std::vector<ValueId> second = b.call(callee_index, kCalleeType, again);
  ValueId total = second[0];
  for (ValueId v : kept)
    total = b.wasm(Op::kI64Add, {b.wasm(Op::kI64Mul, {total, b.i64_const(31)}), v});
  b.ret({total});
  return g;
}

TEST(CodegenCalls, DirectCallsKeepLiveValues) {
  for (int live : {0, 3, 12}) {
    SCOPED_TRACE(std::to_string(live) + " live values");
    Tier2Harness h;
    uint32_t f = h.add_function(callee());
    uint32_t g = h.add_function(caller(f, live));
    ASSERT_TRUE(h.build()) << h.error();
    if (live) {
      EXPECT_GT(h.stats().call_saved_values + h.stats().spilled_values, 0u);
    }
    for (uint32_t x : {0u, 1u, 77u, 0xffffffffu}) {
      RunResult r = h.call(g, {x});
      ASSERT_EQ(r.trap, vm::TrapCode::kNone);
      EXPECT_EQ(r.results, std::vector<uint64_t>{expected_caller(x, live)}) << "x = " << x;
    }
  }
}

// The host function: area[0] = area[0] * 2 + area[1] (i32, i32) -> i32, and it checks the
// caller's context arrives in r13.
vm::VMContext* g_expected_caller = nullptr;
int g_host_calls = 0;
vm::TrapCode host_double_add(vm::VMHostFunc*, vm::VMContext* caller, uint64_t* area) {
  ++g_host_calls;
  if (caller != g_expected_caller) return vm::TrapCode::kHostError;
  uint32_t a = static_cast<uint32_t>(area[0]), b = static_cast<uint32_t>(area[1]);
  if (a == 666) return vm::TrapCode::kUnreachable;
  area[0] = a * 2 + b;
  return vm::TrapCode::kNone;
}

// A trap two calls deep: the backtrace names the trapping instruction, then each call site.
TEST(CodegenCalls, BacktracesCarryCallSiteOffsets) {
  for (bool register_entries : {true, false}) {
    SCOPED_TRACE(register_entries ? "register entries" : "area calls only");
    Tier2Harness h;
    h.set_register_entries(register_entries);
    Graph inner(FuncType{{VT::kI32}, {VT::kI32}});
    {
      Builder b(inner);
      ValueId q = b.wasm(Op::kI32DivU, {b.i32_const(10), param(inner, 0)});
      inner.inst(inner.value(q).inst).module_offset = 0x300;
      b.ret({q});
    }
    uint32_t inner_index = h.add_function(std::move(inner));
    Graph middle(FuncType{{VT::kI32}, {VT::kI32}});
    {
      Builder b(middle);
      std::vector<ValueId> args{param(middle, 0)};
      ValueId r = b.call(inner_index, FuncType{{VT::kI32}, {VT::kI32}}, args)[0];
      middle.inst(middle.value(r).inst).module_offset = 0x200;
      b.ret({b.wasm(Op::kI32Add, {r, b.i32_const(1)})});
    }
    uint32_t middle_index = h.add_function(std::move(middle));
    Graph outer(FuncType{{VT::kI32}, {VT::kI32}});
    {
      Builder b(outer);
      std::vector<ValueId> args{param(outer, 0)};
      ValueId r = b.call(middle_index, FuncType{{VT::kI32}, {VT::kI32}}, args)[0];
      outer.inst(outer.value(r).inst).module_offset = 0x100;
      b.ret({r});
    }
    uint32_t outer_index = h.add_function(std::move(outer));
    ASSERT_TRUE(h.build()) << h.error();
    EXPECT_EQ(h.call(outer_index, {5}).results, std::vector<uint64_t>{3});
    RunResult r = h.call(outer_index, {0});
    EXPECT_EQ(r.trap, vm::TrapCode::kIntegerDivideByZero);
    using Offsets = std::vector<std::optional<uint32_t>>;
    EXPECT_EQ(r.backtrace_offsets, (Offsets{0x300u, 0x200u, 0x100u}));
  }
}

TEST(CodegenCalls, ImportsSwitchContext) {
  Tier2Harness h(1);
  FuncType type{{VT::kI32, VT::kI32}, {VT::kI32}};
  uint32_t import = h.add_import(type, host_double_add);
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId keep = b.wasm(Op::kI32Mul, {param(g, 0), b.i32_const(3)});
  // A memory access after the call checks r15 came back.
  b.store(Op::kI32Store, 0, 16, b.i32_const(0), keep);
  std::vector<ValueId> args{param(g, 0), b.i32_const(1)};
  ValueId r = b.call(import, type, args)[0];
  ValueId loaded = b.load(Op::kI32Load, 0, 16, b.i32_const(0));
  b.ret({b.wasm(Op::kI32Add, {b.wasm(Op::kI32Mul, {r, b.i32_const(1000)}), loaded})});
  uint32_t f = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  g_expected_caller = &h.ctx();
  g_host_calls = 0;
  RunResult ok = h.call(f, {21});
  EXPECT_EQ(ok.trap, vm::TrapCode::kNone);
  EXPECT_EQ(ok.results, std::vector<uint64_t>{43 * 1000 + 63});
  EXPECT_EQ(g_host_calls, 1);
  EXPECT_EQ(h.call(f, {666}).trap, vm::TrapCode::kUnreachable);
}

TEST(CodegenCalls, CallIndirectChecksBoundsNullAndType) {
  Tier2Harness h;
  uint32_t target = h.add_function(callee());
  Graph wrong(FuncType{{VT::kI32}, {VT::kI32}});
  {
    Builder b(wrong);
    b.ret({param(wrong, 0)});
  }
  uint32_t wrong_index = h.add_function(std::move(wrong));
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI64}});
  Builder b(g);
  ValueId keep = b.wasm(Op::kI64ExtendI32U, {param(g, 1)});
  std::vector<ValueId> args{param(g, 1), b.i64_const(4)};
  // The callee's type is module type 0 (the first function's).
  std::vector<ValueId> r = b.call_indirect(0, 0, kCalleeType, args, param(g, 0));
  b.ret({b.wasm(Op::kI64Add, {r[0], b.wasm(Op::kI64Mul, {keep, b.i64_const(1000)})})});
  uint32_t f = h.add_function(std::move(g));
  uint32_t table = h.add_table(3);
  ASSERT_TRUE(h.build()) << h.error();
  h.set_element(table, 0, target);
  h.set_element(table, 2, wrong_index);
  RunResult ok = h.call(f, {0, 9});
  EXPECT_EQ(ok.trap, vm::TrapCode::kNone);
  EXPECT_EQ(ok.results, std::vector<uint64_t>{4 * 10 + 9 + 9000});
  EXPECT_EQ(h.call(f, {1, 9}).trap, vm::TrapCode::kUninitializedElement);
  EXPECT_EQ(h.call(f, {2, 9}).trap, vm::TrapCode::kIndirectCallTypeMismatch);
  EXPECT_EQ(h.call(f, {3, 9}).trap, vm::TrapCode::kUndefinedElement);
  EXPECT_EQ(h.call(f, {0xffffffff, 9}).trap, vm::TrapCode::kUndefinedElement);
}

// The register convention (register_convention.h): every kind of parameter, passed in an order
// that makes the argument moves a cycle, and a callee the convention does not fit, each through
// the register entry and, with register entries off, through the area call stub.
const FuncType kMixedType{{VT::kI32, VT::kF64, VT::kI64, VT::kF32, VT::kV128, VT::kI32},
                          {VT::kF64}};

// (a, b, c, d, e, f) -> b * 2 - a + c + d + lane 1 of e + f * 1000, in f64.
Graph mixed_callee() {
  Graph g(kMixedType);
  Builder b(g);
  auto p = [&](size_t i) { return param(g, i); };
  ValueId r = b.wasm(Op::kF64Mul, {p(1), b.f64_const_bits(0x4000000000000000)});  // 2.0
  r = b.wasm(Op::kF64Sub, {r, b.wasm(Op::kF64ConvertI32U, {p(0)})});
  r = b.wasm(Op::kF64Add, {r, b.wasm(Op::kF64ConvertI64S, {p(2)})});
  r = b.wasm(Op::kF64Add, {r, b.wasm(Op::kF64PromoteF32, {p(3)})});
  r = b.wasm(Op::kF64Add,
             {r, b.wasm(Op::kF64ConvertI32U, {b.wasm(Op::kI32x4ExtractLane, {p(4)}, 1)})});
  ValueId f = b.wasm(Op::kF64ConvertI32U, {p(5)});
  r = b.wasm(Op::kF64Add, {r, b.wasm(Op::kF64Mul, {f, b.f64_const_bits(0x408f400000000000)})});
  b.ret({r});
  return g;
}

double expected_mixed(uint32_t a, double b, int64_t c, float d, uint32_t lane, uint32_t f) {
  return b * 2 - a + static_cast<double>(c) + d + lane + f * 1000.0;
}

uint64_t bits_of(double d) {
  uint64_t out;
  std::memcpy(&out, &d, 8);
  return out;
}

// (x: i32, y: i32) -> f64: calls the mixed callee with the i32 arguments swapped, so x goes where
// y came in and y where x did, and keeps x live across the call.
Graph mixed_caller(uint32_t callee_index) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kF64}});
  Builder b(g);
  ValueId x = param(g, 0), y = param(g, 1);
  std::vector<ValueId> args{y,
                            b.f64_const_bits(bits_of(1.5)),
                            b.wasm(Op::kI64ExtendI32U, {x}),
                            b.f32_const_bits(0x40200000),  // 2.5f
                            b.v128_const(uint64_t{7} << 32, 0),
                            x};
  ValueId r = b.call(callee_index, kMixedType, args)[0];
  b.ret({b.wasm(Op::kF64Add, {r, b.wasm(Op::kF64ConvertI32U, {x})})});
  return g;
}

TEST(CodegenCalls, RegisterConventionPassesEveryKindOfValue) {
  for (bool register_entries : {true, false}) {
    SCOPED_TRACE(register_entries ? "register entries" : "area calls only");
    Tier2Harness h;
    h.set_register_entries(register_entries);
    uint32_t callee_index = h.add_function(mixed_callee());
    uint32_t caller_index = h.add_function(mixed_caller(callee_index));
    ASSERT_TRUE(h.build()) << h.error();
    EXPECT_NE(h.compiled(callee_index).register_entry, runtime::CompiledFunction::kNoRegisterEntry);
    for (auto [x, y] : {std::pair{3u, 4u}, std::pair{0u, 0xffffffffu}, std::pair{1000u, 1u}}) {
      RunResult r = h.call(caller_index, {x, y});
      ASSERT_EQ(r.trap, vm::TrapCode::kNone);
      double expected = expected_mixed(y, 1.5, x, 2.5f, 7, x) + x;
      EXPECT_EQ(r.results, std::vector<uint64_t>{bits_of(expected)}) << x << ", " << y;
      // Called from the host, the callee takes its area entry.
      RunResult direct =
          h.call(callee_index, {x, bits_of(1.5), y, 0x40200000, uint64_t{7} << 32, y});
      ASSERT_EQ(direct.trap, vm::TrapCode::kNone);
      EXPECT_EQ(direct.results,
                std::vector<uint64_t>{bits_of(expected_mixed(x, 1.5, y, 2.5f, 7, y))});
    }
  }
}

TEST(CodegenCalls, SignaturesBeyondTheConventionHaveOnlyTheAreaEntry) {
  Tier2Harness h;
  uint32_t two_results = h.add_function(callee());
  const FuncType seven_type{std::vector<ValType>(7, VT::kI32), {VT::kI32}};
  Graph seven(seven_type);
  {
    Builder b(seven);
    ValueId sum = param(seven, 0);
    for (size_t i = 1; i < 7; ++i)
      sum = b.wasm(Op::kI32Add, {b.wasm(Op::kI32Mul, {sum, b.i32_const(3)}), param(seven, i)});
    b.ret({sum});
  }
  uint32_t seven_index = h.add_function(std::move(seven));
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  {
    Builder b(g);
    std::vector<ValueId> args;
    for (int i = 0; i < 7; ++i) args.push_back(b.wasm(Op::kI32Add, {param(g, 0), b.i32_const(i)}));
    b.ret(b.call(seven_index, seven_type, args));
  }
  uint32_t caller_index = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  EXPECT_EQ(h.compiled(two_results).register_entry, runtime::CompiledFunction::kNoRegisterEntry);
  EXPECT_EQ(h.compiled(seven_index).register_entry, runtime::CompiledFunction::kNoRegisterEntry);
  EXPECT_NE(h.compiled(caller_index).register_entry, runtime::CompiledFunction::kNoRegisterEntry);
  uint32_t expected = 10;
  for (uint32_t i = 1; i < 7; ++i) expected = expected * 3 + 10 + i;
  EXPECT_EQ(h.call(caller_index, {10}).results, std::vector<uint64_t>{expected});
}

TEST(CodegenCalls, UnboundedRecursionExhaustsTheStack) {
  Tier2Harness h;
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  std::vector<ValueId> args{b.wasm(Op::kI32Add, {param(g, 0), b.i32_const(1)})};
  ValueId r = b.call(0, g.signature(), args)[0];
  b.ret({b.wasm(Op::kI32Add, {r, param(g, 0)})});
  uint32_t f = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  EXPECT_EQ(h.call(f, {0}).trap, vm::TrapCode::kStackExhausted);
}

TEST(CodegenCalls, MemoryGrowAndSize) {
  Tier2Harness h(1);
  Graph g(FuncType{{VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId before = b.memory_size(0);
  std::vector<ValueId> delta{param(g, 0)};
  ValueId old = g.result(b.runtime_call(Op::kMemoryGrow, 0, 0, delta, VT::kI32));
  ValueId after = b.memory_size(0);
  // The new page is writable once grown.
  b.store(Op::kI32Store, 0, 65536, b.i32_const(0), b.i32_const(1234));
  ValueId code = b.wasm(
      Op::kI32Add, {b.wasm(Op::kI32Mul, {before, b.i32_const(10000)}),
                    b.wasm(Op::kI32Add, {b.wasm(Op::kI32Mul, {old, b.i32_const(100)}), after})});
  b.ret({code});
  uint32_t f = h.add_function(std::move(g));
  ASSERT_TRUE(h.build()) << h.error();
  RunResult r = h.call(f, {1});
  ASSERT_EQ(r.trap, vm::TrapCode::kNone);
  EXPECT_EQ(r.results, std::vector<uint64_t>{1 * 10000 + 1 * 100 + 2});
  uint32_t stored;
  std::memcpy(&stored, h.memory() + 65536, 4);
  EXPECT_EQ(stored, 1234u);
}

// ref.func, ref.null, ref.is_null, table.get/set/size, and memory.fill and memory.copy through
// the runtime's helpers (with their bounds traps).
TEST(CodegenCalls, TablesRefsAndBulkMemory) {
  Tier2Harness h(1);
  uint32_t target = h.add_function(callee());
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId index = param(g, 0), n = param(g, 1);
  ValueId f = b.ref_func(target);
  b.table_set(0, index, f);
  ValueId got = b.table_get(0, VT::kFuncRef, index);
  ValueId is_null = b.ref_is_null(got);
  ValueId null_is_null = b.ref_is_null(b.ref_null(VT::kFuncRef));
  ValueId size = b.table_size(0);
  std::vector<ValueId> fill{b.i32_const(100), b.i32_const(0xab), n};
  b.runtime_call(Op::kMemoryFill, 0, 0, fill, VT::kBottom);
  std::vector<ValueId> copy{b.i32_const(200), b.i32_const(99), n};
  b.runtime_call(Op::kMemoryCopy, 0, 0, copy, VT::kBottom);
  ValueId byte = b.load(Op::kI32Load8U, 0, 200, b.i32_const(1));
  // is_null * 1 + null_is_null * 10 + size * 100 + byte * 1000
  ValueId r = b.wasm(Op::kI32Add, {is_null, b.wasm(Op::kI32Mul, {null_is_null, b.i32_const(10)})});
  r = b.wasm(Op::kI32Add, {r, b.wasm(Op::kI32Mul, {size, b.i32_const(100)})});
  r = b.wasm(Op::kI32Add, {r, b.wasm(Op::kI32Mul, {byte, b.i32_const(1000)})});
  b.ret({r});
  uint32_t fn = h.add_function(std::move(g));
  uint32_t table = h.add_table(4);
  ASSERT_TRUE(h.build()) << h.error();
  (void)table;
  RunResult ok = h.call(fn, {2, 8});
  ASSERT_EQ(ok.trap, vm::TrapCode::kNone);
  EXPECT_EQ(ok.results, std::vector<uint64_t>{0 + 10 + 400 + 0xab * 1000});
  EXPECT_EQ(h.memory()[99], 0u);
  EXPECT_EQ(h.memory()[100], 0xabu);
  EXPECT_EQ(h.memory()[207], 0xabu);
  EXPECT_EQ(h.memory()[208], 0u);
  EXPECT_EQ(h.call(fn, {4, 8}).trap, vm::TrapCode::kTableOutOfBounds);
  EXPECT_EQ(h.call(fn, {1, 65536}).trap, vm::TrapCode::kMemoryOutOfBounds);
}

// table.grow, table.fill, table.copy, data.drop and elem.drop through the runtime's helpers.
TEST(CodegenCalls, TableHelpersAndDrops) {
  Tier2Harness h;
  uint32_t target = h.add_function(callee());
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId delta = param(g, 0), n = param(g, 1);
  ValueId f = b.ref_func(target);
  std::vector<ValueId> grow{b.ref_null(VT::kFuncRef), delta};
  ValueId old = g.result(b.runtime_call(Op::kTableGrow, 0, 0, grow, VT::kI32));
  std::vector<ValueId> fill{b.i32_const(1), f, n};
  b.runtime_call(Op::kTableFill, 0, 0, fill, VT::kBottom);
  // table 1 [0, n) = table 0 [1, 1 + n)
  std::vector<ValueId> copy{b.i32_const(0), b.i32_const(1), n};
  b.runtime_call(Op::kTableCopy, 1, 0, copy, VT::kBottom);
  b.runtime_call(Op::kDataDrop, 2, 0, {}, VT::kBottom);
  b.runtime_call(Op::kElemDrop, 3, 0, {}, VT::kBottom);
  ValueId size = b.table_size(0);
  b.ret({b.wasm(Op::kI32Add, {b.wasm(Op::kI32Mul, {old, b.i32_const(100)}), size})});
  uint32_t fn = h.add_function(std::move(g));
  h.add_table(2);
  h.add_table(8);
  ASSERT_TRUE(h.build()) << h.error();
  RunResult r = h.call(fn, {3, 4});
  ASSERT_EQ(r.trap, vm::TrapCode::kNone);
  EXPECT_EQ(r.results, std::vector<uint64_t>{2 * 100 + 5});
  ASSERT_EQ(h.table(0).size(), 5u);
  EXPECT_EQ(h.table(0).elements()[0], nullptr);
  for (int i = 1; i < 5; ++i) EXPECT_NE(h.table(0).elements()[i], nullptr) << i;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(h.table(1).elements()[i], h.table(0).elements()[1]) << i;
  EXPECT_EQ(h.table(1).elements()[4], nullptr);
  EXPECT_EQ(h.instance().data_dropped[2], 1);
  EXPECT_EQ(h.instance().elem_dropped[3], 1);
  // Filling past the end traps (and grows first: the table is 5 + 0 long, n = 9).
  EXPECT_EQ(h.call(fn, {0, 9}).trap, vm::TrapCode::kTableOutOfBounds);
}

}  // namespace
}  // namespace keel::jit::opt

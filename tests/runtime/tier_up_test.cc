// Tiering end to end: tier-1 code charges its budget, runs out, and the function's code slot
// gets tier-2 code, synchronously or from the background threads; results and backtraces stay
// right across both tiers. (stop_background_compiles is process-wide, so the CLI's tests cover
// it, not this binary.)
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "runtime/module_impl.h"
#include "runtime_test_util.h"

namespace keel::test {
namespace {

EngineConfig tiered(int32_t budget, bool synchronous) {
  EngineConfig c = test_config();
  c.tiering.enabled = true;
  c.tiering.budget = budget;
  c.tiering.synchronous = synchronous;
  c.tiering.threads = 2;
  return c;
}

// sum(n) = n + (n - 1) + ... + 1, in a loop: each iteration is charged the loop body's bytes.
uint32_t add_sum(WasmBuilder& b) {
  uint32_t t = b.type({ValType::kI32}, {ValType::kI32});
  Bytes loop_body = cat(local_get(1), local_get(0), op::kI32Add, op::kLocalSet, 0x01, local_get(0),
                        i32_const(-1), op::kI32Add, op::kLocalTee, 0x00, op::kBrIf, 0x00);
  return b.func(t, cat(op::kLoop, op::kBlockEmpty, loop_body, op::kEnd, local_get(1)),
                {{1, ValType::kI32}});
}

const runtime::ModuleImpl& impl(const std::shared_ptr<LoadedModule>& m) {
  return static_cast<const runtime::ModuleImpl&>(*m);
}

Result<std::vector<Value>> call(Store& store, Instance* instance, const char* name, int32_t arg) {
  auto f = instance->get_export(name);
  EXPECT_TRUE(f.has_value()) << name;
  std::vector<Value> args{Value::from_i32(static_cast<uint32_t>(arg))};
  return store.call(*f, args);
}

uint32_t sum_to(uint32_t n) {
  return n * (n + 1) / 2;
}

// A module of `b` loaded and instantiated with `config`.
struct Running {
  Running(const WasmBuilder& b, const EngineConfig& config) : module(load(b, config)), store(config) {
    if (!module) return;
    auto made = store.instantiate(module, {});
    EXPECT_TRUE(Succeeded(made));
    if (made) instance = *made;
  }
  std::shared_ptr<LoadedModule> module;
  Store store;
  Instance* instance = nullptr;
};

TEST(TierUp, ALoopThatRunsOutOfBudgetGetsTier2Code) {
  WasmBuilder b;
  uint32_t sum = add_sum(b);
  b.export_("sum", ExternKind::kFunc, sum);
  EngineConfig config = tiered(5000, /*synchronous=*/true);
  config.tiering.osr = false;
  Running run(b, config);
  ASSERT_TRUE(run.instance);
  auto& [module, store, instance] = run;

  // 20 iterations of a ~15-byte loop stay within the budget: still tier 1.
  auto small = call(store, instance, "sum", 20);
  ASSERT_TRUE(Succeeded(small));
  EXPECT_EQ((*small)[0].i32, sum_to(20));
  const void* tier1 = impl(module).code(sum);
  ASSERT_NE(tier1, nullptr);
  EXPECT_EQ(module->tier_up_counts().queued, 0u);

  // 1000 iterations do not: the loop header runs out mid-call and tier 2 compiles right there.
  // Without OSR that call finishes in tier 1; the next one runs the new code.
  for (uint32_t n : {1000u, 1000u, 7u}) {
    auto r = call(store, instance, "sum", static_cast<int32_t>(n));
    ASSERT_TRUE(Succeeded(r));
    EXPECT_EQ((*r)[0].i32, sum_to(n));
  }
  LoadedModule::TierUpCounts counts = module->tier_up_counts();
  EXPECT_EQ(counts.queued, 1u);
  EXPECT_EQ(counts.compiled, 1u);
  EXPECT_EQ(counts.failed, 0u);
  EXPECT_EQ(counts.osr_entered, 0u);
  EXPECT_NE(impl(module).code(sum), tier1);
}

// With OSR the call that runs out at the loop header finishes in tier-2 code: an OSR entry for
// that loop, entered with the frame's locals, gives the same sum.
TEST(TierUp, TheCallThatRunsOutMovesToTier2ByOsr) {
  WasmBuilder b;
  b.export_("sum", ExternKind::kFunc, add_sum(b));
  Running run(b, tiered(5000, /*synchronous=*/true));
  ASSERT_TRUE(run.instance);
  auto r = call(run.store, run.instance, "sum", 100000);
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ((*r)[0].i32, sum_to(100000));
  LoadedModule::TierUpCounts counts = run.module->tier_up_counts();
  EXPECT_EQ(counts.compiled, 1u);
  EXPECT_EQ(counts.osr_compiled, 1u);
  EXPECT_EQ(counts.osr_entered, 1u);
  EXPECT_EQ(counts.osr_failed, 0u);
}

TEST(TierUp, BudgetZeroTiersUpEveryFunctionAtItsFirstCall) {
  WasmBuilder b;
  uint32_t sum = add_sum(b);
  uint32_t t = b.type({ValType::kI32}, {ValType::kI32});
  uint32_t twice =
      b.func(t, cat(local_get(0), test::call(sum), local_get(0), test::call(sum), op::kI32Add));
  uint32_t never = b.func(t, cat(local_get(0)));
  b.export_("twice", ExternKind::kFunc, twice);
  b.export_("never", ExternKind::kFunc, never);
  Running run(b, tiered(0, true));
  ASSERT_TRUE(run.instance);
  auto& [module, store, instance] = run;
  auto r = call(store, instance, "twice", 10);
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ((*r)[0].i32, 2 * sum_to(10));
  EXPECT_EQ(module->tier_up_counts().compiled, 2u);  // twice and sum; never was not called
  EXPECT_EQ(impl(module).code(never), nullptr);
}

// A trap deep in recursion whose outer frames are tier 1 (they ran out and tiered up while
// running) and whose inner ones are tier 2: the backtrace names every frame either way.
TEST(TierUp, BacktracesNameFramesOfBothTiers) {
  WasmBuilder b;
  uint32_t t = b.type({ValType::kI32}, {ValType::kI32});
  // down(n) = n == 0 ? unreachable : down(n - 1); function index 0.
  uint32_t down =
      b.func(t, cat(local_get(0), op::kI32Eqz, op::kIf, op::kBlockEmpty, op::kUnreachable, op::kEnd,
                    local_get(0), i32_const(-1), op::kI32Add, test::call(0)));
  ASSERT_EQ(down, 0u);
  b.export_("down", ExternKind::kFunc, down);
  b.custom("name", names("m", {{down, "down"}}));
  Running run(b, tiered(0, true));
  ASSERT_TRUE(run.instance);
  auto& [module, store, instance] = run;
  EXPECT_TRUE(FailedWith(call(store, instance, "down", 5), ErrorKind::kTrap, "unreachable"));
  const TrapInfo& trap = store.last_trap();
  ASSERT_EQ(trap.backtrace.size(), 6u) << trap.to_string();
  for (const TrapFrame& frame : trap.backtrace) {
    EXPECT_EQ(frame.func_name, "$down");
    EXPECT_TRUE(frame.module_offset.has_value());
  }
  EXPECT_EQ(module->tier_up_counts().compiled, 1u);
}

// Background threads: the code slot changes under a running program, which keeps getting the
// right answers, and a module dropped with functions still queued goes away cleanly.
TEST(TierUp, BackgroundCompilesPublishWhileTheProgramRuns) {
  constexpr uint32_t kFunctions = 3000;  // thousands tiering up at once
  WasmBuilder b;
  uint32_t sum = add_sum(b);
  uint32_t t = b.type({ValType::kI32}, {ValType::kI32});
  std::vector<uint32_t> callers;
  for (uint32_t i = 0; i < kFunctions; ++i) {
    callers.push_back(b.func(
        t, cat(local_get(0), test::call(sum), i32_const(static_cast<int32_t>(i)), op::kI32Add)));
    b.export_("f" + std::to_string(i), ExternKind::kFunc, callers.back());
  }
  for (int round = 0; round < 2; ++round) {
    Running run(b, tiered(0, /*synchronous=*/false));
    ASSERT_TRUE(run.instance);
    auto& [module, store, instance] = run;
    for (uint32_t i = 0; i < kFunctions; ++i) {
      std::string name = "f" + std::to_string(i);
      auto r = call(store, instance, name.c_str(), 50);
      ASSERT_TRUE(Succeeded(r));
      EXPECT_EQ((*r)[0].i32, sum_to(50) + i);
    }
    EXPECT_EQ(module->tier_up_counts().queued, kFunctions + 1);
    if (round == 1) continue;  // the second module is dropped with its queue still full
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (module->tier_up_counts().compiled < kFunctions + 1 &&
           std::chrono::steady_clock::now() < deadline) {
      auto r = call(store, instance, "f7", 3);
      ASSERT_TRUE(Succeeded(r));
      EXPECT_EQ((*r)[0].i32, sum_to(3) + 7);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(module->tier_up_counts().compiled, kFunctions + 1);
    EXPECT_EQ(module->tier_up_counts().failed, 0u);
  }
}

TEST(TierUp, TieringNeedsTier1First) {
  WasmBuilder b;
  add_sum(b);
  EngineConfig config = tiered(0, true);
  config.tier = runtime::Tier::kOptimizing;
  auto module = LoadedModule::load(buffer_of(b.build()), config);
  EXPECT_TRUE(FailedWith(module, ErrorKind::kUsage, "tiering starts in tier 1"));
}

}  // namespace
}  // namespace keel::test

// End to end: modules compiled by tier 1 and run through the store (entry trampoline, host
// thunk, lazy stub, traps, the signal handler, interrupts), in both compile modes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "runtime/module_impl.h"
#include "runtime_test_util.h"

namespace keel::test {
namespace {

class Execution : public ::testing::TestWithParam<CompileMode> {
 protected:
  EngineConfig config() const {
    EngineConfig c = test_config();
    c.compile_mode = GetParam();
    c.compile_threads = 2;
    return c;
  }
  Instance* instantiate(Store& store, const WasmBuilder& b, const Imports& imports = {}) {
    module_ = load(b, config());
    if (!module_) return nullptr;
    auto instance = store.instantiate(module_, imports);
    EXPECT_TRUE(Succeeded(instance));
    return instance ? *instance : nullptr;
  }
  Result<std::vector<Value>> call(Store& store, Instance* instance, const char* name,
                                  std::vector<Value> args = {}) {
    auto f = instance->get_export(name);
    EXPECT_TRUE(f.has_value()) << name;
    return store.call(*f, args);
  }
  std::shared_ptr<LoadedModule> module_;
};

TEST_P(Execution, CallsAndResults) {
  WasmBuilder b;
  uint32_t t = b.type({ValType::kI32, ValType::kI32}, {ValType::kI32});
  uint32_t add = b.func(t, cat(local_get(0), local_get(1), op::kI32Add));
  uint32_t t2 = b.type({ValType::kI64}, {ValType::kI64, ValType::kI32});
  uint32_t pair = b.func(t2, cat(local_get(0), local_get(0), op::kI64Add, i32_const(-3)));
  b.export_("add", ExternKind::kFunc, add);
  b.export_("pair", ExternKind::kFunc, pair);
  Store store(config());
  Instance* instance = instantiate(store, b);
  ASSERT_TRUE(instance);
  auto sum = call(store, instance, "add", {Value::from_i32(40), Value::from_i32(2)});
  ASSERT_TRUE(Succeeded(sum));
  EXPECT_EQ((*sum)[0].i32, 42u);
  auto two = call(store, instance, "pair", {Value::from_i64(uint64_t{1} << 40)});
  ASSERT_TRUE(Succeeded(two));
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].i64, uint64_t{1} << 41);
  EXPECT_EQ((*two)[1].i32, static_cast<uint32_t>(-3));
  if (GetParam() == CompileMode::kEager) {
    EXPECT_GT(module_->compile_seconds(), 0.0);
    EXPECT_GT(module_->compiled_body_bytes(), 0u);
  }
}

TEST_P(Execution, TrapWithBacktrace) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  uint32_t inner = b.func(t, cat(op::kNop, op::kUnreachable));
  uint32_t outer = b.func(t, test::call(inner));
  b.export_("outer", ExternKind::kFunc, outer);
  b.custom("name", names("m", {{inner, "inner"}, {outer, "outer"}}));
  Store store(config());
  Instance* instance = instantiate(store, b);
  ASSERT_TRUE(instance);
  EXPECT_TRUE(FailedWith(call(store, instance, "outer"), ErrorKind::kTrap, "unreachable"));
  const TrapInfo& trap = store.last_trap();
  EXPECT_EQ(trap.code, vm::TrapCode::kUnreachable);
  ASSERT_EQ(trap.backtrace.size(), 2u) << trap.to_string();
  EXPECT_EQ(trap.backtrace[0].func_name, "$inner");
  EXPECT_EQ(trap.backtrace[0].module_name, "m");
  EXPECT_EQ(trap.backtrace[1].func_name, "$outer");
  EXPECT_NE(trap.to_string().find("m!$inner"), std::string::npos) << trap.to_string();
  // The store stays usable after a trap.
  EXPECT_FALSE(call(store, instance, "outer").ok());
}

TEST_P(Execution, OutOfBoundsThroughTheSignalHandler) {
  WasmBuilder b;
  uint32_t t = b.type({ValType::kI32}, {ValType::kI32});
  b.memory(1);
  uint32_t f = b.func(t, cat(local_get(0), op::kI32Load, memarg(2, 0)));
  uint32_t g = b.type({ValType::kI32}, {ValType::kI32});
  uint32_t grow = b.func(g, cat(local_get(0), op::kMemoryGrow, 0x00));
  b.export_("load", ExternKind::kFunc, f);
  b.export_("grow", ExternKind::kFunc, grow);
  b.data_active(expr(i32_const(65532)), {1, 0, 0, 0});
  Store store(config());
  Instance* instance = instantiate(store, b);
  ASSERT_TRUE(instance);
  auto ok = call(store, instance, "load", {Value::from_i32(65532)});
  ASSERT_TRUE(Succeeded(ok));
  EXPECT_EQ((*ok)[0].i32, 1u);
  for (uint32_t address : {65533u, 65536u, 0x7fffffffu, 0xfffffffcu}) {
    EXPECT_TRUE(FailedWith(call(store, instance, "load", {Value::from_i32(address)}),
                           ErrorKind::kTrap, "out of bounds memory access"))
        << address;
    EXPECT_EQ(store.last_trap().backtrace.size(), 1u);
  }
  auto grown = call(store, instance, "grow", {Value::from_i32(1)});
  ASSERT_TRUE(Succeeded(grown));
  EXPECT_EQ((*grown)[0].i32, 1u);
  EXPECT_TRUE(Succeeded(call(store, instance, "load", {Value::from_i32(65536)})));
  auto too_much = call(store, instance, "grow", {Value::from_i32(65535)});
  EXPECT_EQ((*too_much)[0].i32, 0xffffffffu);
}

TEST_P(Execution, StackExhaustion) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  uint32_t f = b.func(t, test::call(0));
  b.export_("f", ExternKind::kFunc, f);
  Store store(config());
  Instance* instance = instantiate(store, b);
  ASSERT_TRUE(instance);
  EXPECT_TRUE(FailedWith(call(store, instance, "f"), ErrorKind::kTrap, "call stack exhausted"));
  const TrapInfo& trap = store.last_trap();
  EXPECT_GT(trap.backtrace.size(), 100u);
  // The prologue's stack check is located at the function's first instruction, in every frame.
  ASSERT_TRUE(trap.backtrace[0].module_offset.has_value());
  EXPECT_EQ(trap.backtrace[0].module_offset, trap.backtrace[1].module_offset);
  EXPECT_LT(*trap.backtrace[0].module_offset, instance->module().bytes().size());
  // Thousands of alike frames print as both ends and a count.
  EXPECT_NE(trap.to_string().find("frames omitted"), std::string::npos);
  EXPECT_TRUE(FailedWith(call(store, instance, "f"), ErrorKind::kTrap, "call stack exhausted"));
}

TEST_P(Execution, HostFunctionsAndNestedCalls) {
  WasmBuilder b;
  uint32_t t = b.type({ValType::kI32}, {ValType::kI32});
  uint32_t host = b.import_func("env", "host", t);
  b.memory(1);
  // wasm(x) = host(x + 1); leaf(x) = x * 2 via add
  uint32_t wasm = b.func(t, cat(local_get(0), i32_const(1), op::kI32Add, test::call(host)));
  uint32_t leaf = b.func(t, cat(local_get(0), local_get(0), op::kI32Add));
  b.export_("wasm", ExternKind::kFunc, wasm);
  b.export_("leaf", ExternKind::kFunc, leaf);
  Store store(config());
  Instance* instance = nullptr;
  Imports imports;
  imports.add("env", "host",
              store.host_function(func_type({ValType::kI32}, {ValType::kI32}), [&](HostCall& c) {
                EXPECT_NE(c.caller_memory, nullptr);
                if (c.args[0].i32 == 100) {
                  c.message = "refused";
                  return vm::TrapCode::kHostError;
                }
                // host -> wasm, inside wasm -> host
                auto leaf = instance->get_export("leaf");
                auto r = store.call(*leaf, c.args);
                if (!r) return vm::TrapCode::kHostError;
                c.results[0].i32 = (*r)[0].i32 + 1000;
                return vm::TrapCode::kNone;
              }));
  instance = instantiate(store, b, imports);
  ASSERT_TRUE(instance);
  auto r = call(store, instance, "wasm", {Value::from_i32(20)});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ((*r)[0].i32, 1042u);
  EXPECT_TRUE(FailedWith(call(store, instance, "wasm", {Value::from_i32(99)}), ErrorKind::kTrap,
                         "refused"));
  EXPECT_EQ(store.last_trap().code, vm::TrapCode::kHostError);
  ASSERT_GE(store.last_trap().backtrace.size(), 1u);
  EXPECT_EQ(store.last_trap().backtrace[0].func_index, wasm);
  // Calling the import through its re-export reaches the host function directly.
  auto again = call(store, instance, "wasm", {Value::from_i32(1)});
  ASSERT_TRUE(Succeeded(again));
  EXPECT_EQ((*again)[0].i32, 1004u);
}

TEST_P(Execution, CallIndirectThroughAnElementSegment) {
  WasmBuilder b;
  uint32_t t = b.type({}, {ValType::kI32});
  uint32_t ti = b.type({ValType::kI32}, {ValType::kI32});
  b.table(ValType::kFuncRef, 3);
  uint32_t seven = b.func(t, i32_const(7));
  uint32_t nine = b.func(t, i32_const(9));
  uint32_t dispatch = b.func(ti, cat(local_get(0), op::kCallIndirect, u32(t), u32(0)));
  b.elem_active(expr(i32_const(0)), {seven, nine});
  b.export_("dispatch", ExternKind::kFunc, dispatch);
  Store store(config());
  Instance* instance = instantiate(store, b);
  ASSERT_TRUE(instance);
  auto r = call(store, instance, "dispatch", {Value::from_i32(1)});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ((*r)[0].i32, 9u);
  EXPECT_TRUE(FailedWith(call(store, instance, "dispatch", {Value::from_i32(2)}), ErrorKind::kTrap,
                         "uninitialized element"));
  EXPECT_TRUE(FailedWith(call(store, instance, "dispatch", {Value::from_i32(3)}), ErrorKind::kTrap,
                         "undefined element"));
}

TEST_P(Execution, StartFunctionTrapFailsInstantiation) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  uint32_t f = b.func(t, cat(op::kUnreachable));
  b.start(f);
  Store store(config());
  auto instance = store.instantiate(load(b, config()), {});
  EXPECT_TRUE(FailedWith(instance, ErrorKind::kTrap, "unreachable"));
}

TEST_P(Execution, InterruptStopsALoop) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  uint32_t spin = b.func(t, cat(op::kLoop, op::kBlockEmpty, br(0), op::kEnd));
  b.export_("spin", ExternKind::kFunc, spin);
  Store store(config());
  Instance* instance = instantiate(store, b);
  ASSERT_TRUE(instance);
  std::thread interrupter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    store.interrupt();
  });
  auto r = call(store, instance, "spin");
  interrupter.join();
  EXPECT_TRUE(FailedWith(r, ErrorKind::kTrap, "interrupted"));
  EXPECT_EQ(store.last_trap().code, vm::TrapCode::kInterrupted);
}

TEST_P(Execution, RefFuncOfADeclaredFunction) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  uint32_t tr = b.type({}, {ValType::kFuncRef});
  uint32_t f = b.func(t, {});
  uint32_t g = b.func(tr, ref_func(f));
  b.elem_declarative({f});
  b.export_("f", ExternKind::kFunc, f);
  b.export_("g", ExternKind::kFunc, g);
  Store store(config());
  Instance* instance = instantiate(store, b);
  ASSERT_TRUE(instance);
  auto r = call(store, instance, "g");
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ((*r)[0].ref, instance->get_export("f")->handle);
}

INSTANTIATE_TEST_SUITE_P(Modes, Execution,
                         ::testing::Values(CompileMode::kLazy, CompileMode::kEager),
                         [](const auto& info) {
                           return info.param == CompileMode::kLazy ? "Lazy" : "Eager";
                         });

TEST(LazyCompile, ConcurrentFirstCallsCompileOnce) {
  WasmBuilder b;
  uint32_t t = b.type({ValType::kI32}, {ValType::kI32});
  uint32_t f = b.func(t, cat(local_get(0), i32_const(1), op::kI32Add));
  b.export_("f", ExternKind::kFunc, f);
  auto module = load(b);
  ASSERT_TRUE(module);
  auto* impl = static_cast<runtime::ModuleImpl*>(module.get());
  EXPECT_EQ(impl->code(f), nullptr);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      Store store(test_config());
      auto instance = store.instantiate(module, {});
      if (!instance) return;
      Value arg[] = {Value::from_i32(41)};
      auto r = store.call(*(*instance)->get_export("f"), arg);
      if (r && (*r)[0].i32 == 42) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 4);
  const void* code = impl->code(f);
  EXPECT_NE(code, nullptr);
  // A new instance calls through the module's slot, which holds the compiled code.
  Store store(test_config());
  auto instance = store.instantiate(module, {});
  ASSERT_TRUE(instance.ok());
  auto* ref = static_cast<vm::VMFuncRef*>((*instance)->get_export("f")->handle);
  EXPECT_EQ(ref->code, impl->code_slot(f));
  EXPECT_EQ(ref->code->load(), code);
}

// One store into a module's code slot is what every caller, in every instance, runs next: direct
// calls inside the module, calls through a table, and calls from the host.
TEST(CodeSlots, OneStorePublishesToEveryInstance) {
  WasmBuilder b;
  uint32_t t = b.type({}, {ValType::kI32});
  uint32_t ti = b.type({ValType::kI32}, {ValType::kI32});
  uint32_t one = b.func(t, i32_const(1));
  uint32_t two = b.func(t, i32_const(2));
  uint32_t direct = b.func(t, test::call(one));
  uint32_t indirect = b.func(ti, cat(local_get(0), op::kCallIndirect, u32(t), u32(0)));
  b.table(ValType::kFuncRef, 1);
  b.elem_active(expr(i32_const(0)), {one});
  b.export_("direct", ExternKind::kFunc, direct);
  b.export_("indirect", ExternKind::kFunc, indirect);
  b.export_("one", ExternKind::kFunc, one);
  auto module = load(b);
  ASSERT_TRUE(module);
  auto* impl = static_cast<runtime::ModuleImpl*>(module.get());
  Store store(test_config());
  auto a = store.instantiate(module, {});
  auto c = store.instantiate(module, {});
  ASSERT_TRUE(a.ok() && c.ok());
  auto call = [&](Instance* inst, const char* name) {
    std::vector<Value> args;
    if (std::string_view(name) == "indirect") args.push_back(Value::from_i32(0));
    auto r = store.call(*inst->get_export(name), args);
    return r && r->size() == 1 ? (*r)[0].i32 : -1;
  };
  for (Instance* inst : {*a, *c})
    for (const char* name : {"direct", "indirect", "one"}) EXPECT_EQ(call(inst, name), 1) << name;
  const void* two_code = impl->compile(two);
  ASSERT_NE(two_code, nullptr);
  impl->code_slot(one)->store(two_code, std::memory_order_release);
  for (Instance* inst : {*a, *c})
    for (const char* name : {"direct", "indirect", "one"}) EXPECT_EQ(call(inst, name), 2) << name;
}

TEST(PerfMap, NamesInstalledFunctions) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  uint32_t f = b.func(t, {});
  b.custom("name", names("perfmod", {{f, "hot"}}));
  EngineConfig config = test_config();
  config.compile_mode = CompileMode::kEager;
  config.perfmap = true;
  ASSERT_TRUE(load(b, config));
  std::ifstream map("/tmp/perf-" + std::to_string(getpid()) + ".map");
  std::string line, all;
  while (std::getline(map, line)) all += line + "\n";
  EXPECT_NE(all.find(" wasm[perfmod]::$hot\n"), std::string::npos) << all;
  EXPECT_NE(all.find(" keel::stub::entry\n"), std::string::npos) << all;
}

}  // namespace
}  // namespace keel::test

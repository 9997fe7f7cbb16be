#include <gtest/gtest.h>

#include "runtime/store_impl.h"
#include "runtime_test_util.h"

namespace keel::test {
namespace {

TEST(HostFunction, CalledDirectlyFromTheHost) {
  Store store(test_config());
  auto add = store.host_function(func_type({ValType::kI32, ValType::kI32}, {ValType::kI32}),
                                 [](HostCall& call) {
                                   call.results[0].i32 = call.args[0].i32 + call.args[1].i32;
                                   return vm::TrapCode::kNone;
                                 });
  Value args[] = {Value::from_i32(2), Value::from_i32(40)};
  auto results = store.call(add, args);
  ASSERT_TRUE(Succeeded(results));
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].type, ValType::kI32);
  EXPECT_EQ((*results)[0].i32, 42u);
}

TEST(HostFunction, ArgumentsAreChecked) {
  Store store(test_config());
  auto f = store.host_function(func_type({ValType::kI64}, {}),
                               [](HostCall&) { return vm::TrapCode::kNone; });
  Value wrong[] = {Value::from_i32(1)};
  EXPECT_TRUE(FailedWith(store.call(f, wrong), ErrorKind::kUsage, "argument 0 has type i32"));
  EXPECT_TRUE(FailedWith(store.call(f, {}), ErrorKind::kUsage, "expected 1 arguments"));
}

TEST(HostFunction, ErrorsAndExitBecomeTraps) {
  Store store(test_config());
  auto fail = store.host_function(func_type({}, {}), [](HostCall& call) {
    call.message = "disk on fire";
    return vm::TrapCode::kHostError;
  });
  EXPECT_TRUE(FailedWith(store.call(fail, {}), ErrorKind::kTrap, "disk on fire"));
  EXPECT_EQ(store.last_trap().code, vm::TrapCode::kHostError);
  auto exit = store.host_function(func_type({}, {}), [](HostCall& call) {
    call.exit_status = 3;
    return vm::TrapCode::kExit;
  });
  EXPECT_FALSE(store.call(exit, {}).ok());
  EXPECT_EQ(store.last_trap().code, vm::TrapCode::kExit);
  EXPECT_EQ(store.last_trap().exit_status, 3);
  EXPECT_EQ(store.last_trap().to_string(), "exit with status 3");
}

// The callback compiled code reaches through the host thunk: values in the argument area.
TEST(HostFunction, CallbackUnpacksAndPacksTheArea) {
  Store store(test_config());
  auto f = store.host_function(
      func_type({ValType::kI32, ValType::kF64, ValType::kV128}, {ValType::kI64, ValType::kF32}),
      [](HostCall& call) {
        EXPECT_EQ(call.args[0].i32, 7u);
        EXPECT_EQ(call.args[1].f64_bits, 0x4000000000000000ull);
        EXPECT_EQ(call.args[2].v128[15], 0xee);
        EXPECT_EQ(call.caller_memory, nullptr);
        call.results[0].i64 = 1ull << 50;
        call.results[1].f32_bits = 0x3f800000u;
        return vm::TrapCode::kNone;
      });
  auto* ref = static_cast<vm::VMFuncRef*>(f.handle);
  auto* host = static_cast<vm::VMHostFunc*>(ref->ctx);
  uint64_t area[4] = {0xdeadbeef00000007ull, 0x4000000000000000ull, 0, 0xee00000000000000ull};
  EXPECT_EQ(host->callback(host, nullptr, area), vm::TrapCode::kNone);
  EXPECT_EQ(area[0], 1ull << 50);
  EXPECT_EQ(static_cast<uint32_t>(area[1]), 0x3f800000u);
  EXPECT_EQ(runtime::as_host_function(ref)->type.params.size(), 3u);
}

}  // namespace
}  // namespace keel::test

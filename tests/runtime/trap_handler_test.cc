// The signal handler and keel_rt_trap without the compiler: a few hand-assembled bytes in code
// memory stand in for a wasm function that loads from its memory.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "platform/code_memory.h"
#include "platform/trap_handler.h"
#include "runtime/code_registry.h"
#include "runtime/store_impl.h"
#include "runtime_test_util.h"
#include "support/fault_status.h"

namespace keel::test {
namespace {

using LoadFn = uint32_t (*)(void* ctx, const void* address);

// push rbp; mov rbp, rsp; mov eax, [rsi]; pop rbp; ret
constexpr uint8_t kLoadCode[] = {0x55, 0x48, 0x89, 0xe5, 0x8b, 0x06, 0x5d, 0xc3};
constexpr uint32_t kLoadOffset = 4;  // of the faulting instruction

struct TrapHandlerTest : ::testing::Test {
  void SetUp() override {
    platform::install_trap_handler(reinterpret_cast<platform::TrapEntry>(&keel_rt_trap),
                                   &runtime::trap_site_code);
    platform::ensure_alt_signal_stack();
    auto installed = platform::CodeMemory::global().install(kLoadCode);
    ASSERT_TRUE(installed.ok());
    fn = reinterpret_cast<LoadFn>(const_cast<uint8_t*>(*installed));
    WasmBuilder b;
    b.func(b.type({}, {}), {});
    module = load(b);
    auto begin = reinterpret_cast<uintptr_t>(*installed);
    runtime::CodeRegistry::global().add(
        {begin, begin + sizeof kLoadCode, &module->module(), 0, source_map, trap_sites});
    MemoryType type;
    type.limits.min = 1;
    auto m = runtime::LinearMemory::create(type, uint64_t{4} << 30);
    ASSERT_TRUE(m.ok());
    memory = std::move(m.value());
  }
  void TearDown() override { runtime::CodeRegistry::global().remove_module(&module->module()); }

  LoadFn fn = nullptr;
  std::shared_ptr<LoadedModule> module;
  std::vector<runtime::SourceMapEntry> source_map{{0, 0x10}, {kLoadOffset, 0x2a}};
  std::vector<runtime::TrapSite> trap_sites{{kLoadOffset, 2, vm::TrapCode::kMemoryOutOfBounds}};
  std::unique_ptr<runtime::LinearMemory> memory;
};

TEST_F(TrapHandlerTest, GuardFaultInGeneratedCodeBecomesATrap) {
  uint8_t* base = memory->vm()->base;
  base[8] = 5;
  EXPECT_EQ(fn(nullptr, base + 8), 5u);

  runtime::Activation activation;
  activation.prev = runtime::Activation::current();
  runtime::Activation::set_current(&activation);
  volatile bool trapped = false;
  if (sigsetjmp(activation.landing, 0) == 0) {
    fn(nullptr, base + kPageSize + 100);
  } else {
    trapped = true;
  }
  runtime::Activation::set_current(activation.prev);
  ASSERT_TRUE(trapped);
  const TrapInfo& trap = activation.trap;
  EXPECT_EQ(trap.code, vm::TrapCode::kMemoryOutOfBounds);
  EXPECT_EQ(trap.message, "out of bounds memory access");
  ASSERT_EQ(trap.backtrace.size(), 1u);
  EXPECT_EQ(trap.backtrace[0].func_index, 0u);
  EXPECT_EQ(trap.backtrace[0].func_name, "#0");
  EXPECT_EQ(trap.backtrace[0].module_offset, 0x2au);
  EXPECT_EQ(
      trap.to_string(),
      "wasm trap: out of bounds memory access\nwasm backtrace:\n    0:   0x2a - <unknown>!#0");

  // The handler keeps working after a trap (it returned normally; nothing is left blocked).
  runtime::Activation again;
  runtime::Activation::set_current(&again);
  trapped = false;
  if (sigsetjmp(again.landing, 0) == 0) {
    fn(nullptr, base + (uint64_t{8} << 30));
  } else {
    trapped = true;
  }
  runtime::Activation::set_current(nullptr);
  EXPECT_TRUE(trapped);
}

TEST_F(TrapHandlerTest, OtherFaultsAreNotTraps) {
  for (int which = 0; which < 3; ++which) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (which == 0) fn(nullptr, reinterpret_cast<void*>(16));  // JIT code, not a wasm memory
      if (which == 1) {
        // A guard-region address from JIT code, but not at an instruction the code said may
        // fault: a compiler bug, which must crash rather than pass for a wasm trap.
        auto& registry = runtime::CodeRegistry::global();
        registry.remove_module(&module->module());
        auto begin = reinterpret_cast<uintptr_t>(fn);
        registry.add({begin, begin + sizeof kLoadCode, &module->module(), 0, source_map, {}});
        fn(nullptr, memory->vm()->base + kPageSize + 100);
      }
      *static_cast<volatile uint8_t*>(memory->vm()->base + kPageSize) = 1;  // memory, not JIT
      _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(test::died_of_segv(status)) << which << ": " << status;
  }
}

}  // namespace
}  // namespace keel::test

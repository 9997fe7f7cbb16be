#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "platform/virtual_memory.h"
#include "runtime/linear_memory.h"
#include "support/fault_status.h"

namespace keel::runtime {
namespace {

MemoryType memory_type(uint64_t min, std::optional<uint64_t> max = std::nullopt) {
  MemoryType t;
  t.limits.min = min;
  t.limits.max = max;
  return t;
}

TEST(LinearMemory, ReservesTheWholeRangeAndGrowsInPlace) {
  auto memory = LinearMemory::create(memory_type(1, 4), uint64_t{4} << 30);
  ASSERT_TRUE(memory.ok());
  LinearMemory& m = **memory;
  uint8_t* base = m.vm()->base;
  EXPECT_EQ(m.size_bytes(), kPageSize);
  base[kPageSize - 1] = 1;
  auto begin = reinterpret_cast<uintptr_t>(base);
  EXPECT_TRUE(platform::reservations::contains(begin));
  EXPECT_TRUE(platform::reservations::contains(begin + (uint64_t{8} << 30)));
  EXPECT_EQ(m.grow(2), 1);
  EXPECT_EQ(m.vm()->base, base);  // never moves
  EXPECT_EQ(m.pages(), 3u);
  base[3 * kPageSize - 1] = 2;
  EXPECT_EQ(base[kPageSize - 1], 1);
  EXPECT_EQ(m.grow(0), 3);
  EXPECT_EQ(m.grow(2), -1);  // beyond the maximum
  EXPECT_EQ(m.grow(1), 3);
  EXPECT_EQ(m.grow(1), -1);
  EXPECT_EQ(m.current_type().limits.min, 4u);
}

TEST(LinearMemory, NewPagesAreZero) {
  auto memory = LinearMemory::create(memory_type(0), uint64_t{4} << 30);
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ((*memory)->grow(1), 0);
  for (uint64_t i = 0; i < kPageSize; i += 997) EXPECT_EQ((*memory)->vm()->base[i], 0);
}

TEST(LinearMemory, GrowStopsAtTheEngineLimitAnd4GiB) {
  auto limited = LinearMemory::create(memory_type(1), 2 * kPageSize);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ((*limited)->grow(1), 1);
  EXPECT_EQ((*limited)->grow(1), -1);
  EXPECT_FALSE(LinearMemory::create(memory_type(3), 2 * kPageSize).ok());

  auto unlimited = LinearMemory::create(memory_type(0), uint64_t{16} << 30);
  ASSERT_TRUE(unlimited.ok());
  EXPECT_EQ((*unlimited)->grow(65537), -1);
  EXPECT_EQ((*unlimited)->grow(0xffffffffu), -1);
}

TEST(LinearMemory, UnregistersItsReservation) {
  uintptr_t begin;
  {
    auto memory = LinearMemory::create(memory_type(1), uint64_t{4} << 30);
    ASSERT_TRUE(memory.ok());
    begin = reinterpret_cast<uintptr_t>((*memory)->vm()->base);
    EXPECT_TRUE(platform::reservations::contains(begin + 100));
  }
  EXPECT_FALSE(platform::reservations::contains(begin + 100));
}

// An access past the accessible size faults; without generated code at the PC the process dies
// of it (the handler only turns faults in JIT code into traps).
TEST(LinearMemory, AccessBeyondSizeFaults) {
  auto memory = LinearMemory::create(memory_type(1), uint64_t{4} << 30);
  ASSERT_TRUE(memory.ok());
  volatile uint8_t* base = (*memory)->vm()->base;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    base[kPageSize - 1] = 1;  // fine
    base[kPageSize] = 1;      // guard
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(test::died_of_segv(status)) << status;
}

}  // namespace
}  // namespace keel::runtime

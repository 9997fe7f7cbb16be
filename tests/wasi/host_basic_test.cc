// args/environ layout, clocks, random, fd_write/fd_read through stdio pipes, proc_exit,
// EFAULT marshalling, and exit_status_for.
#include <fcntl.h>
#include <time.h>

#include "host_test_util.h"

namespace keel::test {
namespace {

using wasi::Errno;

TEST(WasiHostArgs, SizesAndLayout) {
  wasi::WasiConfig config;
  config.args = {"prog", "", "hello world"};
  config.env = {"A=1", "EMPTY="};
  WasiGuest g(config);
  EXPECT_EQ(g.call("args_sizes_get", {100, 104}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(100), 3u);
  EXPECT_EQ(g.load<uint32_t>(104), 5u + 1u + 12u);
  EXPECT_EQ(g.call("args_get", {200, 300}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(200), 300u);
  EXPECT_EQ(g.load<uint32_t>(204), 305u);
  EXPECT_EQ(g.load<uint32_t>(208), 306u);
  EXPECT_EQ(g.get(300, 18), std::string("prog\0\0hello world\0", 18));

  EXPECT_EQ(g.call("environ_sizes_get", {100, 104}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(100), 2u);
  EXPECT_EQ(g.load<uint32_t>(104), 4u + 7u);
  EXPECT_EQ(g.call("environ_get", {400, 500}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(404), 504u);
  EXPECT_EQ(g.get(500, 11), std::string("A=1\0EMPTY=\0", 11));
}

TEST(WasiHostArgs, OutOfBoundsIsEfaultAndWritesNothing) {
  wasi::WasiConfig config;
  config.args = {"prog", "x"};
  WasiGuest g(config);
  uint32_t end = static_cast<uint32_t>(g.mem_size());
  EXPECT_EQ(g.call("args_sizes_get", {end - 2, 0}), Errno::kFault);
  EXPECT_EQ(g.call("args_get", {end - 4, 0}), Errno::kFault);  // 8 bytes of pointers needed
  EXPECT_EQ(g.load<uint32_t>(0), 0u);
  EXPECT_EQ(g.call("args_get", {0, end - 6}), Errno::kFault);  // "prog\0x\0" is 7 bytes
  EXPECT_EQ(g.call("args_get", {0xfffffff0u, 0}), Errno::kFault);
}

TEST(WasiHostClocks, TimesAndResolutions) {
  WasiGuest g({});
  for (uint32_t id = 0; id < 4; ++id) {
    EXPECT_EQ(g.call("clock_res_get", {id, 8}), Errno::kSuccess) << id;
    struct timespec res;
    clockid_t host[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                        CLOCK_THREAD_CPUTIME_ID};
    clock_getres(host[id], &res);
    EXPECT_EQ(g.load<uint64_t>(8), uint64_t(res.tv_sec) * 1000000000ull + res.tv_nsec);
    EXPECT_EQ(g.call("clock_time_get", {id, WasiGuest::Arg::i64(1), 16}), Errno::kSuccess);
  }
  EXPECT_EQ(g.call("clock_time_get", {1u, WasiGuest::Arg::i64(0), 16}), Errno::kSuccess);
  uint64_t a = g.load<uint64_t>(16);
  EXPECT_EQ(g.call("clock_time_get", {1u, WasiGuest::Arg::i64(0), 16}), Errno::kSuccess);
  EXPECT_GE(g.load<uint64_t>(16), a);
  EXPECT_EQ(g.call("clock_time_get", {0u, WasiGuest::Arg::i64(0), 16}), Errno::kSuccess);
  EXPECT_GT(g.load<uint64_t>(16), 1600000000ull * 1000000000ull);
  EXPECT_EQ(g.call("clock_time_get", {4u, WasiGuest::Arg::i64(0), 16}), Errno::kInval);
  EXPECT_EQ(g.call("clock_res_get", {9u, 16}), Errno::kInval);
  EXPECT_EQ(g.call("clock_time_get", {0u, WasiGuest::Arg::i64(0), 65535}), Errno::kFault);
}

TEST(WasiHostRandom, FillsAndChecksBounds) {
  WasiGuest g({});
  EXPECT_EQ(g.call("random_get", {64, 64}), Errno::kSuccess);
  int nonzero = 0;
  for (int i = 0; i < 64; ++i) nonzero += g.mem()[64 + i] != 0;
  EXPECT_GT(nonzero, 32);
  EXPECT_EQ(g.call("random_get", {65530, 7}), Errno::kFault);
  EXPECT_EQ(g.call("random_get", {65536, 0}), Errno::kSuccess);
}

TEST(WasiHostStdio, WriteAndReadThroughPipes) {
  Pipe in, out;
  wasi::WasiConfig config;
  config.stdin_fd = in.read;
  config.stdout_fd = out.write;
  WasiGuest g(config);
  g.put(100, "hello, ");
  g.put(200, "world\n");
  g.iovec(0, 100, 7);
  g.iovec(8, 200, 6);
  EXPECT_EQ(g.call("fd_write", {1, 0, 2, 16}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(16), 13u);
  char buf[32] = {};
  EXPECT_EQ(read(out.read, buf, sizeof buf), 13);
  EXPECT_STREQ(buf, "hello, world\n");

  ASSERT_EQ(write(in.write, "abcdef", 6), 6);
  g.iovec(0, 300, 4);
  g.iovec(8, 400, 10);
  EXPECT_EQ(g.call("fd_read", {0, 0, 2, 16}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(16), 6u);
  EXPECT_EQ(g.get(300, 4), "abcd");
  EXPECT_EQ(g.get(400, 2), "ef");
}

TEST(WasiHostStdio, IovecsAreCheckedBeforeAnyIo) {
  Pipe out;
  wasi::WasiConfig config;
  config.stdout_fd = out.write;
  WasiGuest g(config);
  uint32_t end = static_cast<uint32_t>(g.mem_size());
  g.iovec(0, 100, 4);
  g.iovec(8, end - 2, 4);  // second buffer runs off the end
  EXPECT_EQ(g.call("fd_write", {1, 0, 2, 16}), Errno::kFault);
  g.iovec(8, 0xffffffffu, 0xffffffffu);  // pointer + length overflows 32 bits
  EXPECT_EQ(g.call("fd_write", {1, 0, 2, 16}), Errno::kFault);
  EXPECT_EQ(g.call("fd_write", {1, end - 4, 1, 16}), Errno::kFault);  // the array itself
  EXPECT_EQ(g.call("fd_write", {1, 0x20000000u, 0x20000000u, 16}), Errno::kFault);
  g.iovec(8, 100, 4);
  EXPECT_EQ(g.call("fd_write", {1, 0, 2, end}), Errno::kFault);  // nwritten out of bounds
  fcntl(out.read, F_SETFL, O_NONBLOCK);
  char buf[8];
  EXPECT_EQ(read(out.read, buf, sizeof buf), -1);  // nothing was written
  EXPECT_EQ(g.call("fd_write", {7, 0, 2, 16}), Errno::kBadf);
}

TEST(WasiHostStdio, TerminalOrNotIsReportedTruthfully) {
  Pipe p;
  int tty = open("/dev/null", O_RDWR);  // a character device, as a terminal is
  wasi::WasiConfig config;
  config.stdin_fd = p.read;
  config.stdout_fd = tty;
  WasiGuest g(config);
  EXPECT_EQ(g.call("fd_fdstat_get", {1, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint8_t>(0), uint8_t(wasi::Filetype::kCharacterDevice));
  uint64_t base = g.load<uint64_t>(8);
  EXPECT_EQ(base & (wasi::rights::kFdSeek | wasi::rights::kFdTell), 0u);  // isatty()
  EXPECT_NE(base & wasi::rights::kFdWrite, 0u);
  EXPECT_EQ(g.call("fd_fdstat_get", {0, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint8_t>(0), uint8_t(wasi::Filetype::kUnknown));  // a pipe
  EXPECT_EQ(g.call("fd_seek", {0, WasiGuest::Arg::i64(0), 1, 0}), Errno::kNotcapable);
  close(tty);
}

TEST(WasiHostProc, ExitTrapsWithStatus) {
  WasiGuest g({});
  auto r = g.call_raw("proc_exit", {7});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(g.store().last_trap().code, vm::TrapCode::kExit);
  EXPECT_EQ(g.store().last_trap().exit_status, 7);
  EXPECT_EQ(g.call("proc_raise", {2}), Errno::kNotsup);
  EXPECT_EQ(g.call("sched_yield", {}), Errno::kSuccess);
}

TEST(WasiHostProc, ExitStatusFor) {
  EXPECT_EQ(wasi::exit_status_for(0), 0);
  EXPECT_EQ(wasi::exit_status_for(125), 125);
  EXPECT_EQ(wasi::exit_status_for(126), 1);
  EXPECT_EQ(wasi::exit_status_for(-1), 1);
}

TEST(WasiHostPreview0, ExitAndWriteUnderWasiUnstable) {
  Pipe out;
  wasi::WasiConfig config;
  config.stdout_fd = out.write;
  WasiGuest g(config, wasi::Flavor::kPreview0);
  g.put(100, "hi");
  g.iovec(0, 100, 2);
  EXPECT_EQ(g.call("fd_write", {1, 0, 1, 16}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(16), 2u);
  EXPECT_FALSE(g.call_raw("proc_exit", {3}).ok());
  EXPECT_EQ(g.store().last_trap().exit_status, 3);
}

}  // namespace
}  // namespace keel::test

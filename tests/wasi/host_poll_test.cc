// poll_oneoff with clocks (relative, absolute, both flavours' layouts) and fd readiness on pipes
// and files; sockets accepted from a lent listening socket; the strace-like trace log.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <fstream>

#include "host_test_util.h"
#include "wasi/logging.h"

namespace keel::test {
namespace {

using wasi::Errno;
using A = WasiGuest::Arg;

constexpr uint32_t kIn = 1024, kOut = 4096, kN = 16;

uint64_t now_ns(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

// A preview1 subscription (48 bytes) at index i.
void clock_sub(WasiGuest& g, uint32_t i, uint64_t userdata, uint32_t id, uint64_t timeout,
               uint16_t flags = 0) {
  uint32_t at = kIn + i * 48;
  std::memset(g.mem() + at, 0, 48);
  g.store<uint64_t>(at, userdata);
  g.store<uint8_t>(at + 8, 0);
  g.store<uint32_t>(at + 16, id);
  g.store<uint64_t>(at + 24, timeout);
  g.store<uint16_t>(at + 40, flags);
}
void fd_sub(WasiGuest& g, uint32_t i, uint64_t userdata, uint8_t type, uint32_t fd) {
  uint32_t at = kIn + i * 48;
  std::memset(g.mem() + at, 0, 48);
  g.store<uint64_t>(at, userdata);
  g.store<uint8_t>(at + 8, type);
  g.store<uint32_t>(at + 16, fd);
}

TEST(WasiHostPoll, RelativeClockSleeps) {
  WasiGuest g({});
  clock_sub(g, 0, 42, 1, 20'000'000);
  uint64_t start = now_ns(CLOCK_MONOTONIC);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 1, kN}), Errno::kSuccess);
  EXPECT_GE(now_ns(CLOCK_MONOTONIC) - start, 20'000'000u);
  EXPECT_EQ(g.load<uint32_t>(kN), 1u);
  EXPECT_EQ(g.load<uint64_t>(kOut), 42u);
  EXPECT_EQ(g.load<uint16_t>(kOut + 8), 0);
  EXPECT_EQ(g.load<uint8_t>(kOut + 10), 0);
}

TEST(WasiHostPoll, AbsoluteClocks) {
  WasiGuest g({});
  clock_sub(g, 0, 1, 0, now_ns(CLOCK_REALTIME) - 1'000'000'000, wasi::kSubclockAbstime);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 1, kN}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(kN), 1u);
  uint64_t start = now_ns(CLOCK_MONOTONIC);
  clock_sub(g, 0, 2, 1, start + 15'000'000, wasi::kSubclockAbstime);
  clock_sub(g, 1, 3, 1, 10'000'000'000ull);  // a later relative one does not fire
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 2, kN}), Errno::kSuccess);
  EXPECT_GE(now_ns(CLOCK_MONOTONIC) - start, 15'000'000u);
  EXPECT_EQ(g.load<uint32_t>(kN), 1u);
  EXPECT_EQ(g.load<uint64_t>(kOut), 2u);
}

TEST(WasiHostPoll, PipeReadinessAndFiles) {
  Pipe in, out;
  TempDir dir;
  std::ofstream(dir.path + "/f") << "12345";
  wasi::WasiConfig config;
  config.stdin_fd = in.read;
  config.stdout_fd = out.write;
  config.dirs.push_back({dir.path, "/d", false});
  WasiGuest g(config);
  // Nothing to read yet: the clock fires first.
  fd_sub(g, 0, 10, 1, 0);
  clock_sub(g, 1, 11, 1, 5'000'000);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 2, kN}), Errno::kSuccess);
  ASSERT_EQ(g.load<uint32_t>(kN), 1u);
  EXPECT_EQ(g.load<uint64_t>(kOut), 11u);
  // Data waiting, and stdout writable: both reported, the long clock not.
  ASSERT_EQ(write(in.write, "abc", 3), 3);
  fd_sub(g, 0, 20, 1, 0);
  fd_sub(g, 1, 21, 2, 1);
  clock_sub(g, 2, 22, 1, 10'000'000'000ull);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 3, kN}), Errno::kSuccess);
  ASSERT_EQ(g.load<uint32_t>(kN), 2u);
  EXPECT_EQ(g.load<uint64_t>(kOut), 20u);
  EXPECT_EQ(g.load<uint8_t>(kOut + 10), 1);
  EXPECT_EQ(g.load<uint64_t>(kOut + 16), 3u);  // nbytes
  EXPECT_EQ(g.load<uint64_t>(kOut + 32), 21u);
  EXPECT_EQ(g.load<uint8_t>(kOut + 32 + 10), 2);
  // The writer hangs up.
  close(in.write);
  in.write = -1;
  char buf[3];
  ASSERT_EQ(read(in.read, buf, 3), 3);
  fd_sub(g, 0, 30, 1, 0);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 1, kN}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint16_t>(kOut + 24), wasi::kEventFdReadwriteHangup);
  // A regular file is always ready; a bad fd is an event error, not a call error.
  g.put(200, "f");
  ASSERT_EQ(g.call("path_open", {3u, 0u, 200u, 1u, 0u, A::i64(~0ull), A::i64(0), 0u, 300u}),
            Errno::kSuccess);
  fd_sub(g, 0, 40, 1, g.load<uint32_t>(300));
  fd_sub(g, 1, 41, 1, 99);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 2, kN}), Errno::kSuccess);
  ASSERT_EQ(g.load<uint32_t>(kN), 2u);
  EXPECT_EQ(g.load<uint64_t>(kOut + 16), 5u);
  EXPECT_EQ(g.load<uint16_t>(kOut + 32 + 8), uint16_t(Errno::kBadf));
}

TEST(WasiHostPoll, BadArguments) {
  WasiGuest g({});
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 0, kN}), Errno::kInval);
  EXPECT_EQ(g.call("poll_oneoff", {65536 - 40, kOut, 1, kN}), Errno::kFault);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, 65536 - 16, 1, kN}), Errno::kFault);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 0x10000000u, kN}), Errno::kFault);
  clock_sub(g, 0, 1, 9, 0);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 1, kN}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint16_t>(kOut + 8), uint16_t(Errno::kInval));
  g.store<uint8_t>(kIn + 8, 7);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 1, kN}), Errno::kInval);
}

TEST(WasiHostPoll, Preview0ClockLayout) {
  WasiGuest g({}, wasi::Flavor::kPreview0);
  // 56-byte subscription: identifier u64 @16, id @24, timeout @32, flags @48.
  std::memset(g.mem() + kIn, 0, 112);
  g.store<uint64_t>(kIn, 5);
  g.store<uint32_t>(kIn + 24, 1);
  g.store<uint64_t>(kIn + 32, 10'000'000'000ull);
  g.store<uint64_t>(kIn + 56, 6);
  g.store<uint32_t>(kIn + 56 + 24, 1);
  g.store<uint64_t>(kIn + 56 + 32, 1'000'000);
  EXPECT_EQ(g.call("poll_oneoff", {kIn, kOut, 2, kN}), Errno::kSuccess);
  ASSERT_EQ(g.load<uint32_t>(kN), 1u);
  EXPECT_EQ(g.load<uint64_t>(kOut), 6u);
}

TEST(WasiHostSockets, AcceptSendRecvShutdown) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  wasi::WasiConfig config;
  config.listen_fds = {listener};
  WasiGuest g(config);
  EXPECT_EQ(g.call("fd_fdstat_get", {3, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint8_t>(0), uint8_t(wasi::Filetype::kSocketStream));
  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(g.call("sock_accept", {3, 0, 8}), Errno::kSuccess);
  uint32_t conn = g.load<uint32_t>(8);
  EXPECT_EQ(conn, 4u);
  EXPECT_EQ(g.call("sock_accept", {3, 0x10, 8}), Errno::kInval);
  g.put(100, "ping");
  g.iovec(16, 100, 4);
  EXPECT_EQ(g.call("sock_send", {conn, 16, 1, 0, 24}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(24), 4u);
  char buf[8] = {};
  EXPECT_EQ(recv(client, buf, sizeof buf, 0), 4);
  EXPECT_STREQ(buf, "ping");
  ASSERT_EQ(send(client, "pong!", 5, 0), 5);
  g.iovec(16, 200, 4);
  EXPECT_EQ(g.call("sock_recv", {conn, 16, 1, wasi::kRiRecvPeek, 24, 28}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(24), 4u);
  g.iovec(16, 200, 16);
  EXPECT_EQ(g.call("sock_recv", {conn, 16, 1, 0, 24, 28}), Errno::kSuccess);
  EXPECT_EQ(g.get(200, 5), "pong!");
  EXPECT_EQ(g.call("sock_shutdown", {conn, 3}), Errno::kSuccess);
  EXPECT_EQ(recv(client, buf, sizeof buf, 0), 0);
  EXPECT_EQ(g.call("sock_shutdown", {conn, 0}), Errno::kInval);
  EXPECT_EQ(g.call("sock_accept", {conn, 0, 8}), Errno::kNotcapable);
  EXPECT_EQ(g.call("fd_close", {conn}), Errno::kSuccess);
  close(client);
  close(listener);
}

TEST(WasiHostLogging, TraceIsOffByDefaultAndFollowsKeelLog) {
  unsetenv("KEEL_LOG");
  wasi::configure_logging_from_env();
  EXPECT_EQ(wasi::logger()->level(), spdlog::level::off);
  setenv("KEEL_LOG", "debug", 1);  // calls are logged at trace: a bare "debug" leaves WASI quiet
  wasi::configure_logging_from_env();
  EXPECT_FALSE(wasi::logger()->should_log(spdlog::level::trace));
  setenv("KEEL_LOG", "keel=trace", 1);  // another logger's level
  wasi::configure_logging_from_env();
  EXPECT_EQ(wasi::logger()->level(), spdlog::level::off);
  setenv("KEEL_LOG", "info,wasi=trace", 1);
  wasi::configure_logging_from_env();
  EXPECT_EQ(wasi::logger()->level(), spdlog::level::trace);
  testing::internal::CaptureStderr();
  WasiGuest g({});
  g.call("clock_res_get", {9u, 0u});
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("clock_res_get(9, 0) = EINVAL"), std::string::npos) << log;
  unsetenv("KEEL_LOG");
  wasi::configure_logging_from_env();
}

}  // namespace
}  // namespace keel::test

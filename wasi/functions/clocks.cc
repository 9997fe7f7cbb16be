// clock_res_get, clock_time_get: the four WASI clocks are the host's POSIX clocks, with their
// true resolutions from clock_getres(2).
#include <time.h>

#include <cerrno>

#include "wasi/functions/clocks.h"
#include "wasi/host_context.h"

namespace keel::wasi {

std::optional<clockid_t> host_clock(uint32_t id) {
  switch (id) {
    case 0:
      return CLOCK_REALTIME;
    case 1:
      return CLOCK_MONOTONIC;
    case 2:
      return CLOCK_PROCESS_CPUTIME_ID;
    case 3:
      return CLOCK_THREAD_CPUTIME_ID;
    default:
      return std::nullopt;
  }
}

ErrnoOr<uint64_t> clock_now(uint32_t id) {
  auto clock = host_clock(id);
  if (!clock) return Errno::kInval;
  struct timespec ts;
  if (clock_gettime(*clock, &ts) != 0) return errno_from_host(errno);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

namespace {

Errno clock_res_get(WasiCall& call) {
  auto clock = host_clock(call.u32(0));
  if (!clock) return Errno::kInval;
  struct timespec ts;
  if (clock_getres(*clock, &ts) != 0) return errno_from_host(errno);
  uint64_t ns =
      static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  return call.mem.store<uint64_t>(call.u32(1), ns);
}

Errno clock_time_get(WasiCall& call) {
  auto now = clock_now(call.u32(0));  // the precision argument is advisory
  if (!now) return now.error();
  return call.mem.store<uint64_t>(call.u32(2), *now);
}

constexpr WasiFunctionInfo kFunctions[] = {
    {"clock_res_get", "ii", clock_res_get},
    {"clock_time_get", "iIi", clock_time_get},
};

}  // namespace

std::span<const WasiFunctionInfo> clock_functions() {
  return kFunctions;
}

}  // namespace keel::wasi

// random_get: getrandom(2), looping over short reads and signals.
#include <sys/random.h>

#include <cerrno>

#include "wasi/host_context.h"

namespace keel::wasi {
namespace {

Errno random_get(WasiCall& call) {
  auto buf = call.mem.bytes(call.u32(0), call.u32(1));
  if (!buf) return buf.error();
  size_t done = 0;
  while (done < buf->size()) {
    ssize_t n = getrandom(buf->data() + done, buf->size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_from_host(errno);
    }
    done += static_cast<size_t>(n);
  }
  return Errno::kSuccess;
}

constexpr WasiFunctionInfo kFunctions[] = {
    {"random_get", "ii", random_get},
};

}  // namespace

std::span<const WasiFunctionInfo> random_functions() {
  return kFunctions;
}

}  // namespace keel::wasi

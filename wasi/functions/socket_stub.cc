#include "wasi/host_context.h"

namespace keel::wasi {
std::span<const WasiFunctionInfo> socket_functions() {
  return {};
}
}  // namespace keel::wasi

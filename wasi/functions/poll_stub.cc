#include "wasi/host_context.h"

namespace keel::wasi {
std::span<const WasiFunctionInfo> poll_functions() {
  return {};
}
}  // namespace keel::wasi

#include "wasi/abi/guest_memory.h"

#include <climits>

namespace keel::wasi {

ErrnoOr<std::vector<struct iovec>> GuestMemory::iovecs(uint32_t ptr, uint32_t count) const {
  if (!in_bounds(ptr, uint64_t{count} * 8)) return Errno::kFault;
  // readv(2) takes at most IOV_MAX buffers; more is EINVAL as a POSIX host reports it.
  if (count > IOV_MAX) return Errno::kInval;
  std::vector<struct iovec> out;
  out.reserve(count);
  uint64_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t buf, len;
    std::memcpy(&buf, base_ + ptr + i * 8ull, 4);
    std::memcpy(&len, base_ + ptr + i * 8ull + 4, 4);
    if (!in_bounds(buf, len)) return Errno::kFault;
    uint64_t room = UINT32_MAX - total;
    if (len > room) len = static_cast<uint32_t>(room);
    total += len;
    out.push_back({base_ + buf, len});
  }
  return out;
}

}  // namespace keel::wasi

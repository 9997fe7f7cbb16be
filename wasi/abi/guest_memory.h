// A bounds-checked view of the calling instance's linear memory. Every guest pointer and length
// is checked against the memory's size (in 64-bit arithmetic, so pointer + length cannot wrap)
// before the host touches a byte: a bad pointer is EFAULT for the guest, never a host fault.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "wasi/fs/errno.h"

namespace keel::wasi {

class GuestMemory {
 public:
  GuestMemory() = default;
  GuestMemory(uint8_t* base, uint64_t size) : base_(base), size_(size) {}

  uint64_t size() const { return size_; }
  bool in_bounds(uint64_t ptr, uint64_t len) const { return ptr <= size_ && len <= size_ - ptr; }

  ErrnoOr<std::span<uint8_t>> bytes(uint32_t ptr, uint64_t len) const {
    if (!in_bounds(ptr, len)) return Errno::kFault;
    return std::span<uint8_t>(base_ + ptr, len);
  }
  ErrnoOr<std::string_view> string(uint32_t ptr, uint32_t len) const {
    if (!in_bounds(ptr, len)) return Errno::kFault;
    return std::string_view(reinterpret_cast<const char*>(base_ + ptr), len);
  }

  // Little-endian scalars (wasm memory is little-endian, as is the host). No alignment is
  // required: wasm itself allows unaligned accesses.
  template <class T>
  requires std::is_integral_v<T> ErrnoOr<T> load(uint64_t ptr)
  const {
    if (!in_bounds(ptr, sizeof(T))) return Errno::kFault;
    T v;
    std::memcpy(&v, base_ + ptr, sizeof v);
    return v;
  }
  template <class T>
  requires std::is_integral_v<T> Errno store(uint64_t ptr, T v)
  const {
    if (!in_bounds(ptr, sizeof(T))) return Errno::kFault;
    std::memcpy(base_ + ptr, &v, sizeof v);
    return Errno::kSuccess;
  }
  // Copies host bytes into the guest.
  Errno copy_out(uint64_t ptr, const void* data, uint64_t len) const {
    if (!in_bounds(ptr, len)) return Errno::kFault;
    if (len) std::memcpy(base_ + ptr, data, len);
    return Errno::kSuccess;
  }

  // Reads an (c)iovec array of `count` {buf u32, buf_len u32} records and checks every buffer.
  // The total is capped below 2^32 bytes so the byte count returned to the guest (a u32) is exact.
  ErrnoOr<std::vector<struct iovec>> iovecs(uint32_t ptr, uint32_t count) const;

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace keel::wasi

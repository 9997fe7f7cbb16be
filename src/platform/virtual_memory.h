// Reserved address space with guard pages: a range is reserved PROT_NONE (no commit charge) and
// parts of it become read-write on demand. Linear memories live in one each, so a bounds check is
// the hardware's: an access past the accessible prefix faults in the guard region.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/result.h"

namespace keel::platform {

size_t page_size();

class GuardedRegion {
 public:
  // Reserves `bytes` (rounded up to pages) of inaccessible address space.
  static Result<GuardedRegion> reserve(size_t bytes);

  GuardedRegion() = default;
  GuardedRegion(GuardedRegion&& other) noexcept { *this = static_cast<GuardedRegion&&>(other); }
  GuardedRegion& operator=(GuardedRegion&& other) noexcept;
  GuardedRegion(const GuardedRegion&) = delete;
  GuardedRegion& operator=(const GuardedRegion&) = delete;
  ~GuardedRegion();

  uint8_t* base() const { return base_; }
  size_t size() const { return size_; }
  // Makes [0, bytes) read-write; only ever grows the accessible prefix.
  Status make_accessible(size_t bytes);
  size_t accessible() const { return accessible_; }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t accessible_ = 0;
};

// Live linear-memory reservations, readable from a signal handler: a fault whose address lies in
// one of them is a wasm out-of-bounds access (if the PC is also generated code).
namespace reservations {
// False when the fixed table is full (the caller then refuses to create the memory).
bool add(uintptr_t begin, uintptr_t end);
void remove(uintptr_t begin);
// Async-signal-safe.
bool contains(uintptr_t address);
}  // namespace reservations

}  // namespace keel::platform

#include "platform/virtual_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

namespace keel::platform {

size_t page_size() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

Result<GuardedRegion> GuardedRegion::reserve(size_t bytes) {
  size_t rounded = (bytes + page_size() - 1) & ~(page_size() - 1);
  void* p = mmap(nullptr, rounded, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return make_error(ErrorKind::kIo,
                      std::string("cannot reserve address space: ") + std::strerror(errno));
  GuardedRegion region;
  region.base_ = static_cast<uint8_t*>(p);
  region.size_ = rounded;
  return region;
}

GuardedRegion& GuardedRegion::operator=(GuardedRegion&& other) noexcept {
  if (this != &other) {
    if (base_) munmap(base_, size_);
    base_ = other.base_;
    size_ = other.size_;
    accessible_ = other.accessible_;
    other.base_ = nullptr;
    other.size_ = other.accessible_ = 0;
  }
  return *this;
}

GuardedRegion::~GuardedRegion() {
  if (base_) munmap(base_, size_);
}

Status GuardedRegion::make_accessible(size_t bytes) {
  size_t rounded = (bytes + page_size() - 1) & ~(page_size() - 1);
  if (rounded > size_) return make_error(ErrorKind::kIo, "beyond the reservation");
  if (rounded <= accessible_) return {};
  // Only the new pages change protection: pages already readable may be in use by running code.
  if (mprotect(base_ + accessible_, rounded - accessible_, PROT_READ | PROT_WRITE) != 0)
    return make_error(ErrorKind::kIo, std::string("mprotect: ") + std::strerror(errno));
  accessible_ = rounded;
  return {};
}

namespace reservations {
namespace {

// Each slot is free (begin 0), claimed (begin 1, being filled) or live. Signal handlers read
// without locks, so slots are plain atomics and never move.
constexpr size_t kSlots = 16384;  // 8 GiB each: more than the 47-bit address space holds
struct Slot {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
};
Slot g_slots[kSlots];
std::atomic<size_t> g_high_water{0};  // slots at or past it were never used

}  // namespace

bool add(uintptr_t begin, uintptr_t end) {
  for (size_t i = 0; i < kSlots; ++i) {
    uintptr_t expected = 0;
    if (g_slots[i].begin.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
      g_slots[i].end.store(end, std::memory_order_relaxed);
      g_slots[i].begin.store(begin, std::memory_order_release);
      size_t hw = g_high_water.load(std::memory_order_relaxed);
      while (hw < i + 1 &&
             !g_high_water.compare_exchange_weak(hw, i + 1, std::memory_order_release)) {
      }
      return true;
    }
  }
  return false;
}

void remove(uintptr_t begin) {
  size_t hw = g_high_water.load(std::memory_order_acquire);
  for (size_t i = 0; i < hw; ++i) {
    if (g_slots[i].begin.load(std::memory_order_acquire) == begin) {
      g_slots[i].begin.store(0, std::memory_order_release);
      return;
    }
  }
}

bool contains(uintptr_t address) {
  size_t hw = g_high_water.load(std::memory_order_acquire);
  for (size_t i = 0; i < hw; ++i) {
    uintptr_t b = g_slots[i].begin.load(std::memory_order_acquire);
    if (b > 1 && address >= b && address < g_slots[i].end.load(std::memory_order_relaxed))
      return true;
  }
  return false;
}

}  // namespace reservations
}  // namespace keel::platform

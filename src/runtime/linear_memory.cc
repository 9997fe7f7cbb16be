#include "runtime/linear_memory.h"

#include <algorithm>

namespace keel::runtime {

Result<std::unique_ptr<LinearMemory>> LinearMemory::create(const MemoryType& type,
                                                           uint64_t limit_bytes) {
  if (type.limits.is64) return make_error(ErrorKind::kUnlinkable, "memory64 is not supported");
  uint64_t max_pages = std::min<uint64_t>(type.limits.max.value_or(kMaxPages32), kMaxPages32);
  max_pages = std::min<uint64_t>(max_pages, limit_bytes / kPageSize);
  if (type.limits.min > max_pages) {
    return make_error(ErrorKind::kUnlinkable,
                      "memory of " + std::to_string(type.limits.min) +
                          " pages at start exceeds the memory size limit (" +
                          std::to_string(max_pages) + " pages)");
  }
  std::unique_ptr<LinearMemory> memory(new LinearMemory());
  auto region = platform::GuardedRegion::reserve(kReservationBytes);
  if (!region) return std::move(region).error();
  memory->region_ = std::move(region.value());
  uint64_t bytes = type.limits.min * kPageSize;
  KEEL_TRY(memory->region_.make_accessible(bytes));
  auto begin = reinterpret_cast<uintptr_t>(memory->region_.base());
  if (!platform::reservations::add(begin, begin + memory->region_.size()))
    return make_error(ErrorKind::kTrap, "too many linear memories");
  memory->type_ = type;
  memory->vm_.base = memory->region_.base();
  memory->vm_.size.store(bytes, std::memory_order_release);
  memory->vm_.max_size = max_pages * kPageSize;
  return memory;
}

LinearMemory::~LinearMemory() {
  if (region_.base()) platform::reservations::remove(reinterpret_cast<uintptr_t>(region_.base()));
}

MemoryType LinearMemory::current_type() const {
  MemoryType t = type_;
  t.limits.min = pages();
  return t;
}

int64_t LinearMemory::grow(uint64_t delta_pages) {
  uint64_t old_bytes = size_bytes();
  uint64_t old_pages = old_bytes / kPageSize;
  if (delta_pages > vm_.max_size / kPageSize - old_pages) return -1;
  uint64_t new_bytes = old_bytes + delta_pages * kPageSize;
  if (!region_.make_accessible(new_bytes)) return -1;
  vm_.size.store(new_bytes, std::memory_order_release);
  return static_cast<int64_t>(old_pages);
}

}  // namespace keel::runtime

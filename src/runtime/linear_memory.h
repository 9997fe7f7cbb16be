// A 32-bit linear memory: its whole addressable range plus a guard region is reserved up front,
// so it never moves (r15 stays valid across memory.grow) and compiled code needs no bounds checks
// (every access lands in the reservation; past `size` it faults).
#pragma once

#include <cstdint>
#include <memory>

#include "base/result.h"
#include "ir/types.h"
#include "platform/virtual_memory.h"
#include "runtime/vm_abi.h"

namespace keel::runtime {

class LinearMemory {
 public:
  // Any i32 address plus any u32 offset plus the widest access (16 bytes) stays inside.
  static constexpr uint64_t kReservationBytes = (uint64_t{8} << 30) + 2 * kPageSize;

  // `limit_bytes` is the engine's --max-memory-size; the type's minimum must fit under it.
  static Result<std::unique_ptr<LinearMemory>> create(const MemoryType& type, uint64_t limit_bytes);
  ~LinearMemory();

  static LinearMemory* from_vm(vm::VMMemory* memory) {
    return reinterpret_cast<LinearMemory*>(memory);  // vm_ is the first member
  }
  vm::VMMemory* vm() { return &vm_; }
  uint64_t size_bytes() const { return vm_.size.load(std::memory_order_acquire); }
  uint64_t pages() const { return size_bytes() / kPageSize; }
  // The type as an importer sees it now: min is the current size.
  MemoryType current_type() const;

  // memory.grow: the old size in pages, or -1 (beyond the maximum, or no memory to be had).
  int64_t grow(uint64_t delta_pages);

 private:
  LinearMemory() = default;

  vm::VMMemory vm_{};
  MemoryType type_;
  platform::GuardedRegion region_;
};

}  // namespace keel::runtime

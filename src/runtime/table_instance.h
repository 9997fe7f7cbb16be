// A table of references. Its element storage may move when it grows (VMTable::elements is
// reloaded by compiled code on every access).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "base/result.h"
#include "ir/types.h"
#include "runtime/vm_abi.h"

namespace keel::runtime {

class TableInstance {
 public:
  // Tables without a maximum still stop here, so a huge table.grow fails instead of exhausting
  // the host (wasmtime has a similar default limit).
  static constexpr uint32_t kMaxElements = 10'000'000;

  // `limit` (-W max-table-elements) caps the maximum too; a minimum above it is an instantiation
  // error (kUnlinkable), not a trap.
  static Result<std::unique_ptr<TableInstance>> create(const TableType& type, void* init,
                                                       uint64_t limit = kMaxElements);

  static TableInstance* from_vm(vm::VMTable* table) {
    return reinterpret_cast<TableInstance*>(table);  // vm_ is the first member
  }
  vm::VMTable* vm() { return &vm_; }
  uint32_t size() const { return vm_.size; }
  void** elements() { return vm_.elements; }
  TableType current_type() const;

  // table.grow: the old size, or -1.
  int64_t grow(uint32_t delta, void* init);

 private:
  TableInstance() = default;

  vm::VMTable vm_{};
  TableType type_;
  std::vector<void*> storage_;
};

}  // namespace keel::runtime

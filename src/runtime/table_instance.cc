#include "runtime/table_instance.h"

#include <algorithm>
#include <new>

namespace keel::runtime {

Result<std::unique_ptr<TableInstance>> TableInstance::create(const TableType& type, void* init,
                                                             uint64_t limit) {
  uint64_t max = std::min<uint64_t>(type.limits.max.value_or(UINT32_MAX),
                                    std::min<uint64_t>(kMaxElements, limit));
  if (type.limits.min > max) {
    return make_error(ErrorKind::kUnlinkable,
                      "table of " + std::to_string(type.limits.min) +
                          " elements at start exceeds the table size limit (" +
                          std::to_string(max) + " elements)");
  }
  std::unique_ptr<TableInstance> table(new TableInstance());
  table->type_ = type;
  table->storage_.assign(type.limits.min, init);
  table->vm_.elements = table->storage_.data();
  table->vm_.size = static_cast<uint32_t>(type.limits.min);
  table->vm_.max_size = static_cast<uint32_t>(max);
  table->vm_.element_type = type.element;
  return table;
}

TableType TableInstance::current_type() const {
  TableType t = type_;
  t.limits.min = vm_.size;
  return t;
}

int64_t TableInstance::grow(uint32_t delta, void* init) {
  uint32_t old = vm_.size;
  if (delta > vm_.max_size - old) return -1;
  try {
    storage_.resize(size_t{old} + delta, init);
  } catch (const std::bad_alloc&) {  // called from compiled code: no exception may escape
    return -1;
  }
  vm_.elements = storage_.data();
  vm_.size = old + delta;
  return old;
}

}  // namespace keel::runtime

// canonical_type_id: one process-wide table of signatures. Ids start at 1 so that a zeroed
// VMFuncRef never matches a real signature.
#include <mutex>
#include <string>
#include <unordered_map>

#include "runtime/vm_abi.h"

namespace keel::vm {

uint32_t canonical_type_id(const FuncType& type) {
  std::string key;
  key.reserve(type.params.size() + type.results.size() + 1);
  for (ValType t : type.params) key += static_cast<char>(t);
  key += '\x01';  // not a value type: separates params from results
  for (ValType t : type.results) key += static_cast<char>(t);
  static std::mutex mutex;
  static auto* ids = new std::unordered_map<std::string, uint32_t>();  // never destroyed
  std::lock_guard lock(mutex);
  auto [it, inserted] = ids->emplace(std::move(key), static_cast<uint32_t>(ids->size() + 1));
  return it->second;
}

}  // namespace keel::vm

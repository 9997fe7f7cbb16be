#include "runtime/code_registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <shared_mutex>

namespace keel::runtime {
namespace {

// Neither is ever destroyed: a module may be dropped by a tier-up worker while the process exits.
std::shared_mutex& registry_mutex() {
  static auto* mutex = new std::shared_mutex();
  return *mutex;
}
std::map<uintptr_t, CodeRange>& ranges() {
  static auto* map = new std::map<uintptr_t, CodeRange>();  // outlives static destructors
  return *map;
}

}  // namespace

CodeRegistry& CodeRegistry::global() {
  static CodeRegistry registry;
  return registry;
}

void CodeRegistry::add(const CodeRange& range) {
  std::unique_lock lock(registry_mutex());
  ranges()[range.begin] = range;
}

void CodeRegistry::remove_module(const Module* module) {
  std::unique_lock lock(registry_mutex());
  std::erase_if(ranges(), [&](const auto& entry) { return entry.second.module == module; });
}

std::optional<CodeLocation> CodeRegistry::lookup(uintptr_t pc) const {
  std::shared_lock lock(registry_mutex());
  auto& map = ranges();
  auto it = map.upper_bound(pc);
  if (it == map.begin()) return std::nullopt;
  --it;
  const CodeRange& range = it->second;
  if (pc >= range.end) return std::nullopt;
  CodeLocation location{range.module, range.func_index, std::nullopt};
  if (!range.source_map.empty()) {
    auto offset = static_cast<uint32_t>(pc - range.begin);
    const auto& sm = range.source_map;
    auto entry =
        std::upper_bound(sm.begin(), sm.end(), offset,
                         [](uint32_t o, const SourceMapEntry& e) { return o < e.code_offset; });
    if (entry != sm.begin()) location.module_offset = std::prev(entry)->module_offset;
  }
  return location;
}

vm::TrapCode CodeRegistry::trap_site(uintptr_t pc) const {
  std::shared_lock lock(registry_mutex());
  auto& map = ranges();
  auto it = map.upper_bound(pc);
  if (it == map.begin()) return vm::TrapCode::kNone;
  const CodeRange& range = std::prev(it)->second;
  if (pc >= range.end) return vm::TrapCode::kNone;
  auto offset = static_cast<uint32_t>(pc - range.begin);
  const auto& sites = range.trap_sites;
  auto site = std::upper_bound(sites.begin(), sites.end(), offset,
                               [](uint32_t o, const TrapSite& s) { return o < s.code_offset; });
  if (site == sites.begin()) return vm::TrapCode::kNone;
  --site;
  return offset - site->code_offset < site->length ? site->code : vm::TrapCode::kNone;
}

uint32_t trap_site_code(uintptr_t pc) {
  return static_cast<uint32_t>(CodeRegistry::global().trap_site(pc));
}

void perfmap_write(uintptr_t start, size_t size, const std::string& name) {
  static std::mutex mutex;
  static int fd = -1;
  std::lock_guard lock(mutex);
  if (fd < 0) {
    char path[64];
    std::snprintf(path, sizeof path, "/tmp/perf-%d.map", static_cast<int>(getpid()));
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;
  }
  std::string line(32 + name.size(), '\0');
  int n =
      std::snprintf(line.data(), line.size(), "%lx %zx ", static_cast<unsigned long>(start), size);
  line.resize(static_cast<size_t>(n));
  line += name;
  line += '\n';
  // One write per line: O_APPEND keeps lines whole even with several writers.
  ssize_t ignored = write(fd, line.data(), line.size());
  (void)ignored;
}

}  // namespace keel::runtime

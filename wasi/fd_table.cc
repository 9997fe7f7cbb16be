#include "wasi/fd_table.h"

namespace keel::wasi {

ErrnoOr<FdEntry*> FdTable::get(uint32_t fd, uint64_t needed) {
  if (fd >= entries_.size() || !entries_[fd]) return Errno::kBadf;
  FdEntry* e = entries_[fd].get();
  if ((e->rights_base & needed) != needed) return Errno::kNotcapable;
  return e;
}

ErrnoOr<uint32_t> FdTable::insert(std::unique_ptr<FdEntry> entry) {
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    if (!entries_[i]) {
      entries_[i] = std::move(entry);
      return i;
    }
  }
  if (entries_.size() >= kMaxFds) return Errno::kMfile;
  entries_.push_back(std::move(entry));
  return static_cast<uint32_t>(entries_.size() - 1);
}

Errno FdTable::close(uint32_t fd) {
  if (fd >= entries_.size() || !entries_[fd]) return Errno::kBadf;
  entries_[fd].reset();  // the entry's UniqueFd closes an owned host fd
  while (!entries_.empty() && !entries_.back()) entries_.pop_back();
  return Errno::kSuccess;
}

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  if (from >= entries_.size() || !entries_[from]) return Errno::kBadf;
  if (to >= entries_.size() || !entries_[to]) return Errno::kBadf;
  if (from == to) return Errno::kSuccess;
  entries_[to] = std::move(entries_[from]);  // the old `to` entry closes here
  while (!entries_.empty() && !entries_.back()) entries_.pop_back();
  return Errno::kSuccess;
}

size_t FdTable::open_count() const {
  size_t n = 0;
  for (const auto& e : entries_) n += e != nullptr;
  return n;
}

}  // namespace keel::wasi

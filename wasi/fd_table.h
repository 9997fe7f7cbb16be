// The guest's file descriptor table: typed entries (file, directory, stdio, socket), each with
// preview1 rights (base: what this fd may do; inheriting: what fds opened through it may get).
// Entries own their host descriptor unless the embedder lent it (stdio, --listenfd sockets), so
// closing, renumbering or destroying the table never leaks or double-closes a host fd.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wasi/abi/types.h"
#include "wasi/fs/capability_fs.h"

namespace keel::wasi {

enum class FdKind : uint8_t { kFile, kDirectory, kStdio, kSocket };

// A snapshot of a directory's entries, taken when fd_readdir starts over (cookie 0), so later
// cookies index a stable list.
struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  Filetype type = Filetype::kUnknown;
};

struct FdEntry {
  FdKind kind = FdKind::kFile;
  int host_fd = -1;
  fs::UniqueFd owned;  // holds host_fd when the entry owns it
  Filetype filetype = Filetype::kUnknown;
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  std::optional<std::string> preopen_name;  // for fd_prestat_*
  bool read_only = false;                   // beneath a read-only grant
  std::vector<DirEntry> listing;            // fd_readdir snapshot
  bool has_listing = false;
};

class FdTable {
 public:
  // The entry, if `fd` is open and holds every right in `needed` (EBADF, ENOTCAPABLE).
  ErrnoOr<FdEntry*> get(uint32_t fd, uint64_t needed = 0);
  // Places the entry at the lowest free number (EMFILE past kMaxFds).
  ErrnoOr<uint32_t> insert(std::unique_ptr<FdEntry> entry);
  Errno close(uint32_t fd);
  // Moves `from` onto `to`, closing what `to` held. Both must be open (EBADF).
  Errno renumber(uint32_t from, uint32_t to);
  size_t open_count() const;

  static constexpr uint32_t kMaxFds = 1u << 16;

 private:
  std::vector<std::unique_ptr<FdEntry>> entries_;
};

}  // namespace keel::wasi

// The path_* family. Every path is the guest's bytes, resolved beneath a directory fd by the
// capability filesystem (wasi/fs); the host never sees a raw guest path. The directory needs the
// operation's right; under a read-only grant a mutating operation is EPERM, as wasmtime reports a
// directory opened without mutate permission.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/fs/capability_fs.h"
#include "wasi/host_context.h"

namespace keel::wasi {
namespace {

ErrnoOr<FdEntry*> directory(WasiCall& call, uint32_t fd, uint64_t needed) {
  auto e = call.ctx.fds.get(fd);
  if (!e) return e.error();
  if ((*e)->kind != FdKind::kDirectory) return Errno::kNotdir;  // type before rights
  if ((*e)->read_only && (needed & rights::kMutating)) return Errno::kPerm;
  if (((*e)->rights_base & needed) != needed) return Errno::kNotcapable;
  return *e;
}

// The directory and the guest path at (ptr, len): EFAULT before anything else is looked at.
struct DirPath {
  int dir;
  std::string_view path;
};
ErrnoOr<DirPath> dir_path(WasiCall& call, uint32_t fd, uint64_t needed, uint32_t ptr,
                          uint32_t len) {
  auto path = call.mem.string(ptr, len);
  if (!path) return path.error();
  auto dir = directory(call, fd, needed);
  if (!dir) return dir.error();
  return DirPath{(*dir)->host_fd, *path};
}

bool follow(uint32_t lookupflags) {
  return lookupflags & kLookupSymlinkFollow;
}

Errno path_open(WasiCall& call) {
  uint32_t dirflags = call.u32(1), oflag = call.u32(4), fdflag = call.u32(7), out = call.u32(8);
  uint64_t base = call.u64(5), inheriting = call.u64(6);
  auto path = call.mem.string(call.u32(2), call.u32(3));
  if (!path) return path.error();
  if (!call.mem.in_bounds(out, 4)) return Errno::kFault;
  if (oflag > 0xf || fdflag > 0x1f) return Errno::kInval;
  auto got = call.ctx.fds.get(call.u32(0));
  if (!got) return got.error();
  FdEntry& dir = **got;

  // A directory is never opened for writing: with O_DIRECTORY, fd_write among the rights asked
  // for is EISDIR once the path proves to be a directory (ENOENT, ENOTDIR come first), as in
  // wasmtime. The other file rights ask for nothing.
  bool is_dir = oflag & oflags::kDirectory;
  bool dir_for_writing = is_dir && (base & rights::kFdWrite);
  bool wants_write =
      !is_dir && ((base & (rights::kFdWrite | rights::kFdAllocate | rights::kFdFilestatSetSize)) ||
                  (fdflag & fdflags::kAppend));
  // A read-only grant refuses anything that would create or change a file up front (EPERM, as
  // wasmtime), rather than silently opening read-only.
  if (dir.read_only && ((oflag & (oflags::kCreat | oflags::kTrunc)) || wants_write))
    return Errno::kPerm;
  uint64_t needed = rights::kPathOpen;
  if (oflag & oflags::kCreat) needed |= rights::kPathCreateFile;
  if (oflag & oflags::kTrunc) needed |= rights::kPathFilestatSetSize;
  auto checked = directory(call, call.u32(0), needed);
  if (!checked) return checked.error();

  // What the new fd may hold is what was asked for, within what the directory passes on.
  base &= dir.rights_inheriting;
  inheriting &= dir.rights_inheriting;
  bool wants_read = base & (rights::kFdRead | rights::kFdReaddir);
  wants_write = (base & (rights::kFdWrite | rights::kFdAllocate | rights::kFdFilestatSetSize)) ||
                (fdflag & fdflags::kAppend);

  int flags = 0;
  if (oflag & oflags::kDirectory)
    flags = O_RDONLY | O_DIRECTORY;
  else if (wants_write)
    flags = wants_read ? O_RDWR : O_WRONLY;
  else
    flags = O_RDONLY;
  if (oflag & oflags::kCreat) flags |= O_CREAT;
  if (oflag & oflags::kExcl) flags |= O_EXCL;
  if (oflag & oflags::kTrunc) flags |= O_TRUNC;
  if (fdflag & fdflags::kAppend) flags |= O_APPEND;
  if (fdflag & fdflags::kNonblock) flags |= O_NONBLOCK;
  if (fdflag & fdflags::kDsync) flags |= O_DSYNC;
  if (fdflag & fdflags::kSync) flags |= O_SYNC;
  if (fdflag & fdflags::kRsync) flags |= O_RSYNC;

  // A mode only with O_CREAT: openat2(2) rejects one otherwise (and wasi-fs passes it on when
  // O_DIRECTORY is set, since glibc's __O_TMPFILE includes that bit).
  mode_t mode = (flags & O_CREAT) ? 0666 : 0;
  auto opened = fs::open_beneath(dir.host_fd, *path, follow(dirflags), flags, mode);
  if (!opened) return opened.error();
  struct stat st;
  if (fstat(opened->get(), &st) != 0) return errno_from_host(errno);
  if (dir_for_writing) return Errno::kIsdir;

  auto entry = std::make_unique<FdEntry>();
  entry->host_fd = opened->get();
  entry->owned = std::move(*opened);
  entry->filetype = filetype_from_stat(entry->host_fd, st.st_mode);
  entry->read_only = dir.read_only;
  if (S_ISDIR(st.st_mode)) {
    entry->kind = FdKind::kDirectory;
    entry->rights_base = base & rights::kDirectory;
    entry->rights_inheriting = inheriting & rights::kDirectoryInheriting;
  } else {
    entry->kind = FdKind::kFile;
    entry->rights_base = base & rights::kRegularFile;
    entry->rights_inheriting = 0;
    // Never claim a right the host open mode cannot honour.
    if (!(flags & (O_WRONLY | O_RDWR)))
      entry->rights_base &= ~(rights::kFdWrite | rights::kFdAllocate | rights::kFdFilestatSetSize);
    if ((flags & O_ACCMODE) == O_WRONLY) entry->rights_base &= ~rights::kFdRead;
  }
  auto slot = call.ctx.fds.insert(std::move(entry));
  if (!slot) return slot.error();
  return call.mem.store<uint32_t>(out, *slot);
}

Errno path_filestat_get(WasiCall& call) {
  auto dp = dir_path(call, call.u32(0), rights::kPathFilestatGet, call.u32(2), call.u32(3));
  if (!dp) return dp.error();
  auto st = fs::stat_beneath(dp->dir, dp->path, follow(call.u32(1)));
  if (!st) return st.error();
  return store_filestat(call, call.u32(4), *st);
}

Errno path_filestat_set_times(WasiCall& call) {
  auto dp = dir_path(call, call.u32(0), rights::kPathFilestatSetTimes, call.u32(2), call.u32(3));
  if (!dp) return dp.error();
  if (call.u32(6) > 0xffff) return Errno::kInval;
  struct timespec times[2];
  if (Errno e =
          times_from_flags(call.u64(4), call.u64(5), static_cast<uint16_t>(call.u32(6)), times);
      e != Errno::kSuccess)
    return e;
  return fs::set_times_beneath(dp->dir, dp->path, follow(call.u32(1)), times);
}

Errno path_create_directory(WasiCall& call) {
  auto dp = dir_path(call, call.u32(0), rights::kPathCreateDirectory, call.u32(1), call.u32(2));
  if (!dp) return dp.error();
  return fs::mkdir_beneath(dp->dir, dp->path);
}

Errno path_remove_directory(WasiCall& call) {
  auto dp = dir_path(call, call.u32(0), rights::kPathRemoveDirectory, call.u32(1), call.u32(2));
  if (!dp) return dp.error();
  return fs::rmdir_beneath(dp->dir, dp->path);
}

Errno path_unlink_file(WasiCall& call) {
  auto dp = dir_path(call, call.u32(0), rights::kPathUnlinkFile, call.u32(1), call.u32(2));
  if (!dp) return dp.error();
  return fs::unlink_beneath(dp->dir, dp->path);
}

Errno path_link(WasiCall& call) {
  auto from = dir_path(call, call.u32(0), rights::kPathLinkSource, call.u32(2), call.u32(3));
  if (!from) return from.error();
  auto to = dir_path(call, call.u32(4), rights::kPathLinkTarget, call.u32(5), call.u32(6));
  if (!to) return to.error();
  return fs::link_beneath(from->dir, from->path, follow(call.u32(1)), to->dir, to->path);
}

Errno path_rename(WasiCall& call) {
  auto from = dir_path(call, call.u32(0), rights::kPathRenameSource, call.u32(1), call.u32(2));
  if (!from) return from.error();
  auto to = dir_path(call, call.u32(3), rights::kPathRenameTarget, call.u32(4), call.u32(5));
  if (!to) return to.error();
  return fs::rename_beneath(from->dir, from->path, to->dir, to->path);
}

Errno path_symlink(WasiCall& call) {
  auto target = call.mem.string(call.u32(0), call.u32(1));
  if (!target) return target.error();
  auto dp = dir_path(call, call.u32(2), rights::kPathSymlink, call.u32(3), call.u32(4));
  if (!dp) return dp.error();
  return fs::symlink_beneath(*target, dp->dir, dp->path);
}

// The link's contents, cut to the buffer (readlink(2) semantics: no NUL, truncation silent).
Errno path_readlink(WasiCall& call) {
  auto dp = dir_path(call, call.u32(0), rights::kPathReadlink, call.u32(1), call.u32(2));
  if (!dp) return dp.error();
  uint32_t buf = call.u32(3), buf_len = call.u32(4), used = call.u32(5);
  if (!call.mem.in_bounds(buf, buf_len) || !call.mem.in_bounds(used, 4)) return Errno::kFault;
  auto target = fs::readlink_beneath(dp->dir, dp->path);
  if (!target) return target.error();
  uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(target->size(), buf_len));
  call.mem.copy_out(buf, target->data(), n);
  return call.mem.store<uint32_t>(used, n);
}

constexpr WasiFunctionInfo kFunctions[] = {
    {"path_create_directory", "iii", path_create_directory},
    {"path_filestat_get", "iiiii", path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", path_filestat_set_times},
    {"path_link", "iiiiiii", path_link},
    {"path_open", "iiiiiIIii", path_open},
    {"path_readlink", "iiiiii", path_readlink},
    {"path_remove_directory", "iii", path_remove_directory},
    {"path_rename", "iiiiii", path_rename},
    {"path_symlink", "iiiii", path_symlink},
    {"path_unlink_file", "iii", path_unlink_file},
};

}  // namespace

std::span<const WasiFunctionInfo> path_functions() {
  return kFunctions;
}

}  // namespace keel::wasi

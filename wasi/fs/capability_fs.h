// The capability filesystem: every operation names a directory handle and a guest path, and is
// resolved beneath that directory. Containment is decided with directory handles, never by
// comparing path strings. Two resolvers are always built:
//   - openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, where the kernel has it;
//   - a component-by-component walk with O_NOFOLLOW, a stack of directory handles for "..", and
//     symlinks expanded by keel with a limit (ELOOP).
// Operations on a last component (unlink, rename, link, symlink, mkdir, rmdir, readlink, stat,
// set_times) are done with *at(2) calls on the sandboxed parent directory's handle.
// Guest paths containing a NUL byte are EINVAL (as wasmtime: the host cannot name a path with
// one), empty paths ENOENT (callers pass the guest's bytes unchanged). An escape is EPERM from
// both resolvers, as in wasmtime (openat2's EXDEV is mapped to it; its ELOOP, which does not say
// whether a loop, a magic link or O_NOFOLLOW stopped it, is answered by the manual walk). A
// trailing slash follows a symlink in the last component even without `follow` (as the kernel
// does) and requires a directory, beneath `dir`.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include <string>
#include <string_view>

#include "wasi/fs/errno.h"

namespace keel::wasi::fs {

// An owned host file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

enum class ResolverKind : uint8_t { kOpenat2, kManual };

// openat2 when the running kernel supports it, unless the environment variable
// KEEL_WASI_RESOLVER=manual forces the fallback (how the tests run both).
ResolverKind default_resolver();
// Overrides the choice process-wide (tests).
void set_resolver(ResolverKind kind);
ResolverKind current_resolver();

// Opens `path` beneath `dir`. `host_flags` are open(2) flags (access mode, O_CREAT, O_EXCL,
// O_TRUNC, O_DIRECTORY, O_APPEND, O_NONBLOCK, O_DSYNC, O_SYNC, O_RSYNC); O_NOFOLLOW and O_CLOEXEC
// are added by the resolver as needed. `follow` is LOOKUPFLAGS_SYMLINK_FOLLOW for the last
// component.
ErrnoOr<UniqueFd> open_beneath(int dir, std::string_view path, bool follow, int host_flags,
                               mode_t mode);

ErrnoOr<struct stat> stat_beneath(int dir, std::string_view path, bool follow);
Errno mkdir_beneath(int dir, std::string_view path);
Errno rmdir_beneath(int dir, std::string_view path);
Errno unlink_beneath(int dir, std::string_view path);  // files and symlinks, not directories
ErrnoOr<std::string> readlink_beneath(int dir, std::string_view path);
// Creates a symlink at `path` whose contents are `target`, verbatim (it is only ever followed
// through a resolver, so an absolute or climbing target cannot escape).
Errno symlink_beneath(std::string_view target, int dir, std::string_view path);
Errno link_beneath(int old_dir, std::string_view old_path, bool follow, int new_dir,
                   std::string_view new_path);
Errno rename_beneath(int old_dir, std::string_view old_path, int new_dir,
                     std::string_view new_path);
// times[0] = atime, times[1] = mtime, with UTIME_NOW / UTIME_OMIT as utimensat(2) takes them.
Errno set_times_beneath(int dir, std::string_view path, bool follow,
                        const struct timespec times[2]);

}  // namespace keel::wasi::fs

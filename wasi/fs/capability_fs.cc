#include "wasi/fs/capability_fs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include "wasi/fs/resolver.h"

namespace keel::wasi::fs {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

namespace {

using detail::Parent;

Errno host_result(int rc) {
  return rc == 0 ? Errno::kSuccess : errno_from_host(errno);
}

bool has_trailing_slash(std::string_view path) {
  return !path.empty() && path.back() == '/';
}

// A trailing slash makes the kernel follow the last component even under AT_SYMLINK_NOFOLLOW,
// so paths that end in one are opened through a resolver (which follows beneath `dir` and
// requires a directory) and the operation done on the handle.
ErrnoOr<UniqueFd> open_handle(int dir, std::string_view path, bool follow) {
  return open_beneath(dir, path, follow, O_PATH, 0);
}

std::string proc_fd_path(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

// The errno the kernel gives for a trailing slash on a name the call will not follow: a
// directory passes, anything else (a symlink included) is ENOTDIR.
Errno require_dir_nofollow(const Parent& p) {
  struct stat st;
  if (fstatat(p.dir.get(), p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno_from_host(errno);
  }
  return S_ISDIR(st.st_mode) ? Errno::kSuccess : Errno::kNotdir;
}

// What creating `p` fails with when its path ends in a slash and it is not a directory.
Errno create_with_trailing_slash(const Parent& p) {
  struct stat st;
  return fstatat(p.dir.get(), p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 ? Errno::kExist
                                                                             : Errno::kNoent;
}

}  // namespace

ErrnoOr<struct stat> stat_beneath(int dir, std::string_view path, bool follow) {
  struct stat st;
  if (follow || has_trailing_slash(path)) {
    ErrnoOr<UniqueFd> fd = open_handle(dir, path, follow);
    if (!fd) return fd.error();
    if (fstat(fd->get(), &st) != 0) return errno_from_host(errno);
    return st;
  }
  ErrnoOr<Parent> p = detail::resolve_parent(dir, path);
  if (!p) return p.error();
  if (fstatat(p->dir.get(), p->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno_from_host(errno);
  }
  return st;
}

Errno mkdir_beneath(int dir, std::string_view path) {
  ErrnoOr<Parent> p = detail::resolve_parent(dir, path);
  if (!p) return p.error();
  if (p->dots != Parent::kNone) return Errno::kExist;
  return host_result(mkdirat(p->dir.get(), p->name.c_str(), 0777));
}

Errno rmdir_beneath(int dir, std::string_view path) {
  ErrnoOr<Parent> p = detail::resolve_parent(dir, path);
  if (!p) return p.error();
  if (p->dots == Parent::kDot) return Errno::kInval;
  if (p->dots == Parent::kDotDot) return Errno::kNotempty;
  return host_result(unlinkat(p->dir.get(), p->name.c_str(), AT_REMOVEDIR));
}

Errno unlink_beneath(int dir, std::string_view path) {
  ErrnoOr<Parent> p = detail::resolve_parent(dir, path);
  if (!p) return p.error();
  if (p->dots != Parent::kNone) return Errno::kIsdir;
  if (p->trailing_slash) {
    Errno e = require_dir_nofollow(*p);
    return e == Errno::kSuccess ? Errno::kIsdir : e;
  }
  return host_result(unlinkat(p->dir.get(), p->name.c_str(), 0));
}

ErrnoOr<std::string> readlink_beneath(int dir, std::string_view path) {
  if (has_trailing_slash(path)) {
    // "link/" names what the link points to, a directory, which is not a symlink.
    ErrnoOr<UniqueFd> fd = open_handle(dir, path, true);
    return fd ? Errno::kInval : fd.error();
  }
  ErrnoOr<Parent> p = detail::resolve_parent(dir, path);
  if (!p) return p.error();
  if (p->dots != Parent::kNone) return Errno::kInval;
  std::string buf(PATH_MAX, '\0');
  ssize_t n = readlinkat(p->dir.get(), p->name.c_str(), buf.data(), buf.size());
  if (n < 0) return errno_from_host(errno);
  if (static_cast<size_t>(n) == buf.size()) return Errno::kNametoolong;
  buf.resize(static_cast<size_t>(n));
  return buf;
}

Errno symlink_beneath(std::string_view target, int dir, std::string_view path) {
  if (target.find('\0') != std::string_view::npos) return Errno::kInval;
  if (target.empty()) return Errno::kNoent;
  // An absolute target could only ever lead out of the sandbox: refused (EPERM, as wasmtime).
  if (target.front() == '/') return Errno::kPerm;
  ErrnoOr<Parent> p = detail::resolve_parent(dir, path);
  if (!p) return p.error();
  if (p->dots != Parent::kNone) return Errno::kExist;
  if (p->trailing_slash) return create_with_trailing_slash(*p);
  return host_result(symlinkat(std::string(target).c_str(), p->dir.get(), p->name.c_str()));
}

Errno link_beneath(int old_dir, std::string_view old_path, bool follow, int new_dir,
                   std::string_view new_path) {
  UniqueFd old_handle;
  ErrnoOr<Parent> old_parent = Parent{};
  if (follow || has_trailing_slash(old_path)) {
    ErrnoOr<UniqueFd> fd = open_handle(old_dir, old_path, true);
    if (!fd) return fd.error();
    old_handle = std::move(*fd);
  } else {
    old_parent = detail::resolve_parent(old_dir, old_path);
    if (!old_parent) return old_parent.error();
  }
  ErrnoOr<Parent> np = detail::resolve_parent(new_dir, new_path);
  if (!np) return np.error();
  if (np->dots != Parent::kNone) return Errno::kExist;
  if (np->trailing_slash) return create_with_trailing_slash(*np);

  if (!old_handle.valid()) {
    if (old_parent->dots != Parent::kNone) return Errno::kPerm;  // a directory
    return host_result(linkat(old_parent->dir.get(), old_parent->name.c_str(), np->dir.get(),
                              np->name.c_str(), 0));
  }
  // The link is made from the handle the resolver opened, so a symlink swapped in after the
  // lookup is not followed. AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc/self/fd does not.
  if (linkat(old_handle.get(), "", np->dir.get(), np->name.c_str(), AT_EMPTY_PATH) == 0) {
    return Errno::kSuccess;
  }
  if (errno != ENOENT && errno != EPERM) return errno_from_host(errno);
  struct stat st;
  if (fstat(old_handle.get(), &st) == 0 && S_ISDIR(st.st_mode)) return Errno::kPerm;
  return host_result(linkat(AT_FDCWD, proc_fd_path(old_handle.get()).c_str(), np->dir.get(),
                            np->name.c_str(), AT_SYMLINK_FOLLOW));
}

Errno rename_beneath(int old_dir, std::string_view old_path, int new_dir,
                     std::string_view new_path) {
  ErrnoOr<Parent> op = detail::resolve_parent(old_dir, old_path);
  if (!op) return op.error();
  ErrnoOr<Parent> np = detail::resolve_parent(new_dir, new_path);
  if (!np) return np.error();
  if (op->dots != Parent::kNone || np->dots != Parent::kNone) return Errno::kBusy;
  if (op->trailing_slash || np->trailing_slash) {
    if (Errno e = require_dir_nofollow(*op); e != Errno::kSuccess) return e;
  }
  return host_result(renameat(op->dir.get(), op->name.c_str(), np->dir.get(), np->name.c_str()));
}

Errno set_times_beneath(int dir, std::string_view path, bool follow,
                        const struct timespec times[2]) {
  if (follow || has_trailing_slash(path)) {
    ErrnoOr<UniqueFd> fd = open_handle(dir, path, follow);
    if (!fd) return fd.error();
    if (utimensat(fd->get(), "", times, AT_EMPTY_PATH) == 0) return Errno::kSuccess;
    // Kernels before AT_EMPTY_PATH support in utimensat: the handle's /proc link is followed
    // by the kernel to exactly the file the resolver opened.
    if (errno != EINVAL && errno != ENOENT) return errno_from_host(errno);
    return host_result(utimensat(AT_FDCWD, proc_fd_path(fd->get()).c_str(), times, 0));
  }
  ErrnoOr<Parent> p = detail::resolve_parent(dir, path);
  if (!p) return p.error();
  return host_result(utimensat(p->dir.get(), p->name.c_str(), times, AT_SYMLINK_NOFOLLOW));
}

}  // namespace keel::wasi::fs

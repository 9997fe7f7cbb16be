#include "wasi/fs/resolver.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace keel::wasi::fs {
namespace detail {
namespace {

Errno host_error() {
  return errno_from_host(errno);
}

bool is_dots(std::string_view c) {
  return c == "." || c == "..";
}

ErrnoOr<std::string> read_link(int dirfd, const char* name) {
  char buf[PATH_MAX];
  ssize_t n = readlinkat(dirfd, name, buf, sizeof buf);
  if (n < 0) return host_error();
  if (static_cast<size_t>(n) == sizeof buf) return Errno::kNametoolong;
  return std::string(buf, static_cast<size_t>(n));
}

// The manual resolver: components are walked one by one from `base`, each opened with O_PATH |
// O_NOFOLLOW, so the kernel never follows a symlink on keel's behalf. ".." pops a stack of the
// directory handles walked through; popping past `base` is an escape. Symlinks are read and
// their targets pushed in front of the remaining components.
class Walk {
 public:
  explicit Walk(int base) : base_(base) {}

  int cur() const { return stack_.empty() ? base_ : stack_.back().get(); }
  bool trailing_slash() const { return trailing_; }

  void push_path(std::string_view path) {
    if (pending_.empty() && !path.empty() && path.back() == '/') trailing_ = true;
    std::vector<std::string_view> parts;
    size_t i = 0;
    while (i < path.size()) {
      size_t j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      if (j > i) parts.push_back(path.substr(i, j - i));
      i = j + 1;
    }
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending_.emplace_back(*it);
  }

  // Reads the symlink `name` in `dirfd` ("" when `dirfd` is the link itself, opened O_PATH)
  // and queues its target.
  Errno expand(int dirfd, const char* name) {
    if (++expansions_ > kMaxSymlinkExpansions) return Errno::kLoop;
    ErrnoOr<std::string> target = read_link(dirfd, name);
    if (!target) return target.error();
    if (target->empty()) return Errno::kNoent;
    if (target->front() == '/') return kEscape;
    push_path(*target);
    return Errno::kSuccess;
  }

  // If `name` in `dirfd` is a symlink, queues its target and sets *expanded. The link is read
  // through a handle on it, never by name: a name swapped for a directory between a check and a
  // readlinkat(2) would read as EINVAL (or ENOENT), where the guest should see the directory.
  Errno expand_if_link(int dirfd, const std::string& name, bool* expanded) {
    *expanded = false;
    UniqueFd fd(openat(dirfd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    if (!fd.valid() || fstat(fd.get(), &st) != 0 || !S_ISLNK(st.st_mode)) return Errno::kSuccess;
    *expanded = true;
    return expand(fd.get(), "");
  }

  // Queues `name` to be looked up again (it changed under the walk), counted against the same
  // limit as expansions, so a name flipped forever ends in ELOOP.
  Errno retry(const std::string& name) {
    if (++expansions_ > kMaxSymlinkExpansions) return Errno::kLoop;
    pending_.push_back(name);
    return Errno::kSuccess;
  }

  // Walks every component but the last (following symlinks) and returns the last, or "." when
  // the path ends at cur() itself. With `follow_last` a symlink in the last place is expanded.
  Errno walk_to_last(bool follow_last, std::string* last) {
    for (;;) {
      if (pending_.empty()) {
        *last = ".";
        return Errno::kSuccess;
      }
      std::string c = std::move(pending_.back());
      pending_.pop_back();
      bool is_last = pending_.empty();
      if (c == "." || c == "..") {
        if (c == "..") {
          if (stack_.empty()) return kEscape;
          stack_.pop_back();
        }
        if (is_last) {
          *last = ".";
          return Errno::kSuccess;
        }
        continue;
      }
      if (is_last) {
        if (follow_last) {
          bool expanded;
          if (Errno e = expand_if_link(cur(), c, &expanded); e != Errno::kSuccess) return e;
          if (expanded) continue;
        }
        *last = std::move(c);
        return Errno::kSuccess;
      }
      UniqueFd fd(openat(cur(), c.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
      if (!fd.valid()) return host_error();
      struct stat st;
      if (fstat(fd.get(), &st) != 0) return host_error();
      if (S_ISDIR(st.st_mode)) {
        stack_.push_back(std::move(fd));
      } else if (S_ISLNK(st.st_mode)) {
        // Read through the handle just opened: whatever replaces the name now is not consulted.
        if (Errno e = expand(fd.get(), ""); e != Errno::kSuccess) return e;
      } else {
        return Errno::kNotdir;
      }
    }
  }

  ErrnoOr<UniqueFd> take_cur() {
    if (!stack_.empty()) {
      UniqueFd fd = std::move(stack_.back());
      stack_.pop_back();
      return fd;
    }
    int fd = fcntl(base_, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return host_error();
    return UniqueFd(fd);
  }

 private:
  int base_;
  std::vector<UniqueFd> stack_;
  std::vector<std::string> pending_;  // the next component is at the back
  bool trailing_ = false;
  int expansions_ = 0;
};

constexpr uint64_t kResolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

int raw_openat2(int dir, const char* path, uint64_t flags, mode_t mode) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = flags;
  // openat2 rejects a mode without a flag that creates (O_TMPFILE includes O_DIRECTORY's bit).
  if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) how.mode = mode;
  how.resolve = kResolve;
  return static_cast<int>(syscall(SYS_openat2, dir, path, &how, sizeof how));
}

std::atomic<int> g_resolver{-1};

}  // namespace

Errno check_guest_path(std::string_view path) {
  if (path.empty()) return Errno::kNoent;
  if (path.find('\0') != std::string_view::npos) return Errno::kInval;
  if (path.front() == '/') return kEscape;
  if (path.size() >= PATH_MAX) return Errno::kNametoolong;
  return Errno::kSuccess;
}

bool openat2_supported() {
  static const bool supported = [] {
    int fd = raw_openat2(AT_FDCWD, ".", O_PATH | O_CLOEXEC, 0);
    if (fd < 0) return false;
    close(fd);
    return true;
  }();
  return supported;
}

ErrnoOr<UniqueFd> open_manual(int dir, std::string_view path, bool follow, int host_flags,
                              mode_t mode) {
  Walk walk(dir);
  walk.push_path(path);
  const bool creat = host_flags & O_CREAT;
  // O_CREAT | O_EXCL never follows (POSIX), and O_CREAT with a trailing slash fails on the name
  // itself (EISDIR), as the kernel's own lookup does.
  const bool follow_last = creat ? follow && !(host_flags & O_EXCL) && !walk.trailing_slash()
                                 : follow || walk.trailing_slash();
  for (;;) {
    std::string last;
    if (Errno e = walk.walk_to_last(follow_last, &last); e != Errno::kSuccess) return e;
    int flags = host_flags | O_CLOEXEC | O_NOFOLLOW;
    if (walk.trailing_slash()) {
      if (creat) return Errno::kIsdir;
      flags |= O_DIRECTORY;
    }
    UniqueFd fd(openat(walk.cur(), last.c_str(), flags, mode));
    if (fd.valid()) {
      if (!follow_last || !(flags & O_PATH)) return fd;
      // O_PATH | O_NOFOLLOW opens a symlink that replaced the name after the check.
      struct stat st;
      if (fstat(fd.get(), &st) != 0) return host_error();
      if (!S_ISLNK(st.st_mode)) return fd;
      if (Errno e = walk.expand(fd.get(), ""); e != Errno::kSuccess) return e;
      continue;
    }
    int err = errno;
    if (follow_last && (err == ELOOP || err == ENOTDIR) && last != ".") {
      // A symlink took the name after the walk looked at it: expand it. If it is no longer a
      // symlink either, the name changed twice: look it up again.
      bool expanded;
      if (Errno e = walk.expand_if_link(walk.cur(), last, &expanded); e != Errno::kSuccess) {
        return e;
      }
      if (!expanded) {
        // O_DIRECTORY on a file is ENOTDIR in earnest; anything else means the name changed.
        struct stat st;
        if (err == ENOTDIR && fstatat(walk.cur(), last.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
          return errno_from_host(err);
        }
        if (Errno e = walk.retry(last); e != Errno::kSuccess) return e;
      }
      continue;
    }
    return errno_from_host(err);
  }
}

ErrnoOr<UniqueFd> open_openat2(int dir, std::string_view path, bool follow, int host_flags,
                               mode_t mode) {
  std::string p(path);
  uint64_t flags = static_cast<uint32_t>(host_flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  for (int attempt = 0; attempt < 8; ++attempt) {
    int fd = raw_openat2(dir, p.c_str(), flags, mode);
    if (fd >= 0) return UniqueFd(fd);
    switch (errno) {
      case EINTR:
      case EAGAIN:  // a rename or mount raced with ".."; the kernel asks for a retry
        continue;
      case ENOSYS:
        return open_manual(dir, path, follow, host_flags, mode);
      case EXDEV:
        return kEscape;
      case ELOOP:
        // A loop, a magic link (RESOLVE_NO_MAGICLINKS) or a symlink under O_NOFOLLOW: the manual
        // walk tells them apart, so both resolvers answer alike (a magic link's absolute target
        // is an escape).
        return open_manual(dir, path, follow, host_flags, mode);
      default:
        return host_error();
    }
  }
  // The manual walk does not depend on the kernel's rename sequence check.
  return open_manual(dir, path, follow, host_flags, mode);
}

ErrnoOr<Parent> resolve_parent(int dir, std::string_view path) {
  if (Errno e = check_guest_path(path); e != Errno::kSuccess) return e;
  Parent parent;
  std::string_view p = path;
  while (p.size() > 1 && p.back() == '/') {
    p.remove_suffix(1);
    parent.trailing_slash = true;
  }
  size_t slash = p.rfind('/');
  std::string_view last = slash == std::string_view::npos ? p : p.substr(slash + 1);
  if (last == ".") parent.dots = Parent::kDot;
  if (last == "..") parent.dots = Parent::kDotDot;

  if (current_resolver() == ResolverKind::kManual || !openat2_supported()) {
    Walk walk(dir);
    walk.push_path(path);
    std::string name;
    if (Errno e = walk.walk_to_last(false, &name); e != Errno::kSuccess) return e;
    ErrnoOr<UniqueFd> fd = walk.take_cur();
    if (!fd) return fd.error();
    parent.dir = std::move(*fd);
    parent.name = std::move(name);
    return parent;
  }

  std::string_view dir_path;
  if (is_dots(last)) {
    dir_path = p;
    parent.name = ".";
  } else {
    dir_path = slash == std::string_view::npos ? std::string_view(".") : p.substr(0, slash + 1);
    parent.name = std::string(last);
  }
  ErrnoOr<UniqueFd> fd = open_openat2(dir, dir_path, true, O_PATH | O_DIRECTORY, 0);
  if (!fd) return fd.error();
  parent.dir = std::move(*fd);
  return parent;
}

}  // namespace detail

ResolverKind default_resolver() {
  const char* env = getenv("KEEL_WASI_RESOLVER");
  if (env != nullptr && strcmp(env, "manual") == 0) return ResolverKind::kManual;
  return detail::openat2_supported() ? ResolverKind::kOpenat2 : ResolverKind::kManual;
}

void set_resolver(ResolverKind kind) {
  detail::g_resolver.store(static_cast<int>(kind));
}

ResolverKind current_resolver() {
  int kind = detail::g_resolver.load(std::memory_order_relaxed);
  if (kind < 0) {
    kind = static_cast<int>(default_resolver());
    int expected = -1;
    if (!detail::g_resolver.compare_exchange_strong(expected, kind)) kind = expected;
  }
  return static_cast<ResolverKind>(kind);
}

ErrnoOr<UniqueFd> open_beneath(int dir, std::string_view path, bool follow, int host_flags,
                               mode_t mode) {
  if (Errno e = detail::check_guest_path(path); e != Errno::kSuccess) return e;
  if (current_resolver() == ResolverKind::kOpenat2 && detail::openat2_supported()) {
    return detail::open_openat2(dir, path, follow, host_flags, mode);
  }
  return detail::open_manual(dir, path, follow, host_flags, mode);
}

}  // namespace keel::wasi::fs

// Internal to wasi/fs: the two beneath-resolvers and the parent lookup that the via-parent
// operations in capability_fs.cc build on.
#pragma once

#include <string>
#include <string_view>

#include "wasi/fs/capability_fs.h"

namespace keel::wasi::fs::detail {

// What a path that would leave its directory (through "..", an absolute path or an absolute or
// climbing symlink) reports, from either resolver and every operation: EPERM, as wasmtime's
// preview1 host does (cap-std's escape error is wasi-filesystem's not-permitted), so a program
// sees what it sees there. ENOTCAPABLE stays the errno of a missing right on an fd.
inline constexpr Errno kEscape = Errno::kPerm;

// Linux's MAXSYMLINKS, so both resolvers give up at the same depth.
inline constexpr int kMaxSymlinkExpansions = 40;

// Rejections common to every operation, before any host call: empty (ENOENT), a NUL byte
// (EINVAL: the host could only see a truncated name), absolute (escape), too long.
Errno check_guest_path(std::string_view path);

bool openat2_supported();

// `host_flags` may include O_PATH here (the follow variants of stat, set_times and link use it).
ErrnoOr<UniqueFd> open_openat2(int dir, std::string_view path, bool follow, int host_flags,
                               mode_t mode);
ErrnoOr<UniqueFd> open_manual(int dir, std::string_view path, bool follow, int host_flags,
                              mode_t mode);

// The directory holding a path's last component, opened beneath `dir`, and that component. The
// last component itself is never followed. A path ending in "." or ".." names a directory
// itself: `dir` is that directory, `name` is "." and `dots` tells which it was.
struct Parent {
  UniqueFd dir;
  std::string name;
  bool trailing_slash = false;
  enum Dots : uint8_t { kNone, kDot, kDotDot } dots = kNone;
};
ErrnoOr<Parent> resolve_parent(int dir, std::string_view path);

}  // namespace keel::wasi::fs::detail

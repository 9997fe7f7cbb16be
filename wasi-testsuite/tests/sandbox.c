// The sandbox as a guest sees it: nothing outside a granted directory can be reached, by "..",
// absolute paths, symlinks (relative, absolute, dangling ones met with O_CREAT), "/" without a
// "/" preopen, or a NUL byte hiding a different path. The fixture holds the symlinks; the runner
// also checks that nothing new appeared beside the granted directory.
#include "common.h"

static __wasi_errno_t try_open(__wasi_fd_t dir, const char* path, __wasi_lookupflags_t lookup,
                               __wasi_oflags_t oflags) {
  __wasi_fd_t fd;
  __wasi_rights_t base = (oflags & __WASI_OFLAGS_DIRECTORY) ? kDirRights : kAllRights;
  __wasi_errno_t e = __wasi_path_open(dir, lookup, path, oflags, base, kAllRights, 0, &fd);
  if (e == __WASI_ERRNO_SUCCESS) EXPECT_OK(__wasi_fd_close(fd));
  return e;
}

int main(void) {
  __wasi_fd_t dir = preopen("sandbox.dir");
  const __wasi_lookupflags_t follow = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
  __wasi_filestat_t st;

  // Inside is fine, however it is spelled.
  EXPECT_OK(try_open(dir, "secret.txt", follow, 0));
  EXPECT_OK(try_open(dir, "sub/../secret.txt", follow, 0));
  EXPECT_OK(try_open(dir, "./sub/./..", follow, __WASI_OFLAGS_DIRECTORY));
  EXPECT_OK(try_open(dir, "sub/back/secret.txt", follow, 0));    // sub/back -> ..
  EXPECT_OK(try_open(dir, "inner/back/secret.txt", follow, 0));  // inner -> sub

  // "..", absolute paths, "/".
  EXPECT_ESCAPE(try_open(dir, "..", follow, __WASI_OFLAGS_DIRECTORY));
  EXPECT_ESCAPE(try_open(dir, "../sandbox.dir/secret.txt", follow, 0));
  EXPECT_ESCAPE(try_open(dir, "sub/../../sandbox.dir/secret.txt", follow, 0));
  EXPECT_ESCAPE(try_open(dir, "/etc/passwd", follow, 0));
  EXPECT_ESCAPE(try_open(dir, "/", follow, __WASI_OFLAGS_DIRECTORY));
  EXPECT_ESCAPE(__wasi_path_filestat_get(dir, 0, "..", &st));
  EXPECT_ESCAPE(__wasi_path_filestat_get(dir, 0, "/", &st));

  // Symlinks that leave: relative, absolute, one inside a subdirectory, a chain.
  EXPECT_ESCAPE(try_open(dir, "escape/etc/passwd", follow, 0));  // escape -> ../..
  EXPECT_ESCAPE(try_open(dir, "escape", follow, __WASI_OFLAGS_DIRECTORY));
  EXPECT_ESCAPE(try_open(dir, "abs/passwd", follow, 0));  // abs -> /etc
  EXPECT_ESCAPE(try_open(dir, "abs", follow, __WASI_OFLAGS_DIRECTORY));
  EXPECT_ESCAPE(try_open(dir, "sub/deep", follow, 0));  // sub/deep -> ../../x
  EXPECT_ESCAPE(try_open(dir, "chain", follow, 0));     // chain -> escape/x
  EXPECT_ESCAPE(__wasi_path_filestat_get(dir, follow, "abs", &st));
  EXPECT_OK(__wasi_path_filestat_get(dir, 0, "abs", &st));  // the link itself is inside
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  char target[64];
  __wasi_size_t len;
  EXPECT_OK(__wasi_path_readlink(dir, "escape", (uint8_t*)target, sizeof target, &len));
  CHECK(len == 5 && memcmp(target, "../..", 5) == 0);
  EXPECT_ERRNO(try_open(dir, "loop1", follow, 0), __WASI_ERRNO_LOOP);  // loop1 <-> loop2

  // O_CREAT through a dangling symlink that points outside: refused, nothing created.
  EXPECT_ESCAPE(try_open(dir, "out_new", follow, __WASI_OFLAGS_CREAT));
  EXPECT_ESCAPE(try_open(dir, "escape/created.txt", follow, __WASI_OFLAGS_CREAT));
  // Without follow, O_CREAT on an existing symlink does not go through it either: ELOOP, as
  // open(2) with O_CREAT | O_NOFOLLOW.
  EXPECT_ERRNO(try_open(dir, "out_new", 0, __WASI_OFLAGS_CREAT), __WASI_ERRNO_LOOP);

  // Every other path operation refuses the same escapes.
  EXPECT_ESCAPE(__wasi_path_create_directory(dir, "../newdir"));
  EXPECT_ESCAPE(__wasi_path_create_directory(dir, "escape/newdir"));
  EXPECT_ESCAPE(__wasi_path_rename(dir, "secret.txt", dir, "../moved.txt"));
  EXPECT_ESCAPE(__wasi_path_rename(dir, "../sandbox.dir/secret.txt", dir, "moved.txt"));
  EXPECT_ESCAPE(__wasi_path_link(dir, 0, "secret.txt", dir, "../linked.txt"));
  EXPECT_ESCAPE(__wasi_path_link(dir, follow, "abs", dir, "linked.txt"));
  EXPECT_ESCAPE(__wasi_path_unlink_file(dir, "../sandbox.dir/secret.txt"));
  EXPECT_ESCAPE(__wasi_path_unlink_file(dir, "escape/anything"));
  EXPECT_ESCAPE(__wasi_path_remove_directory(dir, "../sandbox.dir/sub"));
  EXPECT_ESCAPE(__wasi_path_symlink("secret.txt", dir, "../made_link"));
  EXPECT_ESCAPE(__wasi_path_filestat_set_times(dir, 0, "../sandbox.dir/secret.txt", 0, 0,
                                               __WASI_FSTFLAGS_MTIM_NOW));
  EXPECT_ESCAPE(__wasi_path_filestat_set_times(dir, follow, "abs", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  EXPECT_ESCAPE(
      __wasi_path_readlink(dir, "../sandbox.dir/escape", (uint8_t*)target, sizeof target, &len));

  // A NUL byte inside the path length is an invalid path, not a shorter one.
  __wasi_fd_t fd;
  static const char nul_path[] = "secret.txt\0../../x";
  EXPECT_ERRNO(raw_path_open(dir, follow, ptr(nul_path), sizeof nul_path - 1, 0,
                             (int64_t)kAllRights, (int64_t)kAllRights, 0, ptr(&fd)),
               __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(raw_path_create_directory(dir, ptr("new\0dir"), 7), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(raw_path_filestat_get(dir, 0, ptr("secret.txt\0"), 11, ptr(&st)),
               __WASI_ERRNO_INVAL);
  // A path outside memory is EFAULT.
  EXPECT_ERRNO(raw_path_open(dir, follow, ptr(OUTSIDE_MEMORY), 16, 0, (int64_t)kAllRights,
                             (int64_t)kAllRights, 0, ptr(&fd)),
               __WASI_ERRNO_FAULT);

  // A path operation on a non-directory fd, or on no fd.
  __wasi_fd_t file = open_at(dir, "secret.txt", 0, 0);
  EXPECT_ERRNO(try_open(file, "x", follow, 0), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO(try_open(77, "x", follow, 0), __WASI_ERRNO_BADF);
  puts("ok");
  return 0;
}

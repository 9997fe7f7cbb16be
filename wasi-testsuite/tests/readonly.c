// A read-only grant (keel's `dirs_ro` extension of the spec format, --dir HOST::GUEST::ro):
// reads work; every create, write, truncate, rename, link, unlink, symlink, mkdir, rmdir and
// set-times is refused, also through fds opened from it and across into a writable grant.
// The runner checks the directory is byte-for-byte unchanged afterwards.
#include "common.h"

// Every path call that would create, change or delete something under the read-only grant is
// EPERM, as wasmtime answers for a directory without mutate permission (before rights are looked
// at). An fd opened from it for reading lacks the write rights: ENOTCAPABLE, as any such fd.
#define EXPECT_READ_ONLY(call) EXPECT_ERRNO(call, __WASI_ERRNO_PERM)
#define EXPECT_NO_RIGHT(call) EXPECT_ERRNO(call, __WASI_ERRNO_NOTCAPABLE)

static __wasi_errno_t try_open(__wasi_fd_t dir, const char* path, __wasi_oflags_t oflags,
                               __wasi_rights_t rights, __wasi_fdflags_t fdflags) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(dir, 0, path, oflags, rights, rights, fdflags, &fd);
  if (e == __WASI_ERRNO_SUCCESS) EXPECT_OK(__wasi_fd_close(fd));
  return e;
}

int main(void) {
  __wasi_fd_t ro = preopen("ro.dir");
  __wasi_fd_t rw = preopen("rw.dir");
  const __wasi_rights_t read = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK |
                               __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_READDIR;

  __wasi_fd_t f;
  EXPECT_OK(__wasi_path_open(ro, 0, "keep.txt", 0, read, 0, 0, &f));
  char buf[16] = {0};
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf};
  __wasi_size_t n;
  EXPECT_OK(__wasi_fd_read(f, &iov, 1, &n));
  CHECK(n == 5 && memcmp(buf, "keep\n", 5) == 0);
  __wasi_ciovec_t ciov = {(const uint8_t*)"x", 1};
  EXPECT_NO_RIGHT(__wasi_fd_write(f, &ciov, 1, &n));
  EXPECT_NO_RIGHT(__wasi_fd_pwrite(f, &ciov, 1, 0, &n));
  EXPECT_NO_RIGHT(__wasi_fd_filestat_set_size(f, 0));
  EXPECT_NO_RIGHT(__wasi_fd_filestat_set_times(f, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  EXPECT_NO_RIGHT(__wasi_fd_allocate(f, 0, 100));
  EXPECT_NO_RIGHT(__wasi_fd_fdstat_set_rights(f, kAllRights, kAllRights));
  EXPECT_OK(__wasi_fd_close(f));

  EXPECT_READ_ONLY(try_open(ro, "keep.txt", 0, kAllRights, 0));
  EXPECT_READ_ONLY(try_open(ro, "keep.txt", 0, __WASI_RIGHTS_FD_WRITE, 0));
  EXPECT_READ_ONLY(try_open(ro, "keep.txt", __WASI_OFLAGS_TRUNC, read, 0));
  EXPECT_READ_ONLY(
      try_open(ro, "keep.txt", 0, read | __WASI_RIGHTS_FD_WRITE, __WASI_FDFLAGS_APPEND));
  EXPECT_READ_ONLY(try_open(ro, "new.txt", __WASI_OFLAGS_CREAT, read, 0));
  EXPECT_READ_ONLY(try_open(ro, "d/new.txt", __WASI_OFLAGS_CREAT, read, 0));
  EXPECT_READ_ONLY(__wasi_path_create_directory(ro, "newdir"));
  EXPECT_READ_ONLY(__wasi_path_remove_directory(ro, "d"));
  EXPECT_READ_ONLY(__wasi_path_unlink_file(ro, "keep.txt"));
  EXPECT_READ_ONLY(__wasi_path_rename(ro, "keep.txt", ro, "renamed.txt"));
  EXPECT_READ_ONLY(__wasi_path_link(ro, 0, "keep.txt", ro, "linked.txt"));
  EXPECT_READ_ONLY(__wasi_path_symlink("keep.txt", ro, "sym"));
  EXPECT_READ_ONLY(
      __wasi_path_filestat_set_times(ro, 0, "keep.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  // Across into the writable grant: moving or linking a file out of a read-only grant would let
  // it be changed, moving one in would change the read-only tree.
  EXPECT_READ_ONLY(__wasi_path_rename(ro, "keep.txt", rw, "stolen.txt"));
  EXPECT_READ_ONLY(__wasi_path_link(ro, 0, "keep.txt", rw, "linked.txt"));
  __wasi_fd_t w = open_at(rw, "mine.txt", __WASI_OFLAGS_CREAT, 0);
  EXPECT_OK(__wasi_fd_close(w));
  EXPECT_READ_ONLY(__wasi_path_rename(rw, "mine.txt", ro, "mine.txt"));
  EXPECT_READ_ONLY(__wasi_path_link(rw, 0, "mine.txt", ro, "mine.txt"));

  // A directory opened beneath the grant inherits it.
  __wasi_fd_t d;
  EXPECT_OK(__wasi_path_open(ro, 0, "d", __WASI_OFLAGS_DIRECTORY, kDirRights, kAllRights, 0, &d));
  EXPECT_READ_ONLY(try_open(d, "new.txt", __WASI_OFLAGS_CREAT, read, 0));
  EXPECT_READ_ONLY(__wasi_path_create_directory(d, "x"));
  EXPECT_READ_ONLY(__wasi_path_unlink_file(d, "inside.txt"));
  EXPECT_OK(try_open(d, "inside.txt", 0, read, 0));
  puts("ok");
  return 0;
}

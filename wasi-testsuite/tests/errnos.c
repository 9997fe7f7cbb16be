// Errnos where POSIX leaves a choice and keel answers as wasmtime's preview1 does: a symlink to an
// absolute path is refused (EPERM: it could only ever lead out of the sandbox), and a directory
// opened with fd_write among its rights is EISDIR (after ENOENT and ENOTDIR, which come first).
// wasi-libc's opendir, which asks for no fd_write, still opens directories.
#include <dirent.h>

#include "common.h"

int main(void) {
  __wasi_fd_t dir = preopen("errnos.dir");
  __wasi_fd_t fd;

  EXPECT_ERRNO(__wasi_path_symlink("/", dir, "root"), __WASI_ERRNO_PERM);
  EXPECT_ERRNO(__wasi_path_symlink("/etc/passwd", dir, "sub/passwd"), __WASI_ERRNO_PERM);
  __wasi_filestat_t st;
  EXPECT_ERRNO(__wasi_path_filestat_get(dir, 0, "root", &st), __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_path_symlink("sub/f.txt", dir, "relative"));  // relative targets still work
  EXPECT_OK(__wasi_path_unlink_file(dir, "relative"));

  const __wasi_rights_t write = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE;
  EXPECT_ERRNO(__wasi_path_open(dir, 0, "sub", __WASI_OFLAGS_DIRECTORY, write, 0, 0, &fd),
               __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(__wasi_path_open(dir, 0, ".", __WASI_OFLAGS_DIRECTORY, kAllRights, 0, 0, &fd),
               __WASI_ERRNO_ISDIR);
  EXPECT_ERRNO(__wasi_path_open(dir, 0, "sub/f.txt", __WASI_OFLAGS_DIRECTORY, write, 0, 0, &fd),
               __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO(__wasi_path_open(dir, 0, "nope", __WASI_OFLAGS_DIRECTORY, write, 0, 0, &fd),
               __WASI_ERRNO_NOENT);
  EXPECT_OK(
      __wasi_path_open(dir, 0, "sub", __WASI_OFLAGS_DIRECTORY, kDirRights, kAllRights, 0, &fd));
  EXPECT_OK(__wasi_fd_close(fd));

  DIR* d = opendir("errnos.dir/sub");
  CHECK(d != NULL);
  int found = 0;
  for (struct dirent* e; (e = readdir(d));) found += strcmp(e->d_name, "f.txt") == 0;
  CHECK(found == 1);
  closedir(d);
  puts("ok");
  return 0;
}

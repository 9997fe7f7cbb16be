// Every path_* function and fd_readdir in a granted directory, with their error paths.
#include "common.h"

// Entries of `dir` read with fd_readdir into a buffer pre-filled with 0xAA: the padding of each
// dirent must be zero (no host bytes leak) and nothing past bufused may change.
static int count_entries(__wasi_fd_t dir, const char* want, int* found) {
  static uint8_t buf[4096];
  memset(buf, 0xAA, sizeof buf);
  __wasi_size_t used;
  EXPECT_OK(__wasi_fd_readdir(dir, buf, sizeof buf, 0, &used));
  CHECK(used < sizeof buf);
  for (size_t i = used; i < sizeof buf; ++i) CHECK(buf[i] == 0xAA);
  int count = 0;
  *found = 0;
  for (size_t off = 0; off + sizeof(__wasi_dirent_t) <= used;) {
    __wasi_dirent_t d;
    memcpy(&d, buf + off, sizeof d);
    CHECK(buf[off + 21] == 0 && buf[off + 22] == 0 && buf[off + 23] == 0);
    const char* name = (const char*)buf + off + sizeof d;
    if (d.d_namlen == strlen(want) && memcmp(name, want, d.d_namlen) == 0) {
      *found = 1;
      CHECK(d.d_type == __WASI_FILETYPE_REGULAR_FILE);
    }
    ++count;
    off += sizeof d + d.d_namlen;
  }
  return count;
}

int main(void) {
  __wasi_fd_t dir = preopen("path.dir");
  __wasi_filestat_t st;

  EXPECT_OK(__wasi_path_create_directory(dir, "sub"));
  EXPECT_ERRNO(__wasi_path_create_directory(dir, "sub"), __WASI_ERRNO_EXIST);
  EXPECT_ERRNO(__wasi_path_create_directory(dir, "missing/sub"), __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_path_filestat_get(dir, 0, "sub", &st));
  CHECK(st.filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT_ERRNO(__wasi_path_filestat_get(dir, 0, "nope", &st), __WASI_ERRNO_NOENT);

  __wasi_fd_t f = open_at(dir, "sub/file.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0);
  write_all(f, "abc");
  EXPECT_OK(__wasi_fd_close(f));
  __wasi_fd_t g;
  EXPECT_ERRNO(__wasi_path_open(dir, 0, "sub/file.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL,
                                kAllRights, kAllRights, 0, &g),
               __WASI_ERRNO_EXIST);
  EXPECT_ERRNO(__wasi_path_open(dir, 0, "sub/file.txt", __WASI_OFLAGS_DIRECTORY, kAllRights,
                                kAllRights, 0, &g),
               __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO(__wasi_path_open(dir, 0, "nope", 0, kAllRights, kAllRights, 0, &g),
               __WASI_ERRNO_NOENT);

  EXPECT_OK(__wasi_path_filestat_set_times(dir, 0, "sub/file.txt", 5000000000ull, 6000000000ull,
                                           __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  EXPECT_OK(__wasi_path_filestat_get(dir, 0, "sub/file.txt", &st));
  CHECK(st.size == 3 && st.atim == 5000000000ull && st.mtim == 6000000000ull);
  EXPECT_ERRNO(__wasi_path_filestat_set_times(dir, 0, "nope", 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
               __WASI_ERRNO_NOENT);
  EXPECT_ERRNO(__wasi_path_filestat_set_times(dir, 0, "sub/file.txt", 1, 1,
                                              __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
               __WASI_ERRNO_INVAL);

  EXPECT_OK(__wasi_path_link(dir, 0, "sub/file.txt", dir, "hard.txt"));
  EXPECT_OK(__wasi_path_filestat_get(dir, 0, "hard.txt", &st));
  CHECK(st.nlink == 2);
  EXPECT_ERRNO(__wasi_path_link(dir, 0, "sub/file.txt", dir, "hard.txt"), __WASI_ERRNO_EXIST);
  EXPECT_ERRNO(__wasi_path_link(dir, 0, "nope", dir, "x"), __WASI_ERRNO_NOENT);

  EXPECT_OK(__wasi_path_symlink("sub/file.txt", dir, "soft"));
  char target[64];
  __wasi_size_t len;
  EXPECT_OK(__wasi_path_readlink(dir, "soft", (uint8_t*)target, sizeof target, &len));
  CHECK(len == 12 && memcmp(target, "sub/file.txt", 12) == 0);
  EXPECT_OK(__wasi_path_readlink(dir, "soft", (uint8_t*)target, 4, &len));  // truncated
  CHECK(len == 4 && memcmp(target, "sub/", 4) == 0);
  EXPECT_ERRNO(__wasi_path_readlink(dir, "hard.txt", (uint8_t*)target, sizeof target, &len),
               __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(__wasi_path_symlink("x", dir, "soft"), __WASI_ERRNO_EXIST);
  EXPECT_OK(__wasi_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "soft", &st));
  CHECK(st.filetype == __WASI_FILETYPE_REGULAR_FILE);
  EXPECT_OK(__wasi_path_filestat_get(dir, 0, "soft", &st));
  CHECK(st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
  // Without SYMLINK_FOLLOW, opening a symlink as the last component is refused: ELOOP, as
  // open(2) with O_NOFOLLOW.
  EXPECT_ERRNO(__wasi_path_open(dir, 0, "soft", 0, kAllRights, kAllRights, 0, &g),
               __WASI_ERRNO_LOOP);

  EXPECT_OK(__wasi_path_rename(dir, "hard.txt", dir, "sub/renamed.txt"));
  EXPECT_ERRNO(__wasi_path_filestat_get(dir, 0, "hard.txt", &st), __WASI_ERRNO_NOENT);
  EXPECT_ERRNO(__wasi_path_rename(dir, "nope", dir, "x"), __WASI_ERRNO_NOENT);

  __wasi_fd_t sub = open_at(dir, "sub", __WASI_OFLAGS_DIRECTORY, 0);
  int found;
  CHECK(count_entries(sub, "renamed.txt", &found) == 4 && found);  // . .. file.txt renamed.txt
  // A buffer smaller than one entry is filled to the brim: bufused == buf_len says "more".
  uint8_t tiny[10];
  __wasi_size_t used;
  EXPECT_OK(__wasi_fd_readdir(sub, tiny, sizeof tiny, 0, &used));
  CHECK(used == sizeof tiny);
  // Cookies resume: starting from the second entry's cookie gives one fewer.
  uint8_t buf[1024];
  EXPECT_OK(__wasi_fd_readdir(sub, buf, sizeof buf, 0, &used));
  __wasi_dirent_t first;
  memcpy(&first, buf, sizeof first);
  __wasi_size_t used2;
  EXPECT_OK(__wasi_fd_readdir(sub, buf, sizeof buf, first.d_next, &used2));
  CHECK(used2 < used);
  EXPECT_ERRNO(__wasi_fd_readdir(sub, OUTSIDE_MEMORY, 64, 0, &used), __WASI_ERRNO_FAULT);
  __wasi_fd_t file = open_at(dir, "sub/file.txt", 0, 0);
  EXPECT_ERRNO(__wasi_fd_readdir(file, buf, sizeof buf, 0, &used), __WASI_ERRNO_NOTDIR);
  EXPECT_OK(__wasi_fd_close(file));

  EXPECT_ERRNO(__wasi_path_remove_directory(dir, "sub"), __WASI_ERRNO_NOTEMPTY);
  EXPECT_ERRNO(__wasi_path_remove_directory(dir, "soft"), __WASI_ERRNO_NOTDIR);
  EXPECT_ERRNO(__wasi_path_unlink_file(dir, "sub"), __WASI_ERRNO_ISDIR);  // Linux's, not EPERM
  EXPECT_OK(__wasi_path_unlink_file(dir, "soft"));
  EXPECT_OK(__wasi_path_unlink_file(dir, "sub/file.txt"));
  EXPECT_OK(__wasi_path_unlink_file(sub, "renamed.txt"));
  EXPECT_ERRNO(__wasi_path_unlink_file(dir, "sub/file.txt"), __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_fd_close(sub));
  EXPECT_OK(__wasi_path_remove_directory(dir, "sub"));
  EXPECT_ERRNO(__wasi_path_remove_directory(dir, "sub"), __WASI_ERRNO_NOENT);
  // The directory is as the test found it: just the fixture's file.
  CHECK(count_entries(dir, "fixture.txt", &found) == 3 && found);
  puts("ok");
  return 0;
}

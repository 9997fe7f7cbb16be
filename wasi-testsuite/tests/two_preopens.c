// Two granted directories: rename and link across them work (both are capabilities the guest
// holds) and stay beneath each; a ".." on either side is still an escape.
#include "common.h"

int main(void) {
  __wasi_fd_t a = preopen("a.dir");
  __wasi_fd_t b = preopen("b.dir");
  CHECK(a != b);
  __wasi_filestat_t st;
  EXPECT_OK(__wasi_path_rename(a, "move.txt", b, "moved.txt"));
  EXPECT_ERRNO(__wasi_path_filestat_get(a, 0, "move.txt", &st), __WASI_ERRNO_NOENT);
  EXPECT_OK(__wasi_path_filestat_get(b, 0, "moved.txt", &st));
  CHECK(st.size == 5);
  EXPECT_OK(__wasi_path_link(b, 0, "moved.txt", a, "linked.txt"));
  EXPECT_OK(__wasi_path_filestat_get(a, 0, "linked.txt", &st));
  CHECK(st.nlink == 2);
  EXPECT_ESCAPE(__wasi_path_rename(a, "linked.txt", b, "../a.dir/again.txt"));
  EXPECT_ESCAPE(__wasi_path_rename(a, "../b.dir/moved.txt", b, "x.txt"));
  EXPECT_ESCAPE(__wasi_path_link(a, 0, "linked.txt", b, "../outside.txt"));
  EXPECT_ESCAPE(__wasi_path_link(a, 0, "../b.dir/moved.txt", b, "y.txt"));
  EXPECT_ERRNO(__wasi_path_rename(a, "linked.txt", 99, "x"), __WASI_ERRNO_BADF);
  puts("ok");
  return 0;
}

// A listening socket granted with --tcplisten (keel's `tcplisten` extension of the spec format;
// the runner is the client): fd 3 is the listener; accept, receive, send, shut down, close.
#include "common.h"

int main(void) {
  __wasi_fdstat_t fs;
  EXPECT_OK(__wasi_fd_fdstat_get(3, &fs));
  CHECK(fs.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM);
  __wasi_fd_t c;
  EXPECT_OK(__wasi_sock_accept(3, 0, &c));
  char buf[64];
  size_t got = 0;
  while (got < 5) {  // "ping\n" may arrive in pieces
    __wasi_iovec_t iov = {(uint8_t*)buf + got, sizeof buf - got};
    __wasi_size_t n;
    __wasi_roflags_t roflags;
    EXPECT_OK(__wasi_sock_recv(c, &iov, 1, 0, &n, &roflags));
    CHECK(n > 0);
    got += n;
  }
  CHECK(got == 5 && memcmp(buf, "ping\n", 5) == 0);
  __wasi_ciovec_t out[2] = {{(const uint8_t*)"pong:", 5}, {(const uint8_t*)buf, 5}};
  __wasi_size_t sent;
  EXPECT_OK(__wasi_sock_send(c, out, 2, 0, &sent));
  CHECK(sent == 10);
  EXPECT_OK(__wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
  EXPECT_ERRNO(__wasi_sock_shutdown(c, 0x10), __WASI_ERRNO_INVAL);
  EXPECT_OK(__wasi_fd_close(c));
  puts("ok");
  return 0;
}

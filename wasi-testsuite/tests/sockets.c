// sock_accept, sock_recv, sock_send, sock_shutdown on fds that are not sockets (ENOTSOCK, before
// rights are looked at: stdout may be a pipe, a file or a terminal), or not open (EBADF).
#include "common.h"

int main(void) {
  __wasi_fd_t c;
  char buf[8];
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf};
  __wasi_ciovec_t ciov = {(const uint8_t*)"x", 1};
  __wasi_size_t n;
  __wasi_roflags_t roflags;
  EXPECT_ERRNO(__wasi_sock_accept(1, 0, &c), __WASI_ERRNO_NOTSOCK);
  EXPECT_ERRNO(__wasi_sock_recv(1, &iov, 1, 0, &n, &roflags), __WASI_ERRNO_NOTSOCK);
  EXPECT_ERRNO(__wasi_sock_send(1, &ciov, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
  EXPECT_ERRNO(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
  EXPECT_ERRNO(__wasi_sock_accept(50, 0, &c), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_sock_recv(50, &iov, 1, 0, &n, &roflags), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_sock_send(50, &ciov, 1, 0, &n), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_sock_shutdown(50, __WASI_SDFLAGS_RD), __WASI_ERRNO_BADF);
  puts("ok");
  return 0;
}

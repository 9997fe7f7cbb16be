// The I/O benchmark: copy stdin to stdout through one 64 KiB buffer with read(2)/write(2), built
// natively and for WASI from this one source. Almost no computation, so the time is the cost of
// each runner's read and write path (for a WASI runner, fd_read and fd_write through the host).
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static char buffer[64 * 1024];

int main(void) {
  for (;;) {
    ssize_t got = read(0, buffer, sizeof buffer);
    if (got == 0) return 0;
    if (got < 0) {
      if (errno == EINTR) continue;
      perror("cat: read");
      return 1;
    }
    // A pipe or terminal may take less than asked for: write the rest before reading again.
    for (ssize_t done = 0; done < got;) {
      ssize_t put = write(1, buffer + done, (size_t)(got - done));
      if (put < 0) {
        if (errno == EINTR) continue;
        perror("cat: write");
        return 1;
      }
      done += put;
    }
  }
}

// proc_exit: the status reaches the host's exit status, and nothing after it runs.
#include "common.h"

int main(void) {
  puts("before");
  fflush(stdout);
  __wasi_proc_exit(7);
  puts("after");
  return 0;
}

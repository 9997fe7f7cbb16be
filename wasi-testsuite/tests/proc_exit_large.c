// proc_exit with a status a process cannot report (126 and above): the runtime exits 1.
#include "common.h"

int main(void) {
  __wasi_proc_exit(300);
}

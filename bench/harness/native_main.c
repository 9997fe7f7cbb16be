// Native driver: the same program source built for the host, called the way `keel run --invoke`
// calls the wasm build, printing the checksum as keel does (one signed decimal per line).
#include <stdio.h>
#include <stdlib.h>

#include "../programs/bench.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s N\n", argv[0]);
    return 2;
  }
  printf("%lld\n", (long long)run((i32)atoi(argv[1])));
  return 0;
}

// The README's first example: a WASI command that greets whoever it is given on the command line.
#include <stdio.h>

int main(int argc, char** argv) {
  printf("Hello, %s!\n", argc > 1 ? argv[1] : "world");
  return 0;
}

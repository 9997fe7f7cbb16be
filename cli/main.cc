#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  // Disassembly output can be large; unsynchronised streams keep writing it cheap.
  std::ios::sync_with_stdio(false);
  keel::cli::prepare_process();
  return keel::cli::run_cli(argc, argv, std::cout, std::cerr);
}

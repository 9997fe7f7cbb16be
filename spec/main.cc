#include "spec_cli.h"

int main(int argc, char** argv) {
  return keel::spec::spec_main(argc, argv);
}

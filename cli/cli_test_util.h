// What the CLI tests share: running `keel ARGS...` in the test's process, as a user would type
// it, with its exit status and both output streams.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace keel::cli::test {

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

inline Outcome run(std::vector<std::string> args) {
  args.insert(args.begin(), "keel");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  int status = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  return {status, out.str(), err.str()};
}

}  // namespace keel::cli::test

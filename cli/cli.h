// The `keel` command line as a library: main() only forwards to run_cli, so tests drive the exact
// parsing, output and exit codes users see.
#pragma once

#include <ostream>
#include <string>

namespace keel::cli {

// Parses argv, runs the chosen subcommand and returns the process exit status: 0 success,
// 1 failure (invalid module, unreadable file), 2 usage error.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// "keel <version> (<git commit>)", what --version prints.
std::string version_string();

}  // namespace keel::cli

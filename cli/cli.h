// The `keel` command line as a library: main() only forwards to run_cli, so tests drive the exact
// parsing, output and exit codes users see.
#pragma once

#include <ostream>
#include <string>

namespace keel::cli {

// Parses argv, runs the chosen subcommand and returns the process exit status: 0 success,
// 1 failure (invalid module, unreadable file), 2 usage error.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// What main() does before run_cli: SIGPIPE ignored (a guest writing to a closed pipe gets EPIPE
// from fd_write, and keel never dies of the signal), and fds 0, 1 and 2 that keel was started
// without reserved (opened on /dev/null) so no file, socket or directory keel opens takes their
// numbers; the guest still sees them closed (EBADF), as wasi_options.h's closed_standard_fds says.
void prepare_process();

// "keel <version> (<git commit>)", what --version prints.
std::string version_string();

}  // namespace keel::cli

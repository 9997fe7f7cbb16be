// A subcommand of `keel`. Each lives in its own file in this folder: it registers its options on
// the parser and returns what to run once parsing chose it. Adding one (`keel run`) is a new file
// here plus a line in cli.cc.
#pragma once

#include <functional>
#include <ostream>

namespace CLI {
class App;
}

namespace keel::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // invalid or malformed module, unreadable file
inline constexpr int kExitUsage = 2;    // bad command line (as wasmtime)
// A wasm trap: wasmtime exits as a process killed by SIGABRT would (128 + 6) on Unix.
inline constexpr int kExitTrap = 134;

struct Io {
  std::ostream& out;
  std::ostream& err;
};

struct Subcommand {
  CLI::App* app;  // owned by the parent parser
  std::function<int(Io)> run;
};

Subcommand add_validate_command(CLI::App& parent);
Subcommand add_disasm_command(CLI::App& parent);
Subcommand add_run_command(CLI::App& parent);
Subcommand add_compile_command(CLI::App& parent);
Subcommand add_wat2wasm_command(CLI::App& parent);
Subcommand add_wast_command(CLI::App& parent);
Subcommand add_settings_command(CLI::App& parent);
Subcommand add_completion_command(CLI::App& parent);

}  // namespace keel::cli

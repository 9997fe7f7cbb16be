// What every module-reading subcommand takes: one .wasm file and the proposals it may use, and the
// one-line error report they all print.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"
#include "ir/features.h"

namespace CLI {
class App;
}

namespace keel::cli {

struct ModuleInput {
  std::string path;
  std::vector<std::string> enable;  // command-line names from KEEL_FEATURES
  bool enable_all = false;

  Features features() const;
};

// Adds the FILE positional, `--enable FEATURE` (repeatable, comma-separated) and `--enable-all`.
void add_module_input(CLI::App& command, ModuleInput& input);

// Prints "keel: FILE: <error>" (I/O errors name the file themselves) and returns kExitFailure.
int report_error(std::ostream& err, const std::string& path, const Error& error);

}  // namespace keel::cli

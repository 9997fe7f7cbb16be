// What every module-reading subcommand takes: one module file (binary or text) and the proposals it
// may use, and the one-line error report they all print.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/byte_buffer.h"
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
// `--enable` and `--enable-all` alone, for a command whose files are not one module.
void add_feature_options(CLI::App& command, ModuleInput& input);

// Reads a module file, binary or text (told apart by content, not the name): a text module is
// encoded to its binary form here, so every command takes both. With memory64 enabled, the text
// has Wasm 3.0's 64-bit limits and offsets (text::WatOptions).
Result<std::shared_ptr<const ByteBuffer>> read_module_file(const std::string& path,
                                                           const Features& features);

// Prints "keel: FILE: <error>" (I/O errors name the file themselves) and returns kExitFailure.
int report_error(std::ostream& err, const std::string& path, const Error& error);

}  // namespace keel::cli

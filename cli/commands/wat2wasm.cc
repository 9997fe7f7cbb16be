// `keel wat2wasm FILE [-o OUT] [--debug-names]`: encodes a text module as a binary one, as wabt's
// tool of that name does, and validates it unless told not to.
#include <fstream>
#include <span>

#include <CLI/CLI.hpp>

#include "base/byte_buffer.h"
#include "cli/commands/command.h"
#include "cli/commands/module_input.h"
#include "text/wat.h"
#include "validate/validator.h"

namespace keel::cli {
namespace {

// m.wat becomes m.wasm beside it; a name without the extension gets one.
std::string default_output(const std::string& input) {
  std::string stem = input;
  if (stem.ends_with(".wat")) stem.resize(stem.size() - 4);
  return stem + ".wasm";
}

}  // namespace

Subcommand add_wat2wasm_command(CLI::App& parent) {
  struct Options {
    ModuleInput input;
    std::string output;
    bool no_check = false;
    bool debug_names = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command =
      parent.add_subcommand("wat2wasm", "Encode a text module (.wat) as a binary module");
  add_module_input(*command, o->input);
  command->add_option("-o,--output", o->output,
                      "Where to write the binary (default: FILE with .wasm for .wat; - for "
                      "standard output)");
  command->add_flag("--no-check", o->no_check, "Do not validate the module");
  command->add_flag("--debug-names", o->debug_names,
                    "Write a name section from the identifiers ($names), as wabt's flag does");
  return {command, [o](Io io) {
            const std::string& path = o->input.path;
            auto buffer = ByteBuffer::from_file(path);
            if (!buffer) return report_error(io.err, path, buffer.error());
            std::span<const uint8_t> bytes = (*buffer)->bytes();
            std::string_view source(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            auto binary = text::wat_to_wasm(path, source,
                                            {.u64_limits_and_offsets = o->input.features().memory64,
                                             .debug_names = o->debug_names});
            if (!binary) return report_error(io.err, path, binary.error());
            if (!o->no_check) {
              auto checked = load_module(ByteBuffer::copy_of(*binary), o->input.features());
              if (!checked) return report_error(io.err, path, checked.error());
            }
            const char* data = reinterpret_cast<const char*>(binary->data());
            if (o->output == "-") {
              io.out.write(data, static_cast<std::streamsize>(binary->size()));
              io.out.flush();
              return kExitOk;
            }
            std::string output = o->output.empty() ? default_output(path) : o->output;
            std::ofstream file(output, std::ios::binary | std::ios::trunc);
            file.write(data, static_cast<std::streamsize>(binary->size()));
            file.close();
            if (!file) {
              io.err << "keel: " << output << ": cannot write the module\n";
              return kExitFailure;
            }
            return kExitOk;
          }};
}

}  // namespace keel::cli

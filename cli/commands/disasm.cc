// `keel disasm FILE`: list function bodies with offsets, like `wasm-objdump -d`. Decodes without
// validating, so modules the validator rejects can still be inspected.
#include <optional>

#include <CLI/CLI.hpp>

#include "base/byte_buffer.h"
#include "cli/commands/command.h"
#include "cli/commands/module_input.h"
#include "decode/module_decoder.h"
#include "disasm/disassembler.h"

namespace keel::cli {

Subcommand add_disasm_command(CLI::App& parent) {
  struct Options {
    ModuleInput input;
    std::optional<uint32_t> function;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = parent.add_subcommand("disasm", "Print the instructions of each function");
  add_module_input(*command, options->input);
  command->add_option("-f,--function", options->function,
                      "Only this function (index in the function index space, imports included)");
  return {command, [options](Io io) {
            const std::string& path = options->input.path;
            auto buffer = read_module_file(path, options->input.features());
            if (!buffer) return report_error(io.err, path, buffer.error());
            auto module = decode_module(std::move(buffer).value(), options->input.features());
            if (!module) return report_error(io.err, path, module.error());
            Status listed = options->function
                                ? disassemble_function(*module, *options->function, io.out)
                                : disassemble_module(*module, io.out);
            io.out.flush();
            if (!listed) return report_error(io.err, path, listed.error());
            return kExitOk;
          }};
}

}  // namespace keel::cli

// `keel validate FILE`: decode and validate; silent on success, one error line otherwise.
#include <chrono>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "base/byte_buffer.h"
#include "cli/commands/command.h"
#include "cli/commands/module_input.h"
#include "validate/validator.h"

namespace keel::cli {

Subcommand add_validate_command(CLI::App& parent) {
  auto input = std::make_shared<ModuleInput>();
  CLI::App* command =
      parent.add_subcommand("validate", "Check that a module is well-formed and valid");
  add_module_input(*command, *input);
  return {command, [input](Io io) {
            auto buffer = read_module_file(input->path, input->features());
            if (!buffer) return report_error(io.err, input->path, buffer.error());
            size_t size = (*buffer)->bytes().size();
            auto start = std::chrono::steady_clock::now();
            auto module = load_module(std::move(buffer).value(), input->features());
            std::chrono::duration<double, std::milli> elapsed =
                std::chrono::steady_clock::now() - start;
            if (!module) return report_error(io.err, input->path, module.error());
            spdlog::debug("{}: valid: {} bytes, {} functions, decoded and validated in {:.2f} ms",
                          input->path, size, module->functions.size(), elapsed.count());
            return kExitOk;
          }};
}

}  // namespace keel::cli

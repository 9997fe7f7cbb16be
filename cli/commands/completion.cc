// `keel completion bash|zsh|fish`: prints the shell's completion script, written from the parser
// this command belongs to (cli/completion.h). Hidden: the build runs it to make the installed
// scripts; users may source its output directly.
#include <CLI/CLI.hpp>

#include "cli/commands/command.h"
#include "cli/completion.h"
#include "keel_version.h"

namespace keel::cli {

Subcommand add_completion_command(CLI::App& parent) {
  auto shell = std::make_shared<std::string>();
  CLI::App* command =
      parent.add_subcommand("completion", "Print a shell completion script")->group("");
  command->add_option("SHELL", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  return {command, [shell, &parent](Io io) {
            std::vector<CompletionCommand> model = completion_model(parent);
            if (*shell == "bash")
              io.out << bash_completion(model, KEEL_VERSION);
            else if (*shell == "zsh")
              io.out << zsh_completion(model, KEEL_VERSION);
            else
              io.out << fish_completion(model, KEEL_VERSION);
            io.out.flush();
            return kExitOk;
          }};
}

}  // namespace keel::cli

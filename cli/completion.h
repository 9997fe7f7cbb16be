// Shell completion scripts written from the parser itself (`keel completion bash|zsh|fish`), so the
// installed scripts list exactly the subcommands and options keel accepts. Hidden subcommands and
// options (CLI11 group "") are left out. What an option's value completes to comes from the parser
// too: an IsMember set gives its words; a type name starting HOST or DIR, a directory; FILE or a
// positional FILE, a file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace keel::cli {

enum class ValueKind { kNone, kWord, kChoice, kDirectory, kFile };

struct CompletionOption {
  std::vector<std::string> names;  // as typed: "-W", "--dir"
  std::string description;
  std::string type_name;  // "HOST[::GUEST][::ro]"; empty for flags
  ValueKind value = ValueKind::kNone;
  std::vector<std::string> choices;  // kChoice
  char delimiter = '\0';             // a list in one value ("simd,threads")
  bool repeatable = false;
};

struct CompletionCommand {
  std::string name;  // empty for keel itself
  std::string description;
  std::vector<CompletionOption> options;
  bool takes_file = false;       // a positional FILE (the module)
  bool args_after_file = false;  // everything after FILE is the guest's (`run`)
};

// keel itself first, then each visible subcommand in the order registered.
std::vector<CompletionCommand> completion_model(const CLI::App& app);

// The scripts. `version` goes into the header comment only.
std::string bash_completion(const std::vector<CompletionCommand>& commands,
                            std::string_view version);
std::string zsh_completion(const std::vector<CompletionCommand>& commands,
                           std::string_view version);
std::string fish_completion(const std::vector<CompletionCommand>& commands,
                            std::string_view version);

}  // namespace keel::cli

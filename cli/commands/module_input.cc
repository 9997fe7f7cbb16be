#include "cli/commands/module_input.h"

#include <CLI/CLI.hpp>

#include "cli/commands/command.h"

namespace keel::cli {
namespace {

struct FeatureFlag {
  const char* name;
  bool Features::*field;
};

constexpr FeatureFlag kFeatureFlags[] = {
#define KEEL_FEATURE_FLAG(id, name, on) {name, &Features::id},
    KEEL_FEATURES(KEEL_FEATURE_FLAG)
#undef KEEL_FEATURE_FLAG
};

}  // namespace

Features ModuleInput::features() const {
  if (enable_all) return Features::all();
  Features features;
  for (const std::string& name : enable)
    for (const FeatureFlag& flag : kFeatureFlags)
      if (name == flag.name) features.*flag.field = true;
  return features;
}

void add_module_input(CLI::App& command, ModuleInput& input) {
  std::vector<std::string> names;
  for (const FeatureFlag& flag : kFeatureFlags) names.emplace_back(flag.name);
  command.add_option("FILE", input.path, "WebAssembly binary module")->required();
  command
      .add_option("--enable", input.enable,
                  "Allow a proposal beyond the Wasm 2.0 defaults (repeatable, comma-separated)")
      ->type_name("FEATURE")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->check(CLI::IsMember(names));
  command.add_flag("--enable-all", input.enable_all, "Allow every proposal keel knows");
}

int report_error(std::ostream& err, const std::string& path, const Error& error) {
  if (error.kind == ErrorKind::kIo)
    err << "keel: " << error.message << '\n';
  else
    err << "keel: " << path << ": " << error.to_string() << '\n';
  return kExitFailure;
}

}  // namespace keel::cli

// `keel wast FILE.wast...`: runs spec test scripts, as wasmtime's command of that name does, with
// the spec runner's script layer (spec/: keel_wast): every module compiled and run at tier 1.
#include <CLI/CLI.hpp>

#include "cli/commands/command.h"
#include "cli/commands/module_input.h"
#include "spec_report.h"
#include "spec_runner.h"
#include "spec_suite.h"
#include "wast_script.h"

namespace keel::cli {
namespace {

spec::ScriptOutcome run_file(const std::string& path, const Features& features) {
  spec::ScriptOutcome outcome{spec::script_name(path), spec::ScriptResult{}, {}};
  auto script = spec::read_wast_script(path, {.u64_limits_and_offsets = features.memory64});
  if (!script) {
    outcome.result->failed = 1;
    outcome.result->failures.push_back({0, script.error().message});
    return outcome;
  }
  auto engine = spec::make_executing_engine(features, runtime::Tier::kBaseline);
  outcome.result = spec::run_script(*script, *engine, {}, {});
  return outcome;
}

}  // namespace

Subcommand add_wast_command(CLI::App& parent) {
  struct Options {
    std::vector<std::string> files;
    ModuleInput features;  // only its --enable options
    bool verbose = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = parent.add_subcommand("wast", "Run WebAssembly spec test scripts (.wast)");
  command->add_option("FILE", o->files, "Spec scripts (.wast)")->required();
  add_feature_options(*command, o->features);
  command->add_flag("-v,--verbose", o->verbose,
                    "List rejections whose message differs from the script's");
  return {command, [o](Io io) {
            Features features = o->features.features();
            std::vector<spec::ScriptOutcome> outcomes;
            for (const std::string& file : o->files) outcomes.push_back(run_file(file, features));
            spec::print_scripts(io.out, outcomes, o->verbose);
            spec::Totals totals = spec::sum_outcomes(outcomes);
            spec::print_total(io.out, totals);
            spec::print_last_line(io.out, totals);
            return totals.failed == 0 ? kExitOk : kExitFailure;
          }};
}

}  // namespace keel::cli

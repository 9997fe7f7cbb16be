// `keel wast FILE.wast...`: runs spec test scripts, as wasmtime's command of that name does, with
// the spec runner's script layer (spec/: keel_wast): every module compiled at tier 1, tier 2, or
// tiered (--tier, or -C tier= as keel run spells it).
#include <iterator>

#include <CLI/CLI.hpp>

#include "cli/commands/command.h"
#include "cli/commands/invoke_values.h"
#include "cli/commands/module_input.h"
#include "spec_report.h"
#include "spec_runner.h"
#include "spec_suite.h"
#include "wast_script.h"

namespace keel::cli {
namespace {

spec::ScriptOutcome run_file(const std::string& path, const Features& features,
                             const spec::TierChoice& tier) {
  spec::ScriptOutcome outcome{spec::script_name(path), spec::ScriptResult{}, {}};
  auto script = spec::read_wast_script(path, {.u64_limits_and_offsets = features.memory64});
  if (!script) {
    outcome.result->failed = 1;
    outcome.result->failures.push_back({0, script.error().message});
    return outcome;
  }
  auto engine = spec::make_executing_engine(features, tier.tier, tier.tiering);
  outcome.result = spec::run_script(*script, *engine, {}, {});
  return outcome;
}

// --tier, unless -C tier=NAME (keel run's key; the last one wins) says otherwise. wasmtime's
// compiler=winch|cranelift names a single tier as it does for keel run. Tiered runs leave hot
// loops for tier 2 by OSR, as keel run does.
Result<spec::TierChoice> tier_of(std::string tier, const std::vector<std::string>& codegen) {
  auto apply = [&](std::string_view key, std::string_view value) -> Status {
    if (key == "tier" && value == "tiered") {
      tier = "tiered";
    } else if (key == "tier" || key == "compiler") {
      auto one = parse_tier(value, /*tiered_known=*/key == "tier");
      if (!one) return std::move(one).error();
      tier = *one == runtime::Tier::kOptimizing ? "optimizing" : "baseline";
    } else {
      return make_error(ErrorKind::kUsage,
                        "-C " + std::string(key) + ": keel wast takes only tier= (and compiler=)");
    }
    return {};
  };
  if (Status s = apply_key_values("-C", codegen, apply); !s) return std::move(s).error();
  return spec::choose_tier(tier, /*background=*/false, /*osr=*/true);
}

}  // namespace

Subcommand add_wast_command(CLI::App& parent) {
  struct Options {
    std::vector<std::string> files;
    ModuleInput features;  // only its --enable options
    std::string tier = "baseline";
    std::vector<std::string> codegen;
    bool verbose = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = parent.add_subcommand("wast", "Run WebAssembly spec test scripts (.wast)");
  command->add_option("FILE", o->files, "Spec scripts (.wast)")->required();
  add_feature_options(*command, o->features);
  command
      ->add_option(
          "--tier", o->tier,
          "The tier every function is compiled at; tiered: tier 1, then tier 2 from "
          "each function's first call (compiled before the call goes on) and at loop headers")
      ->check(CLI::IsMember(
          std::vector<std::string>(std::begin(spec::kTierNames), std::end(spec::kTierNames))))
      ->capture_default_str();
  command
      ->add_option("-C", o->codegen,
                   "tier=baseline|optimizing|tiered (or compiler=winch|cranelift), as for keel "
                   "run; overrides --tier")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command->add_flag("-v,--verbose", o->verbose,
                    "List rejections whose message differs from the script's");
  return {command, [o](Io io) {
            auto tier = tier_of(o->tier, o->codegen);
            if (!tier) {
              io.err << "keel: " << tier.error().message << '\n';
              return tier.error().kind == ErrorKind::kUsage ? kExitUsage : kExitFailure;
            }
            Features features = o->features.features();
            std::vector<spec::ScriptOutcome> outcomes;
            for (const std::string& file : o->files)
              outcomes.push_back(run_file(file, features, *tier));
            spec::print_scripts(io.out, outcomes, o->verbose);
            spec::Totals totals = spec::sum_outcomes(outcomes);
            spec::print_total(io.out, totals);
            spec::print_last_line(io.out, totals);
            return totals.failed == 0 ? kExitOk : kExitFailure;
          }};
}

}  // namespace keel::cli

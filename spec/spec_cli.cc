#include "spec_cli.h"

#include <iostream>
#include <iterator>
#include <set>
#include <vector>

#include <CLI/CLI.hpp>

#include "expected_totals.h"
#include "spec_report.h"
#include "wast_json.h"

namespace keel::spec {
namespace {

// Writes this run's counts, unless that would lower an existing expectation.
bool write_expectations(const std::filesystem::path& path, const ExpectedTotals& actual,
                        std::ostream& err) {
  if (std::filesystem::exists(path)) {
    auto old = read_expected(path);
    if (!old) {
      err << "keel-spec: " << old.error().message << '\n';
      return false;
    }
    auto drops = find_drops(*old, actual);
    if (!drops.empty()) {
      err << "keel-spec: not writing " << path.string()
          << ": expectations are only ever raised, and these would drop:\n";
      for (const std::string& d : drops) err << "  " << d << '\n';
      return false;
    }
  }
  if (Status s = write_expected(path, actual); !s) {
    err << "keel-spec: " << s.error().message << '\n';
    return false;
  }
  return true;
}

}  // namespace

int run_spec(const SpecOptions& options, const EngineFactory& make_engine, std::ostream& out,
             std::ostream& err) {
  auto entries = find_scripts(options.paths);
  if (!entries) {
    err << "keel-spec: " << entries.error().message << '\n';
    return 2;
  }
  ExpectedTotals expected;
  if (!options.expected.empty()) {
    auto read = read_expected(options.expected);
    if (!read) {
      err << "keel-spec: " << read.error().message << '\n';
      return 2;
    }
    expected = std::move(*read);
  }

  auto outcomes = run_suite(*entries, make_engine, options.features,
                            RunOptions{.strict_messages = options.strict_messages}, read_wast_json);
  std::set<std::string> names;
  for (const ScriptOutcome& o : outcomes) {
    if (!names.insert(o.name).second) {
      err << "keel-spec: script " << o.name << " given more than once\n";
      return 2;
    }
  }

  // Under --strict-messages mismatches are already listed as failures.
  print_scripts(out, outcomes, options.verbose && !options.strict_messages);
  Totals totals = sum_outcomes(outcomes);
  print_total(out, totals);

  bool ok = totals.failed == 0 || options.allow_failures;
  ExpectedTotals actual = passed_counts(outcomes);
  if (!options.expected.empty()) {
    for (const std::string& drop : find_drops(expected, actual)) {
      out << "below expectation: " << drop << '\n';
      ok = false;
    }
  }
  if (!options.write_expected.empty()) {
    if (write_expectations(options.write_expected, actual, err)) {
      out << "wrote " << options.write_expected.string() << '\n';
    } else {
      ok = false;
    }
  }
  if (options.report_tier_up) {
    LoadedModule::TierUpCounts n = process_tier_up_counts();
    out << "tier-up: " << n.queued << " queued for tier 2, " << n.compiled << " compiled, "
        << n.failed << " failed; " << n.osr_compiled << " OSR entries compiled, " << n.osr_failed
        << " failed, " << n.osr_entered << " entered\n";
    if (n.compiled == 0 || n.failed != 0 || (options.tier_up_synchronous && n.compiled != n.queued))
      ok = false;
    // On the background threads whether a frame is still in its loop when the entry lands is a
    // race; synchronously every loop a tier-1 frame reaches is entered.
    if (options.expect_osr && n.osr_failed != 0) ok = false;
    if (options.expect_osr && options.tier_up_synchronous &&
        (n.osr_compiled == 0 || n.osr_entered == 0))
      ok = false;
  }
  print_last_line(out, totals);
  return ok ? 0 : 1;
}

int spec_main(int argc, char** argv) {
  CLI::App app{
      "Runs the WebAssembly spec test suite (.wast scripts, or wast2json output) against keel.",
      "keel-spec"};
  SpecOptions options;
  app.add_option("--expected", options.expected,
                 "Fail if a script's or the total passed count is below this file's");
  app.add_option("--write-expected", options.write_expected,
                 "Write this run's passed counts to FILE (refuses to lower existing ones)");
  app.add_flag("-v,--verbose", options.verbose, "List message mismatches");
  app.add_flag("--strict-messages", options.strict_messages,
               "Fail a rejection whose message does not start with the spec's text");
  app.add_flag("--allow-failures", options.allow_failures,
               "Exit 0 despite failed commands (expectations still apply)");
  bool validate_only = false;
  app.add_flag("--validate-only", validate_only,
               "Only decode and validate modules; count commands that need execution as skipped");
  std::string features;
  app.add_option("--features", features,
                 "Features for every file (default: Wasm 2.0, plus the proposal's for files "
                 "under proposals/NAME/)")
      ->check(CLI::IsMember({"all", "default"}));
  std::string tier_name = "baseline";
  app.add_option("--tier", tier_name,
                 "The tier every function is compiled at; tiered: tier 1, then tier 2 from the "
                 "first call on (compiled before the call goes on, unless --tier-up-background)")
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kTierNames), std::end(kTierNames))))
      ->capture_default_str();
  bool background = false;
  app.add_flag("--tier-up-background", background,
               "With --tier tiered: compile tier 2 on background threads, as keel run does");
  bool osr = false;
  app.add_flag("--osr", osr,
               "With --tier tiered: every loop a tier-1 frame reaches is left for tier 2 by OSR");
  app.add_option("WAST_JSON_OR_DIR", options.paths,
                 ".wast scripts, wast2json .json files, or folders of either")
      ->required();
  CLI11_PARSE(app, argc, argv);
  auto choice = choose_tier(tier_name, background, osr);
  if (!choice) {
    std::cerr << "keel-spec: " << choice.error().message << '\n';
    return 2;
  }
  options.report_tier_up = choice->tiering.enabled;
  options.expect_osr = choice->tiering.enabled && osr;
  options.tier_up_synchronous = choice->tiering.synchronous;
  EngineFactory executing = [choice = *choice](const Features& features) {
    return make_executing_engine(features, choice.tier, choice.tiering);
  };
  if (features == "all") options.features = FeatureMode::kAll;
  if (features == "default") options.features = FeatureMode::kDefault;
  return run_spec(options, validate_only ? EngineFactory(make_validating_engine) : executing,
                  std::cout, std::cerr);
}

}  // namespace keel::spec

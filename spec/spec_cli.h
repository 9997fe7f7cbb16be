// keel-spec's command line: options, running the suite, expectations, exit status. Kept out of
// main() so tests can call it.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "spec_engine.h"
#include "spec_suite.h"

namespace keel::spec {

struct SpecOptions {
  std::vector<std::filesystem::path> paths;  // .json files or directories of them
  std::filesystem::path expected;            // fail if passed counts drop below these
  std::filesystem::path write_expected;      // record this run's passed counts
  bool verbose = false;
  bool strict_messages = false;
  bool allow_failures = false;  // exit 0 despite failed commands; expectations still apply
  // Tiered runs: print the tier-up counts; fail if nothing reached tier 2 or a tier-2 compile
  // failed, and with synchronous tier-up also if a queued function did not get there.
  bool report_tier_up = false;
  bool tier_up_synchronous = false;
  // And fail if an OSR entry failed, or (synchronously) none was compiled and entered.
  bool expect_osr = false;
  FeatureMode features = FeatureMode::kAuto;
};

// Returns the process exit status.
int run_spec(const SpecOptions& options, const EngineFactory& make_engine, std::ostream& out,
             std::ostream& err);

// Parses argv and runs keel-spec with the validating engine.
int spec_main(int argc, char** argv);

}  // namespace keel::spec

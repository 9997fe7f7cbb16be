// The runner's output: a line per script (with its failures below it), a total, and last the line
// "N passed, N failed, N skipped" that scripts and CI read.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "expected_totals.h"
#include "spec_suite.h"

namespace keel::spec {

struct Totals {
  uint32_t files = 0;
  uint32_t passed = 0;
  uint32_t failed = 0;
  uint32_t skipped_text = 0;
  uint32_t skipped_execution = 0;
  // Deferred scripts' reasons and the features commands need (ScriptResult::skipped_features)
  // -> commands.
  std::map<std::string, uint32_t> skipped_deferred;
  uint32_t mismatches = 0;
  uint32_t not_converted = 0;
};

Totals sum_outcomes(const std::vector<ScriptOutcome>& outcomes);
// Passed counts per converted script, the form --expected compares against.
ExpectedTotals passed_counts(const std::vector<ScriptOutcome>& outcomes);

// Message mismatches are listed only when `verbose`; failures always.
void print_scripts(std::ostream& out, const std::vector<ScriptOutcome>& outcomes, bool verbose);
void print_total(std::ostream& out, const Totals& totals);
void print_last_line(std::ostream& out, const Totals& totals);

}  // namespace keel::spec

#include "spec_report.h"

namespace keel::spec {
namespace {

uint32_t deferred_sum(const std::map<std::string, uint32_t>& deferred) {
  uint32_t n = 0;
  for (const auto& [reason, count] : deferred) n += count;
  return n;
}

void print_counts(std::ostream& out, uint32_t passed, uint32_t failed, uint32_t skipped_text,
                  uint32_t skipped_execution, const std::map<std::string, uint32_t>& deferred) {
  out << passed << " passed, " << failed << " failed, "
      << skipped_text + skipped_execution + deferred_sum(deferred)
      << " skipped (text-format: " << skipped_text << ", needs execution: " << skipped_execution;
  for (const auto& [reason, count] : deferred) out << ", " << reason << ": " << count;
  out << ")";
}

void print_issues(std::ostream& out, const ScriptOutcome& o,
                  const std::vector<CommandIssue>& issues) {
  for (const CommandIssue& issue : issues) {
    out << "  " << o.name;
    if (issue.line != 0) out << ".wast:" << issue.line;
    out << ": " << issue.detail << '\n';
  }
}

}  // namespace

Totals sum_outcomes(const std::vector<ScriptOutcome>& outcomes) {
  Totals t;
  for (const ScriptOutcome& o : outcomes) {
    ++t.files;
    if (!o.result) {
      ++t.not_converted;
      continue;
    }
    t.passed += o.result->passed;
    t.failed += o.result->failed;
    t.skipped_text += o.result->skipped_text;
    t.skipped_execution += o.result->skipped_execution;
    if (!o.result->deferred_reason.empty()) {
      t.skipped_deferred[o.result->deferred_reason] += o.result->skipped_deferred;
    }
    for (const auto& [feature, count] : o.result->skipped_features)
      t.skipped_deferred[feature] += count;
    t.mismatches += static_cast<uint32_t>(o.result->mismatches.size());
  }
  return t;
}

ExpectedTotals passed_counts(const std::vector<ScriptOutcome>& outcomes) {
  ExpectedTotals counts;
  for (const ScriptOutcome& o : outcomes) {
    if (!o.result) continue;
    counts.files[o.name] = o.result->passed;
    counts.total += o.result->passed;
  }
  return counts;
}

void print_scripts(std::ostream& out, const std::vector<ScriptOutcome>& outcomes, bool verbose) {
  for (const ScriptOutcome& o : outcomes) {
    if (!o.result) {
      out << o.name << ": not converted: " << o.not_converted << '\n';
      continue;
    }
    const ScriptResult& r = *o.result;
    out << o.name << ": ";
    std::map<std::string, uint32_t> deferred = r.skipped_features;
    if (!r.deferred_reason.empty()) deferred[r.deferred_reason] += r.skipped_deferred;
    print_counts(out, r.passed, r.failed, r.skipped_text, r.skipped_execution, deferred);
    if (!r.mismatches.empty()) out << ", " << r.mismatches.size() << " message mismatches";
    out << '\n';
    print_issues(out, o, r.failures);
    if (verbose) print_issues(out, o, r.mismatches);
  }
}

void print_total(std::ostream& out, const Totals& t) {
  out << "total (" << t.files << " files): ";
  print_counts(out, t.passed, t.failed, t.skipped_text, t.skipped_execution, t.skipped_deferred);
  out << ", " << t.mismatches << " message mismatches, " << t.not_converted << " not converted\n";
}

void print_last_line(std::ostream& out, const Totals& t) {
  out << t.passed << " passed, " << t.failed << " failed, "
      << t.skipped_text + t.skipped_execution + deferred_sum(t.skipped_deferred) << " skipped\n";
}

}  // namespace keel::spec

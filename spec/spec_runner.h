// Runs one script (read from .wast or from wast2json's JSON) against a SpecEngine and counts the
// outcome of every command.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "spec_engine.h"
#include "spec_script.h"

namespace keel::spec {

struct RunOptions {
  // A rejected module whose message does not start with the spec's text fails the command
  // instead of only being counted.
  bool strict_messages = false;
};

// One command that failed, or passed with a different message than the spec's.
struct CommandIssue {
  uint32_t line = 0;
  std::string detail;  // "assert_invalid: expected invalid \"type mismatch\", got: ..."
};

struct ScriptResult {
  uint32_t passed = 0;
  uint32_t failed = 0;
  uint32_t skipped_text = 0;       // text-format modules: keel has no text parser
  uint32_t skipped_execution = 0;  // the engine lacks a capability the command needs
  // Execution deferred for the whole script (`deferred_reason`, e.g. "simd (issue 5)"): its
  // modules are still decoded and validated, nothing in it is instantiated or called.
  uint32_t skipped_deferred = 0;
  std::string deferred_reason;
  // Commands that need a feature keel does not execute yet, by its name ("gc"): the values they
  // pass or expect cannot be represented, or (custom annotations) keel does not check them.
  std::map<std::string, uint32_t> skipped_features;
  std::vector<CommandIssue> failures;
  std::vector<CommandIssue> mismatches;

  uint32_t skipped() const {
    uint32_t n = skipped_text + skipped_execution + skipped_deferred;
    for (const auto& [feature, count] : skipped_features) n += count;
    return n;
  }
};

// `defer_execution`, when not empty, says why this script's execution is deferred.
ScriptResult run_script(const SpecScript& script, SpecEngine& engine, const RunOptions& options,
                        const std::string& defer_execution = {});

// Whether `actual` is a value `expected` allows (exact bits, a NaN pattern, a reference).
// `host_ref` maps an externref N to the pointer the runner passed for it.
bool value_matches(const Value& actual, const SpecValue& expected,
                   const std::function<void*(uint64_t)>& host_ref);
// "i32:42", "f32:2143289344": the form SpecValue::to_string uses, for failure messages.
std::string value_text(const Value& value);

}  // namespace keel::spec

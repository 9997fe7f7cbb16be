// Runs one wast2json script against a SpecEngine and counts the outcome of every command.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spec_engine.h"
#include "wast_json.h"

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
  std::vector<CommandIssue> failures;
  std::vector<CommandIssue> mismatches;

  uint32_t skipped() const { return skipped_text + skipped_execution; }
};

ScriptResult run_script(const SpecScript& script, SpecEngine& engine, const RunOptions& options);

}  // namespace keel::spec

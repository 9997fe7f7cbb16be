// A set of scripts (.wast, or converted by wast2json): found under the paths given on the command
// line, each run with the features its proposal needs, in parallel across files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "ir/features.h"
#include "spec_engine.h"
#include "spec_runner.h"

namespace keel::spec {

// The build writes this beside a script's JSON directory when wast2json rejects the .wast, so a
// file that did not convert is reported rather than missing. Its first line names the .wast.
inline constexpr std::string_view kNotConvertedSuffix = ".not-converted";

struct SuiteEntry {
  std::filesystem::path path;  // the .wast, the .json, or the .not-converted marker
  bool converted = true;
};

// Every .wast, .json and .not-converted file under `paths` (directories are searched
// recursively). A .wast is read by keel's own script parser (wast_script.h).
Result<std::vector<SuiteEntry>> find_scripts(const std::vector<std::filesystem::path>& paths);

// "address" for a top-level file, "tail-call/return_call" for proposals/tail-call/return_call.wast.
std::string script_name(const std::filesystem::path& wast);

enum class FeatureMode : uint8_t {
  kAuto,     // Wasm 2.0, plus the proposal's features for files under proposals/<name>/
  kDefault,  // Wasm 2.0 for every file
  kAll,      // every feature keel knows, for every file
};

// Errors for a proposal with no feature mapping, so a new proposal folder is never run with the
// wrong features unnoticed.
Result<Features> script_features(const std::filesystem::path& wast, FeatureMode mode);

struct ScriptOutcome {
  std::string name;
  std::optional<ScriptResult> result;  // empty if the script was not converted
  std::string not_converted;           // why, from the marker
};

// Reads a wast2json .json (read_wast_json of wast_json.h). keel-spec passes it; `keel wast`, which
// links the script layer without the JSON reader, reads .wast only.
using JsonScriptReader = Result<SpecScript> (*)(const std::filesystem::path& json);

// Runs every entry, `jobs` files at a time (0: one per hardware thread). Outcomes are sorted by
// name. A script that cannot be read or has no features counts as one failure, and so does a
// .json when `read_json` is null.
std::vector<ScriptOutcome> run_suite(const std::vector<SuiteEntry>& entries,
                                     const EngineFactory& make_engine, FeatureMode mode,
                                     const RunOptions& options, JsonScriptReader read_json,
                                     unsigned jobs = 0);

}  // namespace keel::spec

// Reads the JSON that wabt's wast2json writes for a .wast script: its command list, with each
// command's module file resolved beside the JSON, its action and the values it expects.
#pragma once

#include <filesystem>
#include <string>

#include "base/result.h"
#include "spec_script.h"

namespace keel::spec {

Result<SpecScript> read_wast_json(const std::filesystem::path& json_path);

// One argument or expected value as wast2json writes it (exposed for tests).
Result<SpecValue> parse_spec_value(const std::string& json_text);

}  // namespace keel::spec

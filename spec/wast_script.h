// Reads a .wast spec script itself, into the same commands wast2json's JSON gives (wast_json.h):
// every module is encoded by the text format's encoder (src/text/) while the script is read, and
// a module whose text does not parse carries its error, which an assert_malformed expects.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "spec_script.h"
#include "text/wat.h"

namespace keel::spec {

// `file` names the script in errors ("s.wast:3:5: ..."), which are script syntax errors only.
Result<SpecScript> parse_wast_script(std::string_view file, std::string_view source,
                                     const text::WatOptions& options = {});

Result<SpecScript> read_wast_script(const std::filesystem::path& wast,
                                    const text::WatOptions& options = {});

// The binary of every module a script encodes, in command order, whatever the command (invalid
// ones too; those whose text does not parse are left out): the suite as a corpus of modules.
Result<std::vector<std::shared_ptr<const ByteBuffer>>> read_wast_modules(
    const std::filesystem::path& wast, const text::WatOptions& options = {});

}  // namespace keel::spec

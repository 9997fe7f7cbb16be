// Reads the JSON that wabt's wast2json writes for a .wast script: its command list, with each
// command's module file resolved beside the JSON. Only what the runner acts on is kept.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/result.h"

namespace keel::spec {

enum class CommandType : uint8_t {
  kModule,
  kAssertMalformed,
  kAssertInvalid,
  kAssertUnlinkable,
  kAssertUninstantiable,
  kAssertReturn,  // also the older assert_return_canonical_nan / assert_return_arithmetic_nan
  kAssertTrap,
  kAssertExhaustion,
  kAssertException,  // exception-handling proposal
  kAction,
  kRegister,
  kUnknown,  // a command this runner does not know: reported as a failure, never skipped
};

struct SpecCommand {
  CommandType type = CommandType::kUnknown;
  std::string type_name;  // as the JSON spells it, for messages
  uint32_t line = 0;
  std::filesystem::path module_path;  // empty if the command has no module
  bool text_module = false;           // module_type "text": only a text parser can read it
  std::string text;                   // the error message the spec expects
};

struct SpecScript {
  std::filesystem::path source;  // the .wast file wast2json read
  std::vector<SpecCommand> commands;
};

Result<SpecScript> read_wast_json(const std::filesystem::path& json_path);

}  // namespace keel::spec

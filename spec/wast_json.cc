#include "wast_json.h"

#include <fstream>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace keel::spec {
namespace {

constexpr std::pair<std::string_view, CommandType> kCommandTypes[] = {
    {"module", CommandType::kModule},
    {"assert_malformed", CommandType::kAssertMalformed},
    {"assert_invalid", CommandType::kAssertInvalid},
    {"assert_unlinkable", CommandType::kAssertUnlinkable},
    {"assert_uninstantiable", CommandType::kAssertUninstantiable},
    {"assert_return", CommandType::kAssertReturn},
    {"assert_return_canonical_nan", CommandType::kAssertReturn},
    {"assert_return_arithmetic_nan", CommandType::kAssertReturn},
    {"assert_trap", CommandType::kAssertTrap},
    {"assert_exhaustion", CommandType::kAssertExhaustion},
    {"assert_exception", CommandType::kAssertException},
    {"action", CommandType::kAction},
    {"register", CommandType::kRegister},
};

CommandType command_type(std::string_view name) {
  for (const auto& [n, type] : kCommandTypes) {
    if (n == name) return type;
  }
  return CommandType::kUnknown;
}

// Throws nlohmann::json exceptions on a wrong shape; the caller turns them into an Error.
SpecCommand parse_command(const nlohmann::json& j, const std::filesystem::path& dir) {
  SpecCommand c;
  c.type_name = j.at("type").get<std::string>();
  c.type = command_type(c.type_name);
  c.line = j.value("line", 0u);
  if (auto it = j.find("filename"); it != j.end()) c.module_path = dir / it->get<std::string>();
  c.text_module = j.value("module_type", "binary") == "text";
  c.text = j.value("text", "");
  return c;
}

}  // namespace

Result<SpecScript> read_wast_json(const std::filesystem::path& json_path) {
  std::ifstream in(json_path, std::ios::binary);
  if (!in) return make_error(ErrorKind::kIo, "cannot open " + json_path.string());
  try {
    // Actions and expected values are most of the suite's bytes and nothing reads them yet:
    // dropping them while parsing halves the run.
    auto skip_unread = [](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
      if (event != nlohmann::json::parse_event_t::key) return true;
      const auto& key = parsed.get_ref<const std::string&>();
      return key != "action" && key != "expected";
    };
    nlohmann::json j = nlohmann::json::parse(in, skip_unread);
    SpecScript script;
    script.source = j.at("source_filename").get<std::string>();
    const auto& commands = j.at("commands");
    script.commands.reserve(commands.size());
    for (const auto& c : commands)
      script.commands.push_back(parse_command(c, json_path.parent_path()));
    return script;
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorKind::kIo, json_path.string() + ": " + e.what());
  }
}

}  // namespace keel::spec

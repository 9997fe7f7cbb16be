#include "jit/engine/tier2_debug.h"

#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

namespace keel::jit {
namespace {

std::optional<uint32_t> parse_index(std::string_view text) {
  uint32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

Error bad(std::string_view variable, std::string_view value, std::string_view expected) {
  return make_error(ErrorKind::kUsage, std::string(variable) + "=" + std::string(value) +
                                           ": expected " + std::string(expected));
}

// Every pass switch by its KEEL_TIER2_PASSES name.
struct PassSwitch {
  std::string_view name;
  bool opt::PassOptions::*flag;
};
constexpr PassSwitch kPassSwitches[] = {
    {"constant-folding", &opt::PassOptions::constant_folding},
    {"strength-reduction", &opt::PassOptions::strength_reduction},
    {"copy-propagation", &opt::PassOptions::copy_propagation},
    {"gvn", &opt::PassOptions::gvn},
    {"redundant-loads", &opt::PassOptions::redundant_loads},
    {"licm", &opt::PassOptions::licm},
    {"loop-vectorization", &opt::PassOptions::loop_vectorization},
    {"dce", &opt::PassOptions::dce},
    {"cfg-simplification", &opt::PassOptions::cfg_simplification},
};

bool* pass_switch(opt::PassOptions& passes, std::string_view name) {
  for (const PassSwitch& s : kPassSwitches)
    if (s.name == name) return &(passes.*s.flag);
  return nullptr;
}

std::string pass_names() {
  std::string names;
  for (const PassSwitch& s : kPassSwitches)
    names += (names.empty() ? "" : ", ") + std::string(s.name);
  return names;
}

}  // namespace

Result<Tier2Debug> parse_tier2_debug(const char* functions, const char* passes,
                                     const char* print_ir) {
  Tier2Debug out;
  if (functions != nullptr) {
    std::string_view text = functions;
    size_t dash = text.find('-');
    auto first = parse_index(text.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_index(text.substr(dash + 1));
    if (!first || !last || *last < *first)
      return bad("KEEL_TIER2_FUNCTIONS", text, "FIRST-LAST or INDEX (function indices)");
    out.first_function = *first;
    out.last_function = *last;
  }
  if (passes != nullptr) {
    std::string_view rest = passes;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (item == "none") {
        for (const PassSwitch& s : kPassSwitches) out.passes.*s.flag = false;
        continue;
      }
      bool* which = item.starts_with('-') ? pass_switch(out.passes, item.substr(1)) : nullptr;
      if (which == nullptr)
        return bad("KEEL_TIER2_PASSES", passes,
                   "none, or -PASS items separated by commas (PASS: " + pass_names() + ")");
      *which = false;
    }
  }
  if (print_ir != nullptr) {
    out.print_ir = parse_index(print_ir);
    if (!out.print_ir) return bad("KEEL_TIER2_PRINT_IR", print_ir, "a function index");
  }
  return out;
}

const Result<Tier2Debug>& tier2_debug() {
  // Never destroyed: a background tier-up compile may still read it while the process exits.
  static const auto* knobs = new Result<Tier2Debug>(
      parse_tier2_debug(std::getenv("KEEL_TIER2_FUNCTIONS"), std::getenv("KEEL_TIER2_PASSES"),
                        std::getenv("KEEL_TIER2_PRINT_IR")));
  return *knobs;
}

}  // namespace keel::jit

// KEEL_LOG's syntax, shared by the loggers that read it: comma-separated items, a bare LEVEL for
// keel's own log and TARGET=LEVEL (wasi=trace, tierup=debug) for a target's.
#pragma once

#include <optional>
#include <string_view>

namespace keel {

// The level `spec` gives `target` ("" for the bare item), the last one if several do.
inline std::optional<std::string_view> log_level_for(std::string_view spec,
                                                     std::string_view target) {
  std::optional<std::string_view> level;
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    size_t equals = item.find('=');
    if (target.empty() ? (!item.empty() && equals == std::string_view::npos)
                       : (equals == target.size() && item.starts_with(target)))
      level = target.empty() ? item : item.substr(equals + 1);
  }
  return level;
}

}  // namespace keel

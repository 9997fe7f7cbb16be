// KEEL_LOG, read in one place with spdlog's own level-spec parser (spdlog::cfg::helpers):
// comma-separated items, a bare LEVEL for every logger and NAME=LEVEL for one: `keel` (the CLI's
// own), `wasi` (every WASI call, at trace), `tierup`. Whatever it does not name stays off.
#pragma once

#include <cstdlib>

#include <spdlog/cfg/helpers.h>
#include <spdlog/spdlog.h>

namespace keel {

// Sets every logger registered with spdlog (register_logger, set_default_logger) from KEEL_LOG.
inline void apply_keel_log() {
  spdlog::set_level(spdlog::level::off);
  const char* spec = std::getenv("KEEL_LOG");
  if (spec && *spec) spdlog::cfg::helpers::load_levels(spec);
}

}  // namespace keel

// The code cache's options of `keel run` (wasmtime's spellings, under -C): cache=y|n,
// cache-dir=PATH, cache-size=BYTES; and the engine identity that keys cached and precompiled code.
#pragma once

#include <string_view>

#include "base/result.h"
#include "runtime/store.h"

namespace keel::cli {

// keel's version, commit and the executable's build ID: EngineConfig::engine_id.
std::string engine_id();

inline bool is_cache_option(std::string_view key) {
  return key == "cache" || key == "cache-dir" || key == "cache-size";
}
// Applies -C `key`=`value` (is_cache_option(key)) to `config`.
Status apply_cache_option(EngineConfig& config, std::string_view key, std::string_view value);
// After the options: the default directory for an enabled cache without one; no cache (and a
// debug log line) when there is none.
void finish_cache_config(EngineConfig& config);

}  // namespace keel::cli

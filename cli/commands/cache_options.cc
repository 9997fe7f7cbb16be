#include "cli/commands/cache_options.h"

#include <spdlog/spdlog.h>

#include "cli/commands/invoke_values.h"
#include "keel_version.h"
#include "platform/build_id.h"
#include "runtime/code_cache.h"

namespace keel::cli {

std::string engine_id() {
  std::string id = "keel " KEEL_VERSION " (" KEEL_GIT_COMMIT ")";
  if (const std::string& build = platform::executable_build_id(); !build.empty())
    id += " " + build.substr(0, 16);
  return id;
}

Status apply_cache_option(EngineConfig& config, std::string_view key, std::string_view value) {
  runtime::CodeCacheConfig& cache = config.code_cache;
  if (key == "cache") {
    bool yes = value == "y" || value == "yes" || value == "true";
    if (!yes && value != "n" && value != "no" && value != "false")
      return make_error(ErrorKind::kUsage, "-C cache=" + std::string(value) + ": expected y or n");
    cache.enabled = yes;
  } else if (key == "cache-dir") {
    if (value.empty()) return make_error(ErrorKind::kUsage, "-C cache-dir: expected a directory");
    cache.dir = std::string(value);
  } else {
    auto bytes = parse_byte_size(value);
    if (!bytes) return std::move(bytes).error();
    cache.max_bytes = *bytes;
  }
  return {};
}

void finish_cache_config(EngineConfig& config) {
  config.engine_id = engine_id();
  runtime::CodeCacheConfig& cache = config.code_cache;
  if (!cache.enabled || !cache.dir.empty()) return;
  cache.dir = runtime::default_cache_dir();
  if (cache.dir.empty()) {
    cache.enabled = false;
    spdlog::debug("code cache: off: neither XDG_CACHE_HOME nor HOME is set");
  }
}

}  // namespace keel::cli

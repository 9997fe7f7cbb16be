#include "wasi/logging.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>
#include <string_view>

#include "base/log_spec.h"
#include "wasi/wasi_host.h"

namespace keel::wasi {

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l =
        std::make_shared<spdlog::logger>("wasi", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("[wasi] %v");
    l->set_level(spdlog::level::off);
    return l;
  }();
  return instance;
}

// KEEL_LOG is a comma-separated list; "wasi=LEVEL" sets this logger. A bare level is the CLI's
// own and leaves WASI tracing off, since it is far too verbose to come with "debug".
void configure_logging_from_env() {
  const char* value = std::getenv("KEEL_LOG");
  auto level = log_level_for(value ? value : "", "wasi");
  logger()->set_level(level ? spdlog::level::from_str(std::string(*level)) : spdlog::level::off);
}

}  // namespace keel::wasi

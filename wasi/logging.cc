#include "wasi/logging.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <cstdlib>
#include <string_view>

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
  spdlog::level::level_enum level = spdlog::level::off;
  if (value) {
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (item.starts_with("wasi=")) level = spdlog::level::from_str(std::string(item.substr(5)));
    }
  }
  logger()->set_level(level);
}

}  // namespace keel::wasi

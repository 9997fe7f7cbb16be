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
    spdlog::register_logger(l);  // so KEEL_LOG's "wasi=LEVEL" reaches it
    return l;
  }();
  return instance;
}

// KEEL_LOG (base/log_spec.h): "wasi=trace" turns this logger on. Calls are logged at trace only,
// so a bare "debug" leaves it quiet.
void configure_logging_from_env() {
  logger();  // registered, so KEEL_LOG reaches it
  apply_keel_log();
}

}  // namespace keel::wasi

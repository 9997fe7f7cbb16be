#include "cli/cli.h"

#include <cstdlib>
#include <exception>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "cli/commands/command.h"
#include "keel_version.h"

namespace keel::cli {
namespace {

// Logging is off unless KEEL_LOG names a level (trace, debug, info, warn, error). Logs go to the
// caller's error stream, and the previous default logger comes back when the command ends, so
// nothing keeps a reference to a stream a test has destroyed.
class LoggingScope {
 public:
  explicit LoggingScope(std::ostream& err) : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err, /*force_flush=*/true);
    auto logger = std::make_shared<spdlog::logger>("keel", std::move(sink));
    const char* level = std::getenv("KEEL_LOG");
    logger->set_level(level ? spdlog::level::from_str(level) : spdlog::level::off);
    logger->set_pattern("keel: [%T.%e] [%l] %v");
    spdlog::set_default_logger(std::move(logger));
  }
  ~LoggingScope() { spdlog::set_default_logger(previous_); }
  LoggingScope(const LoggingScope&) = delete;
  LoggingScope& operator=(const LoggingScope&) = delete;

 private:
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace

std::string version_string() {
  return "keel " KEEL_VERSION " (" KEEL_GIT_COMMIT ")";
}

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  LoggingScope logging(err);
  CLI::App app("keel: a WebAssembly runtime for the command line", "keel");
  app.set_version_flag("--version", version_string(), "Print the version and exit");
  app.require_subcommand(1);
  const std::vector<Subcommand> commands = {
      add_validate_command(app),
      add_disasm_command(app),
      add_run_command(app),
      add_compile_command(app),
  };

  if (argc <= 1) {
    err << app.help();
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;
  }
  for (const Subcommand& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      return command.run({out, err});
    } catch (const std::exception& e) {
      err << "keel: internal error: " << e.what() << '\n';
      return kExitFailure;
    }
  }
  return kExitUsage;
}

}  // namespace keel::cli

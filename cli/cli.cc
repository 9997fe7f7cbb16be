#include "cli/cli.h"

#include <sys/stat.h>

#include <csignal>

#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "base/log_spec.h"
#include "cli/commands/command.h"
#include "cli/commands/wasi_options.h"
#include "keel_version.h"
#include "runtime/tier_up.h"
#include "wasi/wasi_host.h"

namespace keel::cli {
namespace {

// Logging is off unless KEEL_LOG names a level (trace, debug, info, warn, error), for every
// logger or for one (base/log_spec.h). keel's own logs go to the caller's error stream, and the
// previous default logger comes back when the command ends, so nothing keeps a reference to a
// stream a test has destroyed.
class LoggingScope {
 public:
  explicit LoggingScope(std::ostream& err) : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(err, /*force_flush=*/true);
    auto logger = std::make_shared<spdlog::logger>("keel", std::move(sink));
    logger->set_pattern("keel: [%T.%e] [%l] %v");
    spdlog::set_default_logger(std::move(logger));  // registered as "keel"
    runtime::tier_up_log();                         // registered too
    wasi::configure_logging_from_env();             // registers "wasi", applies KEEL_LOG
  }
  ~LoggingScope() { spdlog::set_default_logger(previous_); }
  LoggingScope(const LoggingScope&) = delete;
  LoggingScope& operator=(const LoggingScope&) = delete;

 private:
  std::shared_ptr<spdlog::logger> previous_;
};

const CLI::App* subcommand_named(const CLI::App& app, std::string_view name) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->check_name(std::string(name))) return sub;
  return nullptr;
}

// The commands by name, the hidden `completion` last. A command line sets up the parser of the
// one command it names only: setting up all of them took 0.8 M instructions, more than half of
// `keel --version`.
struct CommandEntry {
  std::string_view name;
  Subcommand (*add)(CLI::App&);
};
constexpr CommandEntry kCommands[] = {
    {"validate", add_validate_command}, {"disasm", add_disasm_command},
    {"run", add_run_command},           {"compile", add_compile_command},
    {"wat2wasm", add_wat2wasm_command}, {"wast", add_wast_command},
    {"settings", add_settings_command}, {"completion", add_completion_command},
};

const CommandEntry* command_named(std::string_view name) {
  for (const CommandEntry& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

// Whether `first` starts a run command line without the word `run`: it is no subcommand and no
// top-level option, and names a file, looks like a path (so `keel run` says it does not exist),
// or is an option (only `run` has options beyond those).
bool implies_run(std::string_view first) {
  if (command_named(first) || first == "help") return false;
  if (first == "-h" || first == "--help" || first == "--version") return false;
  if (first.starts_with("-")) return true;
  if (first.find('/') != std::string_view::npos || first.ends_with(".wasm") ||
      first.ends_with(".wat"))
    return true;
  struct stat st;
  return stat(std::string(first).c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
}

}  // namespace

void prepare_process() {
  signal(SIGPIPE, SIG_IGN);
  reserve_standard_fds();
}

std::string version_string() {
  return "keel " KEEL_VERSION " (" KEEL_GIT_COMMIT ")";
}

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  LoggingScope logging(err);
  CLI::App app("keel: a WebAssembly runtime for the command line", "keel");
  app.set_version_flag("--version", version_string(), "Print the version and exit");
  app.require_subcommand(1);
  app.footer(
      "keel FILE [ARGS...] is short for keel run FILE [ARGS...], as with wasmtime.\n"
      "keel help COMMAND (or keel COMMAND --help) describes a command; keel completion "
      "bash|zsh|fish prints a shell completion script.");
  // `keel prog.wasm ARGS` and `keel --dir . prog.wasm` mean `keel run ...`, as with wasmtime.
  std::vector<const char*> args(argv, argv + argc);
  const std::string_view first = argc > 1 ? args[1] : "";
  const CommandEntry* named = command_named(first);
  const bool run_implied = argc > 1 && implies_run(first);
  if (run_implied) named = command_named("run");
  std::vector<Subcommand> commands;
  if (named && named->name != "completion") {
    commands.push_back(named->add(app));
  } else if (!(argc == 2 && first == "--version")) {
    // Help, completion scripts and errors show every command.
    for (const CommandEntry& c : kCommands) commands.push_back(c.add(app));
  }

  if (argc <= 1) {
    err << app.help();
    return kExitUsage;
  }
  if (first == "help") {  // `keel help [COMMAND]`, as wasmtime has it
    if (args.size() == 2) {
      out << app.help();
      return kExitOk;
    }
    const CLI::App* sub = subcommand_named(app, args[2]);
    if (!sub) {
      err << "keel: help: no command `" << args[2] << "`\n" << app.help();
      return kExitUsage;
    }
    out << sub->help();
    return kExitOk;
  }
  if (run_implied) {
    args.insert(args.begin() + 1, "run");
  } else if (!named && !first.starts_with("-")) {
    err << "keel: `" << args[1]
        << "` is neither a command nor a file (keel --help lists the commands)\n";
    return kExitUsage;
  }
  try {
    app.parse(static_cast<int>(args.size()), args.data());
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

// `keel compile [--threads N] [--tier T] FILE`: compiles every function eagerly without
// instantiating and reports how fast. bench/ reads its output (one "key: value" per line).
// With `-o OUT` it writes a precompiled module instead (runtime/artifact.h; tier 2 unless --tier
// says otherwise), which `keel run --allow-precompiled OUT` runs without compiling.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <CLI/CLI.hpp>

#include "base/byte_buffer.h"
#include "cli/commands/cache_options.h"
#include "cli/commands/command.h"
#include "cli/commands/invoke_values.h"
#include "cli/commands/module_input.h"
#include "jit/engine/jit_compiler.h"
#include "runtime/store.h"

namespace keel::cli {
namespace {

bool write_all(int fd, const std::vector<uint8_t>& bytes) {
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// To a temporary file beside `path`, then renamed over it: a reader never sees half a file. A
// path that is not a regular file (/dev/null, /dev/stdout, a pipe) is written in place: renaming
// over it would replace the device with a file (`keel compile -o /dev/null` run as root did).
Status write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes) {
  struct stat existing;
  bool in_place = stat(path.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode);
  std::string temp = in_place ? path : path + ".tmp" + std::to_string(getpid());
  int fd = in_place ? open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC)
                    : open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  auto fail = [&](const char* what) {
    Error e =
        make_error(ErrorKind::kIo, std::string(what) + " " + path + ": " + std::strerror(errno));
    if (fd >= 0) close(fd);
    if (!in_place) unlink(temp.c_str());
    return e;
  };
  if (fd < 0) return fail("cannot write");
  if (!write_all(fd, bytes)) return fail("cannot write");
  if (close(fd) != 0) {
    fd = -1;
    return fail("cannot write");
  }
  fd = -1;
  if (!in_place && rename(temp.c_str(), path.c_str()) != 0) return fail("cannot write");
  return {};
}

}  // namespace

Subcommand add_compile_command(CLI::App& parent) {
  struct Options {
    ModuleInput input;
    unsigned threads = 0;
    std::string tier = "baseline";
    std::string output;
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = parent.add_subcommand(
      "compile",
      "Compile every function of a module (no instantiation) and report the speed, or write a "
      "precompiled module (-o)");
  add_module_input(*command, o->input);
  command->add_option("--threads", o->threads, "Compiler threads (default: one per core)")
      ->capture_default_str();
  command->add_option("-o,--output", o->output,
                      "Write a precompiled module here (run it with keel run --allow-precompiled)");
  CLI::Option* tier_option =
      command
          ->add_option("--tier", o->tier,
                       "The tier to compile at: baseline or optimizing (winch, cranelift)")
          ->capture_default_str();
  return {command, [o, tier_option](Io io) {
            // A precompiled module is worth the optimizing tier's compile time.
            if (!o->output.empty() && tier_option->count() == 0) o->tier = "optimizing";
            auto tier = parse_tier(o->tier);
            if (!tier) {
              io.err << "keel: " << tier.error().message << '\n';
              return kExitUsage;
            }
            const std::string& path = o->input.path;
            auto buffer = read_module_file(path, o->input.features());
            if (!buffer) return report_error(io.err, path, buffer.error());
            EngineConfig config;
            config.compiler = jit::jit_compiler();
            config.features = o->input.features();
            config.compile_mode = CompileMode::kEager;
            config.compile_threads = o->threads;
            config.tier = *tier;
            config.engine_id = engine_id();
            // Progress on a terminal only: a log or a pipe gets nothing of it.
            if (isatty(STDERR_FILENO)) {
              config.compile_progress = [&io](uint32_t done, uint32_t total, double seconds) {
                char line[96];
                std::snprintf(line, sizeof line, "\rkeel: compiled %u of %u functions, %.1f s%s",
                              done, total, seconds, done == total ? "\n" : "");
                io.err << line << std::flush;
              };
            }
            auto module = LoadedModule::load(std::move(*buffer), config);
            if (!module) return report_error(io.err, path, module.error());
            if (!o->output.empty()) {
              if (Status s = write_file_atomically(o->output, (*module)->precompiled()); !s) {
                io.err << "keel: " << s.error().message << '\n';
                return kExitFailure;
              }
              return kExitOk;
            }
            size_t functions = 0;
            for (const Function& f : (*module)->module().functions) functions += !f.imported;
            double seconds = (*module)->compile_seconds();
            double mb = static_cast<double>((*module)->compiled_body_bytes()) / 1e6;
            char line[256];
            std::snprintf(line, sizeof line,
                          "functions compiled: %zu\ncode section: %.2f MB\ntime: %.1f ms\n"
                          "speed: %.1f MB/s\n",
                          functions, mb, seconds * 1e3, seconds > 0 ? mb / seconds : 0.0);
            io.out << line;
            io.out.flush();
            return kExitOk;
          }};
}

}  // namespace keel::cli

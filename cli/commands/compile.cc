// `keel compile [--threads N] [--tier T] FILE`: compiles every function eagerly without
// instantiating and reports how fast. bench/ reads its output (one "key: value" per line).
#include <cstdio>

#include <CLI/CLI.hpp>

#include "base/byte_buffer.h"
#include "cli/commands/command.h"
#include "cli/commands/invoke_values.h"
#include "cli/commands/module_input.h"
#include "jit/engine/jit_compiler.h"
#include "runtime/store.h"

namespace keel::cli {

Subcommand add_compile_command(CLI::App& parent) {
  struct Options {
    ModuleInput input;
    unsigned threads = 0;
    std::string tier = "baseline";
  };
  auto o = std::make_shared<Options>();
  CLI::App* command = parent.add_subcommand(
      "compile", "Compile every function of a module (no instantiation) and report the speed");
  add_module_input(*command, o->input);
  command->add_option("--threads", o->threads, "Compiler threads (default: one per core)")
      ->capture_default_str();
  command
      ->add_option("--tier", o->tier,
                   "The tier to compile at: baseline or optimizing (winch, cranelift)")
      ->capture_default_str();
  return {command, [o](Io io) {
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
            auto module = LoadedModule::load(std::move(*buffer), config);
            if (!module) return report_error(io.err, path, module.error());
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

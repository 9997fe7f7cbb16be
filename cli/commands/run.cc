// `keel run [OPTIONS] FILE [ARGS...]`: instantiates a module and calls an export (`--invoke`) or
// `_start`, printing results as wasmtime does. Option spellings follow wasmtime's (`-W key=value`,
// `--profile=perfmap`) with long forms of the -W keys as well.
#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>

#include "base/byte_buffer.h"
#include "cli/commands/command.h"
#include "cli/commands/invoke_values.h"
#include "cli/commands/module_input.h"
#include "runtime/store.h"

namespace keel::cli {
namespace {

struct RunOptions {
  ModuleInput input;
  std::string invoke;
  std::vector<std::string> args;
  std::vector<std::string> wasm_options;  // -W key=value[,key=value]
  std::string max_wasm_stack;
  std::string max_memory_size;
  std::string timeout;
  std::string profile;
  std::string compile = "lazy";
  bool no_interrupt_checks = false;
};

// What the options say, checked: the engine configuration and the timeout.
struct RunPlan {
  EngineConfig config;
  std::optional<std::chrono::nanoseconds> timeout;
};

Result<RunPlan> plan(const RunOptions& o) {
  RunPlan p;
  p.config.features = o.input.features();
  p.config.compile_mode = o.compile == "eager" ? CompileMode::kEager : CompileMode::kLazy;
  p.config.perfmap = o.profile == "perfmap";
  p.config.interrupt_checks = !o.no_interrupt_checks;
  auto apply = [&](std::string_view key, std::string_view value) -> Status {
    if (key == "max-wasm-stack") {
      auto bytes = parse_byte_size(value);
      if (!bytes) return std::move(bytes).error();
      p.config.max_wasm_stack = *bytes;
    } else if (key == "max-memory-size") {
      auto bytes = parse_byte_size(value);
      if (!bytes) return std::move(bytes).error();
      p.config.max_memory_size = *bytes;
    } else if (key == "timeout") {
      auto d = parse_duration(value);
      if (!d) return std::move(d).error();
      p.timeout = *d;
    } else {
      return make_error(ErrorKind::kUsage, "unknown -W option \"" + std::string(key) +
                                               "\" (known: max-wasm-stack, max-memory-size, "
                                               "timeout)");
    }
    return {};
  };
  for (const std::string& list : o.wasm_options) {
    std::string_view rest = list;
    while (!rest.empty()) {
      std::string_view item = rest.substr(0, rest.find(','));
      rest.remove_prefix(std::min(rest.size(), item.size() + 1));
      size_t eq = item.find('=');
      if (eq == std::string_view::npos) {
        return make_error(ErrorKind::kUsage,
                          "-W wants key=value, got \"" + std::string(item) + "\"");
      }
      if (Status s = apply(item.substr(0, eq), item.substr(eq + 1)); !s) return s.error();
    }
  }
  if (!o.max_wasm_stack.empty()) {
    if (Status s = apply("max-wasm-stack", o.max_wasm_stack); !s) return s.error();
  }
  if (!o.max_memory_size.empty()) {
    if (Status s = apply("max-memory-size", o.max_memory_size); !s) return s.error();
  }
  if (!o.timeout.empty()) {
    if (Status s = apply("timeout", o.timeout); !s) return s.error();
  }
  return p;
}

// Runs `fn` on a thread whose stack holds `bytes` (the main thread's size is up to ulimit -s).
void run_with_stack(size_t bytes, const std::function<void()>& fn) {
  pthread_attr_t attr;
  pthread_t thread;
  auto entry = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  if (pthread_attr_init(&attr) == 0) {
    bool started =
        pthread_attr_setstacksize(&attr, bytes) == 0 &&
        pthread_create(&thread, &attr, entry, const_cast<std::function<void()>*>(&fn)) == 0;
    pthread_attr_destroy(&attr);
    if (started) {
      pthread_join(thread, nullptr);
      return;
    }
  }
  fn();  // no thread: the main thread's stack, and the runtime's stack limit, still apply
}

// Calls Store::interrupt once `timeout` passes, unless stopped first.
class Watchdog {
 public:
  Watchdog(Store& store, std::chrono::nanoseconds timeout)
      : thread_([this, &store, timeout] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, timeout, [this] { return stopped_; })) store.interrupt();
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread thread_;  // last: starts once the members it uses exist
};

int report_trap(Io io, const Store& store, const Error& error) {
  const TrapInfo& trap = store.last_trap();
  if (trap.code == vm::TrapCode::kExit) return trap.exit_status;
  if (trap.code != vm::TrapCode::kNone) {
    io.err << trap.to_string() << '\n';
  } else {
    io.err << "wasm trap: " << error.message << '\n';
  }
  return kExitTrap;
}

int run_module(const RunOptions& o, const RunPlan& p, Io io) {
  const std::string& path = o.input.path;
  auto buffer = ByteBuffer::from_file(path);
  if (!buffer) return report_error(io.err, path, buffer.error());
  auto module = LoadedModule::load(std::move(*buffer), p.config);
  if (!module) return report_error(io.err, path, module.error());
  // keel provides no host modules yet (WASI comes later), so any import is unknown.
  for (const Import& import : (*module)->module().imports) {
    io.err << "keel: " << path << ": unknown import: `" << import.module << "::" << import.name
           << "` has not been defined\n";
    return kExitFailure;
  }
  Store store(p.config);
  std::optional<Watchdog> watchdog;
  if (p.timeout) watchdog.emplace(store, *p.timeout);
  auto instance = store.instantiate(*module, Imports{});
  if (!instance) {
    if (instance.error().kind == ErrorKind::kTrap) return report_trap(io, store, instance.error());
    return report_error(io.err, path, instance.error());
  }
  std::string name = o.invoke.empty() ? "_start" : o.invoke;
  auto func = (*instance)->get_export(name);
  if (!func || func->kind != ExternKind::kFunc) {
    if (o.invoke.empty()) {
      io.err << "keel: " << path << ": no `_start` export: name a function with --invoke\n";
    } else {
      io.err << "keel: " << path << ": no exported function `" << name << "`\n";
    }
    return kExitFailure;
  }
  const FuncType& type = func->func_type;
  if (o.args.size() != type.params.size()) {
    io.err << "keel: `" << name << "` takes " << type.params.size() << " argument"
           << (type.params.size() == 1 ? "" : "s") << " " << type.to_string() << ", got "
           << o.args.size() << '\n';
    return kExitUsage;
  }
  std::vector<Value> args;
  for (size_t i = 0; i < o.args.size(); ++i) {
    auto v = parse_invoke_arg(o.args[i], type.params[i]);
    if (!v) {
      io.err << "keel: argument " << i + 1 << " of `" << name << "`: " << v.error().message << '\n';
      return kExitUsage;
    }
    args.push_back(*v);
  }
  auto results = store.call(*func, args);
  watchdog.reset();
  if (!results) {
    if (results.error().kind == ErrorKind::kTrap) return report_trap(io, store, results.error());
    return report_error(io.err, path, results.error());
  }
  for (const Value& v : *results) io.out << format_invoke_result(v) << '\n';
  io.out.flush();
  return kExitOk;
}

}  // namespace

Subcommand add_run_command(CLI::App& parent) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* command =
      parent.add_subcommand("run", "Instantiate a module and call an export (or _start)");
  command->add_option("--invoke", o->invoke, "Call this exported function (default: _start)")
      ->type_name("NAME");
  add_module_input(*command, o->input);
  command->add_option("ARGS", o->args, "Arguments of the function, one per parameter");
  command
      ->add_option("-W", o->wasm_options,
                   "Wasm options as wasmtime spells them: max-wasm-stack=BYTES, "
                   "max-memory-size=BYTES, timeout=DURATION (comma-separated or repeated)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command->add_option("--max-wasm-stack", o->max_wasm_stack,
                      "Native stack wasm may use, in bytes (K, M, G suffixes)");
  command->add_option("--max-memory-size", o->max_memory_size,
                      "Largest a linear memory may grow, in bytes (K, M, G suffixes)");
  command->add_option("--timeout", o->timeout,
                      "Interrupt wasm after this long (e.g. 500ms, 10s; bare digits: seconds)");
  command->add_option("--profile", o->profile, "Write /tmp/perf-PID.map for `perf report`")
      ->check(CLI::IsMember({"perfmap"}));
  command->add_option("--compile", o->compile, "Compile functions on first call, or all at load")
      ->check(CLI::IsMember({"lazy", "eager"}))
      ->capture_default_str();
  command->add_flag("--no-interrupt-checks", o->no_interrupt_checks)->group("");
  // Everything after FILE is an argument of the function, negative numbers included.
  command->positionals_at_end();
  return {command, [o](Io io) {
            auto p = plan(*o);
            if (!p) {
              io.err << "keel: " << p.error().message << '\n';
              return kExitUsage;
            }
            int status = kExitFailure;
            // Room for the wasm stack the configuration allows, plus keel's own frames.
            size_t stack =
                std::max<uint64_t>(uint64_t{8} << 20, p->config.max_wasm_stack + (2u << 20));
            run_with_stack(stack, [&] { status = run_module(*o, *p, io); });
            return status;
          }};
}

}  // namespace keel::cli

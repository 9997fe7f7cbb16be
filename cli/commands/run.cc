// `keel run [OPTIONS] FILE [ARGS...]`: instantiates a module with the WASI preview1 host and runs
// `_start` (a command) or calls an export (`--invoke`, results printed as wasmtime does). Option
// spellings and exit statuses follow wasmtime's: `-W key=value`, `-S key=value`, `--dir`, `--env`,
// `--profile=perfmap`; the guest's exit status, 134 on a trap, 1 when loading or linking fails.
#include <pthread.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include <CLI/CLI.hpp>

#include "base/byte_buffer.h"
#include "base/log_spec.h"
#include "cli/commands/cache_options.h"
#include "cli/commands/command.h"
#include "cli/commands/invoke_values.h"
#include "cli/commands/module_input.h"
#include "cli/commands/wasi_options.h"
#include "jit/engine/jit_compiler.h"
#include "runtime/artifact.h"
#include "runtime/store.h"
#include "runtime/tier_up.h"
#include "wasi/wasi_host.h"

namespace keel::cli {
namespace {

struct RunOptions {
  ModuleInput input;
  WasiOptions wasi;
  std::string invoke;
  std::vector<std::string> args;
  std::vector<std::string> wasm_options;     // -W key=value[,key=value]
  std::vector<std::string> codegen_options;  // -C key=value[,key=value]
  std::string max_wasm_stack;
  std::string max_memory_size;
  std::string timeout;
  std::string profile;
  std::string compile = "lazy";
  bool no_interrupt_checks = false;
  bool allow_precompiled = false;
};

// What the options say, checked: the engine configuration and the timeout.
struct RunPlan {
  EngineConfig config;
  std::optional<std::chrono::nanoseconds> timeout;
};

Result<RunPlan> plan(const RunOptions& o) {
  RunPlan p;
  p.config.compiler = jit::jit_compiler();
  p.config.features = o.input.features();
  p.config.compile_mode = o.compile == "eager" ? CompileMode::kEager : CompileMode::kLazy;
  p.config.perfmap = o.profile == "perfmap";
  p.config.interrupt_checks = !o.no_interrupt_checks;
  // Tiered unless -C says otherwise: tier 1 starts at once, hot code moves to tier 2.
  p.config.tiering.enabled = true;
  p.config.code_cache.enabled = true;  // -C cache=n turns it off
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
  if (Status s = apply_key_values("-W", o.wasm_options, apply); !s) return s.error();
  auto apply_codegen = [&](std::string_view key, std::string_view value) -> Status {
    auto number = [&](uint64_t min, uint64_t max) -> Result<uint64_t> {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n < min ||
          n > max) {
        return make_error(ErrorKind::kUsage, "-C " + std::string(key) + "=" + std::string(value) +
                                                 ": expected a number from " + std::to_string(min) +
                                                 " to " + std::to_string(max));
      }
      return n;
    };
    if (key == "tier" && value == "tiered") {
      p.config.tier = runtime::Tier::kBaseline;
      p.config.tiering.enabled = true;
    } else if (key == "tier" || key == "compiler") {
      auto tier = parse_tier(value, /*tiered_known=*/key == "tier");
      if (!tier) return std::move(tier).error();
      p.config.tier = *tier;
      p.config.tiering.enabled = false;
    } else if (key == "tier-up-budget") {
      auto n = number(0, INT32_MAX);
      if (!n) return std::move(n).error();
      p.config.tiering.budget = static_cast<int32_t>(*n);
    } else if (key == "tier2-threads") {
      auto n = number(1, 256);
      if (!n) return std::move(n).error();
      p.config.tiering.threads = static_cast<unsigned>(*n);
    } else if (key == "tier-up-sync" || key == "tier-up-osr") {
      bool yes = value == "y" || value == "yes" || value == "true";
      if (!yes && value != "n" && value != "no" && value != "false") {
        return make_error(ErrorKind::kUsage, "-C " + std::string(key) + "=" + std::string(value) +
                                                 ": expected y or n");
      }
      (key == "tier-up-sync" ? p.config.tiering.synchronous : p.config.tiering.osr) = yes;
    } else if (is_cache_option(key)) {
      return apply_cache_option(p.config, key, value);
    } else {
      return make_error(ErrorKind::kUsage, "unknown -C option \"" + std::string(key) +
                                               "\" (known: tier, compiler, tier-up-budget, "
                                               "tier-up-sync, tier-up-osr, tier2-threads, cache, "
                                               "cache-dir, cache-size)");
    }
    return {};
  };
  if (Status s = apply_key_values("-C", o.codegen_options, apply_codegen); !s) return s.error();
  if (!o.max_wasm_stack.empty()) {
    if (Status s = apply("max-wasm-stack", o.max_wasm_stack); !s) return s.error();
  }
  if (!o.max_memory_size.empty()) {
    if (Status s = apply("max-memory-size", o.max_memory_size); !s) return s.error();
  }
  if (!o.timeout.empty()) {
    if (Status s = apply("timeout", o.timeout); !s) return s.error();
  }
  finish_cache_config(p.config);
  return p;
}

// Runs `fn` with at least `bytes` of native stack. The main thread is used when its stack limit
// (ulimit -s, which the kernel grows the main stack up to) already allows that much, as it does by
// default: a second thread costs a clone, a fresh 8 MiB mapping and cross-CPU TLB shootdowns for
// every later mprotect of JIT code, about 0.5 ms of a hello world's start-up. Otherwise `fn` runs
// on a thread with a stack of `bytes`, and no less than the main thread's usual 8 MiB.
void run_with_stack(size_t bytes, const std::function<void()>& fn) {
  // The main stack also holds argv, the environment and the frames below main (up to a quarter
  // of the limit for argv and environ, as execve allows).
  rlimit limit{};
  if (getrlimit(RLIMIT_STACK, &limit) == 0 &&
      (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur - limit.rlim_cur / 4 >= bytes)) {
    fn();
    return;
  }
  pthread_attr_t attr;
  pthread_t thread;
  auto entry = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  if (pthread_attr_init(&attr) == 0) {
    bool started =
        pthread_attr_setstacksize(&attr, std::max(bytes, size_t{8} << 20)) == 0 &&
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

// Limits as the text format writes them: "1 65536", or "1" without a maximum.
std::string limits_text(const Limits& limits) {
  std::string text = std::to_string(limits.min);
  if (limits.max) text += " " + std::to_string(*limits.max);
  return text;
}

// What an import expects, for the message about a missing one.
std::string import_type_text(const Module& m, const Import& import) {
  switch (import.kind) {
    case ExternKind::kFunc:
      return "func " + m.function_type(import.index).to_string();
    case ExternKind::kTable:
      return "table " + limits_text(m.tables[import.index].type.limits) + " " +
             val_type_name(m.tables[import.index].type.element);
    case ExternKind::kMemory:
      return "memory " + limits_text(m.memories[import.index].type.limits);
    case ExternKind::kGlobal: {
      const GlobalType& g = m.globals[import.index].type;
      return std::string("global ") + (g.is_mutable ? "mut " : "") + val_type_name(g.type);
    }
    case ExternKind::kTag:
      return "tag";
  }
  return extern_kind_name(import.kind);
}

// Names every import nothing provides: keel's own message says more than the store's
// "unknown import" (which field, and the type it should have had).
bool report_missing_imports(Io io, const std::string& path, const Module& m,
                            const Imports& imports) {
  bool missing = false;
  for (const Import& import : m.imports) {
    if (imports.find(import.module, import.name)) continue;
    io.err << "keel: " << path << ": unknown import: `" << import.module << "::" << import.name
           << "` has not been defined (expected " << import_type_text(m, import) << ")\n";
    missing = true;
  }
  return missing;
}

// The module's file name stands in for a module without a name section's module name, as in
// wasmtime's backtraces ("0: 0x1a2 - prog.wasm!$main").
int report_trap(Io io, const std::string& path, const Store& store, const Error& error) {
  TrapInfo trap = store.last_trap();
  if (trap.code == vm::TrapCode::kExit) {
    int status = trap.exit_status < 0 ? 1 : wasi::exit_status_for(trap.exit_status);
    if (status != trap.exit_status) {
      io.err << "keel: " << path << ": the guest exited with status "
             << static_cast<uint32_t>(trap.exit_status)
             << ", which a process cannot report (126 and above are the shell's): exit 1\n";
    }
    return status;
  }
  std::string file = path.substr(path.find_last_of('/') + 1);
  for (TrapFrame& frame : trap.backtrace)
    if (frame.module_name.empty()) frame.module_name = file;
  if (trap.code != vm::TrapCode::kNone) {
    io.err << "keel: " << path << ": " << trap.to_string() << '\n';
  } else {
    io.err << "keel: " << path << ": wasm trap: " << error.message << '\n';
  }
  return kExitTrap;
}

// Calls `func` with the --invoke arguments parsed against its type; prints the results.
int invoke(const RunOptions& o, Store& store, const Extern& func, const std::string& name, Io io) {
  const FuncType& type = func.func_type;
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
  auto results = store.call(func, args);
  if (!results) {
    if (results.error().kind == ErrorKind::kTrap)
      return report_trap(io, o.input.path, store, results.error());
    return report_error(io.err, o.input.path, results.error());
  }
  for (const Value& v : *results) io.out << format_invoke_result(v) << '\n';
  io.out.flush();
  return kExitOk;
}

// `loaded` keeps the module for the code cache's write-back once background compiles stop.
int run_module(const RunOptions& o, const RunPlan& p, Io io,
               std::shared_ptr<LoadedModule>& loaded) {
  const std::string& path = o.input.path;
  auto buffer = read_module_file(path, o.input.features());
  if (!buffer) return report_error(io.err, path, buffer.error());
  Result<std::shared_ptr<LoadedModule>> module = make_error(ErrorKind::kUsage, "");
  if (runtime::looks_like_artifact((*buffer)->bytes())) {
    if (!o.allow_precompiled) {
      io.err << "keel: " << path
             << ": a precompiled module (keel compile -o): running one runs its machine code "
                "as it is, so it needs --allow-precompiled\n";
      return kExitFailure;
    }
    module = LoadedModule::load_precompiled(std::move(*buffer), p.config);
    if (!module) {
      io.err << "keel: " << path
             << ": cannot run this precompiled module: " << module.error().message << '\n';
      return kExitFailure;
    }
  } else {
    module = LoadedModule::load(std::move(*buffer), p.config);
  }
  if (!module) return report_error(io.err, path, module.error());
  loaded = *module;
  // KEEL_LOG=tierup=debug: how many functions tiered up, however the run ends.
  struct TierUpSummary {
    const LoadedModule& module;
    bool tiered;
    ~TierUpSummary() {
      if (!tiered) return;
      LoadedModule::TierUpCounts n = module.tier_up_counts();
      runtime::tier_up_log().debug(
          "{} queued for tier 2, {} compiled, {} failed; {} OSR entries compiled, {} failed, "
          "{} entered",
          n.queued, n.compiled, n.failed, n.osr_compiled, n.osr_failed, n.osr_entered);
    }
  } summary{**module, p.config.tiering.enabled};

  // With --invoke the trailing arguments belong to the function, and the guest's argv is just
  // argv[0] (as in wasmtime).
  std::vector<wasi::fs::UniqueFd> sockets;  // outlive the host that lends them to the guest
  auto config = make_wasi_config(o.wasi, path,
                                 o.invoke.empty() ? o.args : std::vector<std::string>{}, sockets);
  if (!config) {
    io.err << "keel: " << config.error().message << '\n';
    return config.error().kind == ErrorKind::kUsage ? kExitUsage : kExitFailure;
  }
  auto host = wasi::WasiHost::create(*config);
  if (!host) {
    io.err << "keel: " << host.error().message << '\n';
    return kExitFailure;
  }
  Store store(p.config);  // after the host: host functions may refer to it, never the reverse
  Imports imports;
  (*host)->add_to_imports(store, imports);
  if (report_missing_imports(io, path, (*module)->module(), imports)) return kExitFailure;

  std::optional<Watchdog> watchdog;
  if (p.timeout) watchdog.emplace(store, *p.timeout);
  auto instance = store.instantiate(*module, imports);
  if (!instance) {
    if (instance.error().kind == ErrorKind::kTrap)
      return report_trap(io, path, store, instance.error());
    return report_error(io.err, path, instance.error());
  }
  auto function = [&](const std::string& name) -> std::optional<Extern> {
    auto e = (*instance)->get_export(name);
    if (!e || e->kind != ExternKind::kFunc) return std::nullopt;
    return e;
  };

  if (o.invoke.empty()) {
    auto start = function("_start");
    if (!start) {
      io.err << "keel: " << path << ": no `_start` export: name a function with --invoke\n";
      return kExitFailure;
    }
    if (!start->func_type.params.empty() || !start->func_type.results.empty()) {
      io.err << "keel: " << path << ": `_start` has type " << start->func_type.to_string()
             << ", not () -> ()\n";
      return kExitFailure;
    }
    auto results = store.call(*start, {});
    watchdog.reset();
    if (!results) {
      if (results.error().kind == ErrorKind::kTrap)
        return report_trap(io, path, store, results.error());
      return report_error(io.err, path, results.error());
    }
    return kExitOk;
  }

  auto func = function(o.invoke);
  if (!func) {
    io.err << "keel: " << path << ": no exported function `" << o.invoke << "`\n";
    return kExitFailure;
  }
  // A WASI reactor initialises itself in `_initialize` before any other export may be called.
  if (auto init = function("_initialize"); init && o.invoke != "_initialize") {
    auto done = store.call(*init, {});
    if (!done) {
      if (done.error().kind == ErrorKind::kTrap) return report_trap(io, path, store, done.error());
      return report_error(io.err, path, done.error());
    }
  }
  return invoke(o, store, *func, o.invoke, io);
}

}  // namespace

Subcommand add_run_command(CLI::App& parent) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* command =
      parent.add_subcommand("run", "Run a WASI command, or call an export with --invoke");
  command->add_option("--invoke", o->invoke, "Call this exported function (default: _start)")
      ->type_name("NAME");
  add_module_input(*command, o->input);
  add_wasi_options(*command, o->wasi);
  command->add_option("ARGS", o->args,
                      "The guest's arguments (argv[1] on), or with --invoke the function's");
  command
      ->add_option("-W", o->wasm_options,
                   "Wasm options as wasmtime spells them: max-wasm-stack=BYTES, "
                   "max-memory-size=BYTES, timeout=DURATION (comma-separated or repeated)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command
      ->add_option(
          "-C", o->codegen_options,
          "Code generation options: tier=tiered (the default)|baseline|optimizing (or "
          "wasmtime's compiler=winch|cranelift); for tiered, tier-up-budget=BYTES (of wasm run "
          "in tier 1 before tier 2; 0: at the first call), tier2-threads=N, "
          "tier-up-sync=y|n (compile tier 2 before going on), tier-up-osr=y|n "
          "(leave hot loops for tier 2 mid-call); "
          "cache=y|n (the code cache, on by default), cache-dir=PATH (default "
          "$XDG_CACHE_HOME/keel or ~/.cache/keel), cache-size=BYTES (LRU limit, default 1G)")
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
  command->add_flag("--allow-precompiled", o->allow_precompiled,
                    "Run a precompiled module (keel compile -o) without compiling it");
  command->add_flag("--no-interrupt-checks", o->no_interrupt_checks)->group("");
  // Everything after FILE belongs to the guest (or the function), options and negative numbers
  // included.
  command->positionals_at_end();
  return {command, [o](Io io) {
            auto p = plan(*o);
            if (!p) {
              io.err << "keel: " << p.error().message << '\n';
              return kExitUsage;
            }
            wasi::configure_logging_from_env();  // KEEL_LOG=wasi=trace: every call, strace-style
            const char* log = std::getenv("KEEL_LOG");
            auto tier_up_level = log_level_for(log ? log : "", "tierup");
            runtime::tier_up_log().set_level(
                tier_up_level ? spdlog::level::from_str(std::string(*tier_up_level))
                              : spdlog::level::off);
            int status = kExitFailure;
            // Room for the wasm stack the configuration allows, plus keel's own frames.
            size_t stack = p->config.max_wasm_stack + (2u << 20);
            std::shared_ptr<LoadedModule> loaded;
            run_with_stack(stack, [&] { status = run_module(*o, *p, io, loaded); });
            stop_background_compiles();  // exit now, not after tier-2 compiles still running
            // What this run compiled, for the next: a cache that cannot be written is no error.
            if (loaded) (void)loaded->save_to_code_cache();
            return status;
          }};
}

}  // namespace keel::cli

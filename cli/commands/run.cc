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
#include "cli/commands/cache_options.h"
#include "cli/commands/command.h"
#include "cli/commands/invoke_values.h"
#include "cli/commands/module_input.h"
#include "cli/commands/wasi_options.h"
#include "cli/commands/wasm_options.h"
#include "jit/engine/jit_compiler.h"
#include "runtime/artifact.h"
#include "runtime/store.h"
#include "runtime/tier_up.h"
#include "wasi/interrupt.h"
#include "wasi/wasi_host.h"

namespace keel::cli {
namespace {

struct RunOptions {
  ModuleInput input;
  WasiOptions wasi;
  std::string invoke;
  std::vector<std::string> args;
  std::vector<std::string> wasm_options;      // -W key=value[,key=value]
  std::vector<std::string> codegen_options;   // -C key=value[,key=value]
  std::vector<std::string> optimize_options;  // -O key=value[,key=value]
  std::vector<std::string> debug_options;     // -D key=value[,key=value]
  std::vector<std::string> preloads;          // --preload NAME=PATH
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
  WasmSettings wasm;
};

Result<RunPlan> plan(const RunOptions& o) {
  RunPlan p;
  p.config.compiler = jit::jit_compiler();
  p.config.features = o.input.features();  // --enable, then -W's proposal switches
  p.config.compile_mode = o.compile == "eager" ? CompileMode::kEager : CompileMode::kLazy;
  p.config.perfmap = o.profile == "perfmap";
  p.config.interrupt_checks = !o.no_interrupt_checks;
  // Tiered unless -C says otherwise: tier 1 starts at once, hot code moves to tier 2.
  p.config.tiering.enabled = true;
  p.config.code_cache.enabled = true;  // -C cache=n turns it off
  auto apply = [&](std::string_view key, std::string_view value) -> Status {
    return apply_wasm_key(key, value, p.config, p.wasm);
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
      return apply_other_codegen_key(key, value);
    }
    return {};
  };
  if (Status s = apply_key_values("-C", o.codegen_options, apply_codegen); !s) return s.error();
  // -O after -C: wasmtime's opt-level picks the tiers as -C tier= does; the later one wins.
  auto apply_optimize = [&](std::string_view key, std::string_view value) {
    return apply_optimize_key(key, value, p.config);
  };
  if (Status s = apply_key_values("-O", o.optimize_options, apply_optimize); !s) return s.error();
  if (Status s = apply_key_values("-D", o.debug_options, apply_debug_key); !s) return s.error();
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

// Once `timeout` passes, unless stopped first: Store::interrupt (compiled code traps at its next
// check), and WASI calls blocked on the thread that made the watchdog are woken, again every 10 ms
// in case one was about to block (wasi/interrupt.h).
class Watchdog {
 public:
  Watchdog(Store& store, std::chrono::nanoseconds timeout)
      : wasm_thread_((wasi::arm_host_call_interrupts(), pthread_self())),
        thread_([this, &store, timeout] {
          std::unique_lock lock(mutex_);
          if (cv_.wait_for(lock, timeout, [this] { return stopped_; })) return;
          store.interrupt();
          do {
            wasi::interrupt_host_calls(wasm_thread_);
          } while (!cv_.wait_for(lock, std::chrono::milliseconds(10), [this] { return stopped_; }));
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
  pthread_t wasm_thread_;
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

// With -W unknown-imports-trap or -W unknown-imports-default, every function import nothing
// provides gets a host function: one that traps naming the import, or one that returns zeros (the
// results come zeroed). The trap wins when both are given, as in wasmtime.
void stub_missing_imports(Store& store, const Module& m, const WasmSettings& s, Imports& imports) {
  if (!s.unknown_imports_trap && !s.unknown_imports_default) return;
  for (const Import& import : m.imports) {
    if (import.kind != ExternKind::kFunc || imports.find(import.module, import.name)) continue;
    HostFunction fn = [](HostCall&) { return vm::TrapCode::kNone; };
    if (s.unknown_imports_trap) {
      std::string message = "unknown import `" + import.module + "::" + import.name +
                            "` was called (stubbed by -W unknown-imports-trap)";
      fn = [message](HostCall& call) {
        call.message = message;
        return vm::TrapCode::kHostError;
      };
    }
    imports.add(import.module, import.name,
                store.host_function(m.function_type(import.index), std::move(fn)));
  }
}

// Names the imports nothing provides: keel's own message says more than the store's "unknown
// import" (which field, and the type it should have had). A module missing thousands names the
// first few and counts the rest.
bool report_missing_imports(Io io, const std::string& path, const Module& m,
                            const Imports& imports) {
  constexpr size_t kNamed = 10;
  size_t missing = 0;
  bool functions = false;
  for (const Import& import : m.imports) {
    if (imports.find(import.module, import.name)) continue;
    functions |= import.kind == ExternKind::kFunc;
    if (++missing > kNamed) continue;
    io.err << "keel: " << path << ": unknown import: `" << import.module << "::" << import.name
           << "` has not been defined (expected " << import_type_text(m, import) << ")\n";
  }
  if (missing > kNamed) {
    io.err << "keel: " << path << ": ... and " << missing - kNamed << " more unknown import"
           << (missing - kNamed == 1 ? "" : "s") << " (" << missing << " in all)\n";
  }
  if (missing && functions) {
    io.err << "keel: " << path
           << ": -W unknown-imports-trap=y runs it with functions that trap when called\n";
  }
  return missing != 0;
}

// -W max-instances, max-memories, max-tables: what the run's modules would create, checked before
// any of them is instantiated.
Status check_store_limits(const WasmSettings& s, const std::vector<const Module*>& modules) {
  uint64_t memories = 0, tables = 0;
  for (const Module* m : modules) {
    memories += m->memories.size() - m->num_imported_memories;
    tables += m->tables.size() - m->num_imported_tables;
  }
  auto over = [](uint64_t n, std::optional<uint64_t> max, const char* what, const char* key) {
    return max && n > *max
               ? make_error(ErrorKind::kUnlinkable, std::to_string(n) + " " + what + " exceed -W " +
                                                        key + "=" + std::to_string(*max))
               : Error{};
  };
  for (Error e : {over(modules.size(), s.max_instances, "instances", "max-instances"),
                  over(memories, s.max_memories, "linear memories", "max-memories"),
                  over(tables, s.max_tables, "tables", "max-tables")}) {
    if (!e.message.empty()) return e;
  }
  return {};
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

// A module given with --preload NAME=PATH: loaded before the main module, instantiated with the
// same WASI host, its exports offered to the later modules under NAME.
struct Preload {
  std::string name;
  std::string path;
  std::shared_ptr<LoadedModule> module;
};

Result<std::vector<Preload>> load_preloads(const RunOptions& o, const RunPlan& p, Io io) {
  std::vector<Preload> preloads;
  for (const std::string& spec : o.preloads) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      return make_error(ErrorKind::kUsage, "--preload wants NAME=PATH, got \"" + spec + "\"");
    Preload preload{spec.substr(0, eq), spec.substr(eq + 1), nullptr};
    auto buffer = read_module_file(preload.path, p.config.features);
    if (!buffer) {
      report_error(io.err, preload.path, buffer.error());
      return make_error(ErrorKind::kIo, "");
    }
    auto module = LoadedModule::load(std::move(*buffer), p.config);
    if (!module) {
      report_error(io.err, preload.path, module.error());
      return make_error(ErrorKind::kIo, "");
    }
    preload.module = std::move(*module);
    preloads.push_back(std::move(preload));
  }
  return preloads;
}

// Instantiates the preloads in order (a reactor's `_initialize` runs first) and adds each one's
// exports to `imports`. Returns the exit status of a failure, or nothing.
std::optional<int> instantiate_preloads(const std::vector<Preload>& preloads, Store& store,
                                        Imports& imports, Io io) {
  for (const Preload& preload : preloads) {
    if (report_missing_imports(io, preload.path, preload.module->module(), imports))
      return kExitFailure;
    auto instance = store.instantiate(preload.module, imports);
    if (!instance) {
      if (instance.error().kind == ErrorKind::kTrap)
        return report_trap(io, preload.path, store, instance.error());
      return report_error(io.err, preload.path, instance.error());
    }
    if (auto init = (*instance)->get_export("_initialize");
        init && init->kind == ExternKind::kFunc) {
      auto done = store.call(*init, {});
      if (!done) {
        if (done.error().kind == ErrorKind::kTrap)
          return report_trap(io, preload.path, store, done.error());
        return report_error(io.err, preload.path, done.error());
      }
    }
    imports.add_instance(preload.name, **instance);
  }
  return std::nullopt;
}

// `loaded` keeps the module for the code cache's write-back once background compiles stop.
int run_module(const RunOptions& o, const RunPlan& p, Io io,
               std::shared_ptr<LoadedModule>& loaded) {
  const std::string& path = o.input.path;
  auto buffer = read_module_file(path, p.config.features);
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
  auto preloads = load_preloads(o, p, io);
  if (!preloads) {
    if (preloads.error().kind != ErrorKind::kUsage) return kExitFailure;  // reported
    io.err << "keel: " << preloads.error().message << '\n';
    return kExitUsage;
  }
  std::vector<const Module*> modules{&(*module)->module()};
  for (const Preload& preload : *preloads) modules.push_back(&preload.module->module());
  if (Status limits = check_store_limits(p.wasm, modules); !limits)
    return report_error(io.err, path, limits.error());
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

  std::optional<Watchdog> watchdog;
  if (p.wasm.timeout) watchdog.emplace(store, *p.wasm.timeout);
  if (auto failed = instantiate_preloads(*preloads, store, imports, io)) return *failed;
  stub_missing_imports(store, (*module)->module(), p.wasm, imports);
  if (report_missing_imports(io, path, (*module)->module(), imports)) return kExitFailure;
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
    // A reactor (`_initialize`, no `_start`) without --invoke: initialised, and that is the run,
    // as wasmtime does it.
    if (auto init = function("_initialize"); !start && init) {
      auto done = store.call(*init, {});
      watchdog.reset();
      if (!done) {
        if (done.error().kind == ErrorKind::kTrap)
          return report_trap(io, path, store, done.error());
        return report_error(io.err, path, done.error());
      }
      return kExitOk;
    }
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
                   "max-memory-size=BYTES, timeout=DURATION, unknown-imports-trap=y, proposals "
                   "(simd=y|n, ...); `-W help` lists them (comma-separated or repeated)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command
      ->add_option("-O", o->optimize_options,
                   "Optimisation options as wasmtime spells them: opt-level=0 (tier 1 only), "
                   "1|2|s (tiered); `-O help` lists them")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command
      ->add_option("-D", o->debug_options,
                   "Debug options as wasmtime spells them (address-map, logging); `-D help` "
                   "lists them")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  command
      ->add_option("--preload", o->preloads,
                   "Instantiate the module at PATH first, with the same WASI context, and offer "
                   "its exports to the main module's imports from NAME (repeatable)")
      ->type_name("NAME=PATH")
      ->allow_extra_args(false);
  command
      ->add_option(
          "-C", o->codegen_options,
          "Code generation options: tier=tiered (the default)|baseline|optimizing (or "
          "wasmtime's compiler=winch|cranelift); for tiered, tier-up-budget=BYTES (of wasm run "
          "in tier 1 before tier 2; 0: at the first call), tier2-threads=N, "
          "tier-up-sync=y|n (compile tier 2 before going on), tier-up-osr=y|n "
          "(leave hot loops for tier 2 mid-call); `-C help` lists them")
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
  // Not required by the parser: `keel run -W help` takes none. Checked below.
  command->get_option("FILE")->required(false);
  return {command, [o](Io io) {
            struct Group {
              const std::vector<std::string>& lists;
              const char* flag;
              const char* title;
              std::span<const OptionKey> keys;
            };
            for (const Group& g : {Group{o->wasm_options, "-W", "wasm", wasm_keys()},
                                   Group{o->wasi.wasi, "-S", "WASI", wasi_keys()},
                                   Group{o->codegen_options, "-C", "codegen", codegen_keys()},
                                   Group{o->optimize_options, "-O", "optimize", optimize_keys()},
                                   Group{o->debug_options, "-D", "debug", debug_keys()}}) {
              if (!asks_for_help(g.lists)) continue;
              io.out << keys_help(g.flag, g.title, g.keys);
              return kExitOk;
            }
            if (o->input.path.empty()) {
              io.err << "keel: run: a module FILE is required (`keel run --help`)\n";
              return kExitUsage;
            }
            auto p = plan(*o);
            if (!p) {
              io.err << "keel: " << p.error().message << '\n';
              return kExitUsage;
            }
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

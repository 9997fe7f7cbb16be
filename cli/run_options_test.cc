// wasmtime's `run` options as keel takes them (issue 15): each key's accepted spelling, what it
// does, and the refusal message of what keel lacks. Modules are written in the text format.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_test_util.h"
#include "cli/commands/invoke_values.h"

namespace keel::cli {
namespace {

using test::Outcome;
using test::run;

std::string write_file(const std::string& name, const std::string& text) {
  std::string path =
      testing::TempDir() + "keel_run_options_" + std::to_string(getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const char* kAdd = R"((module (func (export "add") (param i32 i32) (result i32)
  local.get 0 local.get 1 i32.add)))";

// Runs `--invoke add M 2 3` with `options` before it.
Outcome run_add(std::vector<std::string> options) {
  static const std::string path = write_file("add.wat", kAdd);
  std::vector<std::string> args{"run"};
  args.insert(args.end(), options.begin(), options.end());
  args.insert(args.end(), {"--invoke", "add", path, "2", "3"});
  return run(args);
}

void expect_accepted(std::vector<std::string> options) {
  Outcome r = run_add(options);
  EXPECT_EQ(r.status, 0) << options.back() << ": " << r.err;
  EXPECT_EQ(r.out, "5\n") << options.back();
}

void expect_refused(std::vector<std::string> options, const std::string& message) {
  Outcome r = run_add(options);
  EXPECT_EQ(r.status, 2) << options.back();
  EXPECT_TRUE(has(r.err, message)) << options.back() << ": " << r.err;
  EXPECT_FALSE(has(r.err, "not expected")) << r.err;
}

TEST(RunOptions, HelpListsTheKeysOfEachGroup) {
  struct Group {
    const char* flag;
    std::vector<const char*> keys;
  };
  for (const Group& g :
       {Group{"-W", {"max-wasm-stack=N", "unknown-imports-trap=y|n", "tail-call", "timeout"}},
        Group{"-S", {"inherit-env", "inherit-network", "preview0", "tcplisten=ADDR:PORT"}},
        Group{"-C", {"tier=", "compiler=", "cranelift-NAME"}},
        Group{"-O", {"opt-level=0|1|2|s", "memory-reservation"}},
        Group{"-D", {"debug-info", "address-map"}}}) {
    Outcome r = run({"run", g.flag, "help"});  // no module needed
    EXPECT_EQ(r.status, 0) << g.flag << r.err;
    for (const char* key : g.keys)
      EXPECT_TRUE(has(r.out, std::string(g.flag) + " " + key)) << g.flag << " " << key << r.out;
    EXPECT_EQ(run({g.flag, "help"}).out, r.out);  // the shorthand without `run`
  }
  EXPECT_EQ(run({"run", "-W", "help-long"}).status, 0);
  Outcome none = run({"run", "-W", "timeout=1s"});
  EXPECT_EQ(none.status, 2);
  EXPECT_TRUE(has(none.err, "a module FILE is required")) << none.err;
}

TEST(RunOptions, UnknownKeysPointAtHelp) {
  expect_refused({"-W", "frobnicate=1"}, "unknown -W option \"frobnicate\" (`keel run -W help`");
  expect_refused({"-O", "frobnicate=1"}, "unknown -O option");
  expect_refused({"-D", "frobnicate"}, "unknown -D option");
  expect_refused({"-C", "opt-level=2"}, "unknown -C option \"opt-level\" (`keel run -C help`");
  expect_refused({"-S", "frobnicate"}, "unknown -S option \"frobnicate\" (`keel run -S help`");
}

TEST(RunOptions, ProposalSwitchesInWasmtimeSpelling) {
  for (const char* on :
       {"simd", "simd=y", "extended-const", "extended-const=yes", "bulk-memory", "multi-value=y",
        "reference-types=true", "all-proposals=y", "all-proposals=n", "branch-hinting=y"})
    expect_accepted({"-W", on});
  for (const char* off :
       {"tail-call=n", "relaxed-simd=n", "exceptions=n", "multi-memory=n", "memory64=n",
        "threads=n", "function-references=n", "gc=n", "component-model=n", "simd=n"})
    expect_accepted({"-W", off});
  struct Refused {
    const char* key;
    const char* lacks;
  };
  for (Refused r : {Refused{"tail-call=y", "tail calls"},
                    {"relaxed-simd", "relaxed-simd"},
                    {"exceptions=y", "exception handling"},
                    {"multi-memory=y", "memories other"},
                    {"memory64=y", "64-bit memories"},
                    {"threads=y", "atomic instructions"},
                    {"function-references=y", "typed function references"},
                    {"gc=y", "the GC proposal"},
                    {"component-model", "not components"}}) {
    expect_refused({"-W", r.key}, std::string("-W ") + r.key);
    expect_refused({"-W", r.key}, r.lacks);
  }
  expect_refused({"-W", "simd=maybe"}, "-W simd=maybe: expected y or n");

  // -W simd=n takes SIMD away: a module using v128 no longer validates.
  std::string simd = write_file("simd.wat", R"((module (func (export "f") (result i32)
    v128.const i32x4 1 2 3 4 i32x4.extract_lane 2)))");
  EXPECT_EQ(run({"run", "--invoke", "f", simd}).out, "3\n");
  Outcome r = run({"run", "-W", "simd=n", "--invoke", "f", simd});
  EXPECT_EQ(r.status, 1);
  // extended-const is off by default and on with -W extended-const.
  std::string ext = write_file("ext.wat", R"((module
    (global (export "g") i32 (i32.add (i32.const 40) (i32.const 2)))
    (func (export "f") (result i32) (global.get 0))))");
  EXPECT_EQ(run({"run", "--invoke", "f", ext}).status, 1);
  r = run({"run", "-W", "extended-const=y", "--invoke", "f", ext});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  r = run({"run", "-W", "all-proposals=y", "--invoke", "f", ext});
  EXPECT_EQ(r.out, "42\n");
}

TEST(RunOptions, DurationsAsWasmtimeReadsThem) {
  using namespace std::chrono_literals;
  EXPECT_EQ(*parse_duration("500ms"), 500ms);
  EXPECT_EQ(*parse_duration("2s"), 2s);
  EXPECT_EQ(*parse_duration("2sec"), 2s);
  EXPECT_EQ(*parse_duration("2secs"), 2s);
  EXPECT_EQ(*parse_duration("1min"), 1min);
  EXPECT_EQ(*parse_duration("3mins"), 3min);
  EXPECT_EQ(*parse_duration("1h"), 1h);
  EXPECT_EQ(*parse_duration("5ns"), 5ns);
  EXPECT_EQ(*parse_duration("7\u03bcs"), 7us);
  EXPECT_EQ(*parse_duration("10"), 10s);
  EXPECT_FALSE(parse_duration("2 sec"));
  EXPECT_FALSE(parse_duration("min"));
  for (const char* d : {"500ms", "2s", "2sec", "1min", "1h"})
    expect_accepted({"-W", std::string("timeout=") + d});
  expect_refused({"-W", "timeout=soon"}, "invalid duration: \"soon\"");
}

TEST(RunOptions, LimitsAndTheirBounds) {
  expect_accepted({"-W", "max-wasm-stack=1M"});
  expect_accepted({"-W", "max-wasm-stack=512M"});
  expect_refused({"-W", "max-wasm-stack=16G"}, "-W max-wasm-stack=16G: more than keel allows");
  expect_refused({"-W", "max-wasm-stack=100"}, "less than keel needs");
  expect_accepted({"-W", "max-table-elements=10,max-instances=1,max-memories=0,max-tables=0"});
  expect_refused({"-W", "max-instances=lots"}, "-W max-instances=lots: expected a number");

  std::string mem = write_file("mem.wat", R"((module (memory 2) (table 10 funcref)
    (func (export "f") (result i32) (memory.size))))");
  Outcome r = run({"run", "-W", "max-memory-size=64K", "--invoke", "f", mem});
  EXPECT_EQ(r.status, 1);  // an instantiation error, not a trap (134)
  EXPECT_TRUE(has(r.err, "memory of 2 pages at start exceeds the memory size limit (1 pages)"))
      << r.err;
  r = run({"run", "-W", "max-table-elements=5", "--invoke", "f", mem});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "table of 10 elements at start exceeds the table size limit (5 "))
      << r.err;
  r = run({"run", "-W", "max-memories=0", "--invoke", "f", mem});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "1 linear memories exceed -W max-memories=0")) << r.err;
  r = run({"run", "-W", "max-tables=0", "--invoke", "f", mem});
  EXPECT_TRUE(has(r.err, "1 tables exceed -W max-tables=0")) << r.err;
  r = run({"run", "-W", "max-memories=1,max-tables=1,max-instances=1,max-table-elements=10",
           "--invoke", "f", mem});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "2\n");

  // table.grow past -W max-table-elements fails with -1, as wasmtime's does.
  std::string grow = write_file("grow.wat", R"((module (table 1 funcref)
    (func (export "f") (result i32) (table.grow (ref.null func) (i32.const 8)))))");
  EXPECT_EQ(run({"run", "--invoke", "f", grow}).out, "1\n");
  EXPECT_EQ(run({"run", "-W", "max-table-elements=4", "--invoke", "f", grow}).out, "-1\n");
  // With -W trap-on-grow-failure the failure traps, with the frame that asked.
  r = run({"run", "-W", "max-table-elements=4,trap-on-grow-failure=y", "--invoke", "f", grow});
  EXPECT_EQ(r.status, 134);
  EXPECT_TRUE(has(r.err, "wasm trap: table.grow failed (-W trap-on-grow-failure)")) << r.err;
  EXPECT_TRUE(has(r.err, "!f")) << r.err;
  std::string mgrow = write_file("mgrow.wat", R"((module (memory 1)
    (func (export "f") (result i32) (memory.grow (i32.const 4)))))");
  EXPECT_EQ(run({"run", "-W", "max-memory-size=128K", "--invoke", "f", mgrow}).out, "-1\n");
  r = run({"run", "-W", "max-memory-size=128K,trap-on-grow-failure", "--invoke", "f", mgrow});
  EXPECT_EQ(r.status, 134);
  EXPECT_TRUE(has(r.err, "wasm trap: memory.grow failed (-W trap-on-grow-failure)")) << r.err;
  EXPECT_TRUE(has(r.err, "!f")) << r.err;
  r = run({"run", "-W", "trap-on-grow-failure=y", "--invoke", "f", mgrow});  // it succeeds
  EXPECT_EQ(r.out, "1\n");
  for (const char* tier : {"tier=optimizing", "tier=baseline"}) {
    r = run({"run", "-C", tier, "-W", "max-memory-size=128K,trap-on-grow-failure", "--invoke", "f",
             mgrow});
    EXPECT_EQ(r.status, 134) << tier;
    EXPECT_TRUE(has(r.err, "!f")) << tier << r.err;
  }
}

TEST(RunOptions, AcceptedWithNoEffectOrRefusedWithAReason) {
  for (const char* w :
       {"unknown-exports-allow=y", "epoch-interruption=y", "async-stack-size=2M",
        "async-stack-zeroing=n", "trap-on-grow-failure=n", "nan-canonicalization=n", "wmemcheck=n"})
    expect_accepted({"-W", w});
  expect_refused({"-W", "fuel=1000"}, "-W fuel=1000: keel has no fuel metering yet");
  expect_refused({"-W", "nan-canonicalization"}, "keel does not canonicalise NaNs yet");
  expect_refused({"-W", "wmemcheck=y"}, "keel has no memory checker");

  for (const char* o :
       {"opt-level=0", "opt-level=1", "opt-level=2", "opt-level=s", "memory-may-move=n",
        "memory-init-cow=y", "table-lazy-init=n", "signals-based-traps=y", "pooling-allocator=n"})
    expect_accepted({"-O", o});
  expect_refused({"-O", "opt-level=3"}, "-O opt-level=3: expected 0, 1, 2 or s");
  expect_refused({"-O", "memory-reservation=1G"}, "keel's memory layout is fixed");
  expect_refused({"-O", "memory-guard-size=0"}, "keel's memory layout is fixed");
  expect_refused({"-O", "pooling-allocator"}, "keel has no pooling allocator");
  expect_refused({"-O", "signals-based-traps=n"}, "need signal handlers");

  for (const char* c : {"parallel-compilation=y", "native-unwind-info=n", "inlining=n"})
    expect_accepted({"-C", c});
  expect_refused({"-C", "cranelift-opt_level=speed"}, "keel has no Cranelift");
  expect_refused({"-C", "collector=drc"}, "keel has no garbage collector");

  for (const char* d : {"address-map=y", "logging=y", "debug-info=n"}) expect_accepted({"-D", d});
  expect_refused({"-D", "debug-info"}, "keel emits no DWARF");
  expect_refused({"-D", "coredump=core.wasm"}, "keel writes no wasm core dumps");
  expect_refused({"-D", "guest-debug=y"}, "keel has no guest debugger");
}

TEST(RunOptions, WasiKeysOfPreview2) {
  for (const char* s : {"inherit-network",
                        "inherit-network=y",
                        "allow-ip-name-lookup=y",
                        "tcp",
                        "tcp=y",
                        "udp=y",
                        "udp=n",
                        "preview0",
                        "preview0=y",
                        "preview2=n",
                        "preview2=y",
                        "cli",
                        "cli=y",
                        "common=y",
                        "inherit-stdin=y",
                        "inherit-stdin=n",
                        "inherit-stdout=n",
                        "inherit-stderr=n",
                        "http=n",
                        "threads=n",
                        "nn=n",
                        "tcp=n",
                        "inherit-env,inherit-network,allow-ip-name-lookup"})
    expect_accepted({"-S", s});
  expect_refused({"-S", "cli=n"}, "always provides the CLI functions");
  expect_refused({"-S", "http"}, "-S http: keel has no wasi-http");
  expect_refused({"-S", "threads=y"}, "keel has no wasi-threads");
  expect_refused({"-S", "p3"}, "keel has no WASIp3");
  expect_refused({"-S", "cwd=/"}, "preview1, which has no working directory");
  expect_refused({"-S", "tcp=n", "--tcplisten", "127.0.0.1:0"}, "-S tcp=n: contradicts");
}

// Imports: env.f () -> (), env.g () -> i32, env.h (i64, f32) -> (f64, i32); a memory import too.
const char* kImports = R"((module
  (import "env" "f" (func $f))
  (import "env" "g" (func $g (result i32)))
  (import "env" "h" (func $h (param i64 f32) (result f64 i32)))
  (func (export "quiet") (result i32) (i32.const 7))
  (func (export "call_f") (call $f))
  (func (export "call_g") (result i32) (i32.add (call $g) (i32.const 1)))
  (func (export "call_h") (result i32) (local $r i32)
    (call $h (i64.const 1) (f32.const 2)) (local.set $r) (f64.const 0) (f64.eq)
    (i32.add (local.get $r))))
)";

TEST(RunOptions, UnknownImportsTrapOrReturnDefaults) {
  std::string path = write_file("imports.wat", kImports);
  Outcome r = run({"run", "--invoke", "quiet", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "`env::g` has not been defined (expected func () -> (i32))")) << r.err;
  EXPECT_TRUE(has(r.err, "-W unknown-imports-trap=y")) << r.err;

  r = run({"run", "-W", "unknown-imports-trap=y", "--invoke", "quiet", path});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "7\n");
  r = run({"run", "-W", "unknown-imports-trap", "--invoke", "call_f", path});
  EXPECT_EQ(r.status, 134);
  EXPECT_TRUE(has(r.err, "unknown import `env::f` was called")) << r.err;

  r = run({"run", "-W", "unknown-imports-default=y", "--invoke", "call_g", path});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1\n");  // g() returned 0
  r = run({"run", "-W", "unknown-imports-default=y", "--invoke", "call_h", path});
  EXPECT_EQ(r.out, "1\n");  // h returned (0.0, 0)
  r = run({"run", "-W", "unknown-imports-default=y", "--invoke", "call_f", path});
  EXPECT_EQ(r.status, 0) << r.err;
  // Both: the trap wins, as in wasmtime.
  r = run({"run", "-W", "unknown-imports-default=y,unknown-imports-trap=y", "--invoke", "call_g",
           path});
  EXPECT_EQ(r.status, 134);

  // Stubs are functions only: a missing memory is still an error.
  std::string memory = write_file("memory_import.wat", R"((module
    (import "env" "memory" (memory 1)) (func (export "f"))))");
  r = run({"run", "-W", "unknown-imports-trap=y", "--invoke", "f", memory});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "`env::memory` has not been defined (expected memory 1)")) << r.err;
}

TEST(RunOptions, ThousandsOfMissingImportsNameTheFirstFew) {
  std::string text = "(module\n";
  for (int i = 0; i < 3000; ++i)
    text += "  (import \"js\" \"f" + std::to_string(i) + "\" (func))\n";
  text += "  (func (export \"quiet\")))\n";
  std::string path = write_file("many.wat", text);
  Outcome r = run({"run", "--invoke", "quiet", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "`js::f9` has not been defined")) << r.err;
  EXPECT_FALSE(has(r.err, "`js::f10` has not been defined")) << r.err;
  EXPECT_TRUE(has(r.err, "... and 2990 more unknown imports (3000 in all)")) << r.err;
  EXPECT_LT(std::count(r.err.begin(), r.err.end(), '\n'), 15) << r.err;
  r = run({"run", "-W", "unknown-imports-trap=y", "--invoke", "quiet", path});
  EXPECT_EQ(r.status, 0) << r.err;
}

TEST(RunOptions, PreloadOffersExportsWithTheSameWasiContext) {
  // The preloaded module reads the guest's argc through WASI; the main module checks it.
  std::string lib = write_file("lib.wat", R"((module
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $init (mut i32) (i32.const 0))
    (func (export "_initialize") (global.set $init (i32.const 100)))
    (func (export "argc") (result i32)
      (drop (call $sizes (i32.const 0) (i32.const 4)))
      (i32.add (global.get $init) (i32.load (i32.const 0))))
    (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))))");
  std::string main = write_file("main.wat", R"((module
    (import "lib" "argc" (func $argc (result i32)))
    (import "lib" "double" (func $double (param i32) (result i32)))
    (func (export "_start")
      (if (i32.ne (call $argc) (i32.const 103)) (then unreachable)))
    (func (export "twice") (param i32) (result i32) (call $double (local.get 0)))))");
  Outcome r = run({"run", "--preload", "lib=" + lib, "--invoke", "twice", main, "21"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  // argv is main.wat a b: 3 arguments, seen by the preloaded module (after its _initialize).
  r = run({"run", "--preload", "lib=" + lib, main, "a", "b"});
  EXPECT_EQ(r.status, 0) << r.err;
  r = run({"run", "--preload", "lib=" + lib, main, "a"});
  EXPECT_EQ(r.status, 134);
  // Without the preload the import is missing; a wrong name is missing too.
  EXPECT_EQ(run({"run", main}).status, 1);
  r = run({"run", "--preload", "other=" + lib, main});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "`lib::argc` has not been defined")) << r.err;
  // Limits count the preloads.
  r = run({"run", "-W", "max-instances=1", "--preload", "lib=" + lib, main, "a", "b"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "2 instances exceed -W max-instances=1")) << r.err;
  // Bad specs.
  r = run({"run", "--preload", "lib", main});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(has(r.err, "--preload wants NAME=PATH, got \"lib\"")) << r.err;
  r = run({"run", "--preload", "lib=/nonexistent/lib.wasm", main});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "/nonexistent/lib.wasm")) << r.err;
}

TEST(RunOptions, MessagesForNewUsers) {
  Outcome r = run({"missing.wasm"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "missing.wasm")) << r.err;
  EXPECT_TRUE(has(r.err, "No such file")) << r.err;
  r = run({"frobnicate"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(has(r.err, "`frobnicate` is neither a command nor a file")) << r.err;

  r = run({"help", "run"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.out, "--preload")) << r.out;
  EXPECT_EQ(run({"help"}).status, 0);
  EXPECT_EQ(run({"help", "frobnicate"}).status, 2);
  r = run({"--help"});
  EXPECT_TRUE(has(r.out, "keel FILE [ARGS...] is short for keel run FILE")) << r.out;
  EXPECT_TRUE(has(r.out, "keel completion")) << r.out;
  EXPECT_TRUE(has(r.out, "settings")) << r.out;

  std::string component = write_file("component.wasm", std::string("\0asm\x0d\0\x01\0", 8));
  for (const char* command : {"run", "validate"}) {
    r = run({command, component});
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(
        has(r.err, "this is a WebAssembly component; keel runs core modules (WASI preview1)"))
        << r.err;
  }

  r = run({"settings"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(has(r.out, "CPU extensions detected:")) << r.out;
  EXPECT_TRUE(has(r.out, "tiered")) << r.out;
  EXPECT_TRUE(has(r.out, "tail-call")) << r.out;
}

TEST(RunOptions, Preview0CanBeLeftOut) {
  std::string path = write_file("preview0.wat", R"((module
    (import "wasi_unstable" "proc_exit" (func $exit (param i32)))
    (func (export "_start") (call $exit (i32.const 3)))))");
  EXPECT_EQ(run({"run", path}).status, 3);
  EXPECT_EQ(run({"run", "-S", "preview0=y", path}).status, 3);
  Outcome r = run({"run", "-S", "preview0=n", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "`wasi_unstable::proc_exit` has not been defined")) << r.err;
}

TEST(RunOptions, AReactorWithoutInvokeIsInitialised) {
  std::string ok = write_file("reactor.wat", R"((module
    (func (export "_initialize")) (func (export "f") (result i32) (i32.const 1))))");
  Outcome r = run({"run", ok});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::string trap = write_file("reactor_trap.wat", R"((module
    (func (export "_initialize") unreachable)))");
  EXPECT_EQ(run({"run", trap}).status, 134);
  std::string neither = write_file("neither.wat", R"((module (func (export "f"))))");
  r = run({"run", neither});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "no `_start` export")) << r.err;
}

TEST(RunOptions, BacktracesNameExportsWithoutANameSection) {
  // No identifiers, so no name section: the frames take the export names.
  std::string path = write_file("boom.wat", R"((module
    (func unreachable)
    (func (export "boom") (call 0))))");
  Outcome r = run({"run", "--invoke", "boom", path});
  EXPECT_EQ(r.status, 134);
  EXPECT_TRUE(has(r.err, "!#0\n")) << r.err;  // not exported: its index
  EXPECT_TRUE(has(r.err, "!boom")) << r.err;
}

}  // namespace
}  // namespace keel::cli

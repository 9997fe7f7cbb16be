// The command line as users see it: exact output, one-line errors and exit codes.
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_test_util.h"

namespace keel::cli {
namespace {

using test::Outcome;
using test::run;

// Writes `bytes` to a fresh file in the test's temporary folder and returns its path.
std::string write_module(const std::string& name, const std::string& bytes) {
  std::string path =
      testing::TempDir() + "keel_cli_test_" + std::to_string(getpid()) + "_" + name + ".wasm";
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

template <size_t N>
std::string bytes_of(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// (module (func (export "add") (param i32 i32) (result i32) (local i32)
//   local.get 0 local.get 1 i32.add)) with a name section calling function 0 "add".
const std::string kAddModule = bytes_of(
    "\0asm\x01\0\0\0"
    "\x01\x07\x01\x60\x02\x7f\x7f\x01\x7f"  // type section: (i32, i32) -> (i32)
    "\x03\x02\x01\x00"                      // function section: one function of type 0
    "\x07\x07\x01\x03"
    "add"
    "\x00\x00"                      // export section: "add" = func 0
    "\x0a\x0b\x01\x09\x01\x01\x7f"  // code section: one body; locals: 1 x i32
    "\x20\x00\x20\x01\x6a\x0b"      //   local.get 0, local.get 1, i32.add, end
    "\x00\x0d\x04"
    "name"
    "\x01\x06\x01\x00\x03"
    "add");  // name section: func 0 = "add"

TEST(Cli, VersionNamesReleaseAndCommit) {
  Outcome r = run({"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(
      std::regex_match(r.out, std::regex(R"(keel \d+\.\d+\.\d+ \(([0-9a-f]{4,}|unknown)\)\n)")))
      << r.out;
  EXPECT_EQ(r.out, version_string() + "\n");
}

TEST(Cli, HelpListsSubcommands) {
  Outcome r = run({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("validate"), std::string::npos);
  EXPECT_NE(r.out.find("disasm"), std::string::npos);
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run({}).status, 2);
  EXPECT_EQ(run({"frobnicate"}).status, 2);
  EXPECT_EQ(run({"validate"}).status, 2);
  EXPECT_EQ(run({"validate", "--enable", "no-such-proposal", "x.wasm"}).status, 2);
}

TEST(Cli, ValidateIsSilentOnValidModule) {
  std::string path = write_module("add", kAddModule);
  Outcome r = run({"validate", path});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST(Cli, ValidateAcceptsFeatureFlags) {
  std::string path = write_module("add_features", kAddModule);
  EXPECT_EQ(run({"validate", "--enable", "threads,tail-call", "--enable", "simd", path}).status, 0);
  EXPECT_EQ(run({"validate", "--enable-all", path}).status, 0);
}

TEST(Cli, ValidateReportsMissingFile) {
  Outcome r = run({"validate", "/nonexistent/keel.wasm"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "keel: /nonexistent/keel.wasm: No such file or directory\n");
}

TEST(Cli, ValidateReportsMalformedModuleOnOneLine) {
  std::string path = write_module("bad_magic", bytes_of("\0asn\x01\0\0\0"));
  Outcome r = run({"validate", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "keel: " + path + ": offset 0x0: malformed: magic header not detected\n");
}

TEST(Cli, ValidateReportsInvalidFunction) {
  // i32.add becomes i64.add, whose operands are then of the wrong type.
  std::string bytes = kAddModule;
  bytes[bytes.find("\x6a\x0b")] = '\x7c';
  std::string path = write_module("type_mismatch", bytes);
  Outcome r = run({"validate", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "keel: " + path + ": offset 0x29: function 0: invalid: type mismatch\n");
}

TEST(Cli, DisasmListsInstructionsWithOffsets) {
  std::string path = write_module("disasm", kAddModule);
  Outcome r = run({"disasm", path});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "000022 func[0] <$add> (i32, i32) -> (i32):\n"
            " 000023: 01 7f                      | local[2] type=i32\n"
            " 000025: 20 00                      | local.get 0\n"
            " 000027: 20 01                      | local.get 1\n"
            " 000029: 6a                         | i32.add\n"
            " 00002a: 0b                         | end\n");
}

// A module of one `() -> ()` function with `code` (locals vector included) as its body. Sizes fit
// in one LEB128 byte.
std::string module_with_body(const std::string& code) {
  auto section = [](char id, const std::string& contents) {
    return std::string(1, id) + static_cast<char>(contents.size()) + contents;
  };
  return bytes_of("\0asm\x01\0\0\0") + section('\x01', bytes_of("\x01\x60\x00\x00")) +
         section('\x03', bytes_of("\x01\x00")) +
         section('\x0a', "\x01" + std::string(1, static_cast<char>(code.size())) + code);
}

TEST(Cli, DisasmFormatsImmediates) {
  std::string path = write_module(
      "immediates",
      module_with_body(bytes_of("\x00"                  // no locals
                                "\x02\x7f"              // block (result i32)
                                "\x41\x7f"              // i32.const -1
                                "\x0e\x02\x00\x01\x00"  // br_table 0 1 0
                                "\x0b"                  // end
                                "\x28\x00\x10"          // i32.load offset=16 align=1
                                "\x43\x00\x00\xc0\x7f"  // f32.const nan
                                "\x43\x01\x00\x80\xff"  // f32.const -nan:0x1
                                "\x44\x00\x00\x00\x00\x00\x00\xf8\xbf"  // f64.const -1.5
                                "\xfd\x0c\x01\x00\x00\x00\x02\x00\x00\x00"
                                "\x03\x00\x00\x00\x04\x00\x00\x00"  // v128.const
                                "\x10\x00"                          // call 0
                                "\x0b")));
  Outcome r = run({"disasm", path});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "000016 func[0] () -> ():\n"
            " 000017: 02 7f                      | block (result i32)\n"
            " 000019: 41 7f                      |   i32.const -1\n"
            " 00001b: 0e 02 00 01 00             |   br_table 0 1 0\n"
            " 000020: 0b                         | end\n"
            " 000021: 28 00 10                   | i32.load offset=16 align=1\n"
            " 000024: 43 00 00 c0 7f             | f32.const nan\n"
            " 000029: 43 01 00 80 ff             | f32.const -nan:0x1\n"
            " 00002e: 44 00 00 00 00 00 00 f8 bf | f64.const -1.5\n"
            " 000037: fd 0c 01 00 00 00 02 00 00 | v128.const i32x4 0x00000001 0x00000002 "
            "0x00000003 0x00000004\n"
            " 000040: 00 03 00 00 00 04 00 00 00 | \n"
            " 000049: 10 00                      | call 0\n"
            " 00004b: 0b                         | end\n");
}

TEST(Cli, DisasmReportsMalformedInstruction) {
  std::string bytes = kAddModule;
  bytes[bytes.find("\x6a\x0b")] = '\xff';  // not an opcode
  std::string path = write_module("disasm_bad", bytes);
  Outcome r = run({"disasm", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "keel: " + path + ": offset 0x29: function 0: malformed: illegal opcode\n");
  // What precedes the bad byte is still listed.
  EXPECT_NE(r.out.find("| local.get 1\n"), std::string::npos) << r.out;
}

TEST(Cli, RunInvokesWithArgumentsAndPrintsResults) {
  std::string path = write_module("run_add", kAddModule);
  Outcome r = run({"run", "--invoke", "add", path, "40", "2"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  // Negative numbers after FILE are arguments, not options; results print signed.
  r = run({"run", "--invoke", "add", path, "-5", "0x2"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "-3\n");
  r = run({"run", "--compile=eager", "-W", "max-wasm-stack=2M,timeout=10s", "--invoke", "add", path,
           "2147483647", "1"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "-2147483648\n");
}

TEST(Cli, RunRejectsBadArguments) {
  std::string path = write_module("run_args", kAddModule);
  Outcome r = run({"run", "--invoke", "add", path, "1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "keel: `add` takes 2 arguments (i32, i32) -> (i32), got 1\n");
  r = run({"run", "--invoke", "add", path, "1", "4294967296"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "keel: argument 2 of `add`: i32 out of range: \"4294967296\"\n");
  r = run({"run", "--invoke", "sub", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "keel: " + path + ": no exported function `sub`\n");
  EXPECT_EQ(run({"run", "-W", "frobnicate=1", "--invoke", "add", path, "1", "2"}).status, 2);
  EXPECT_EQ(run({"run", "--profile=jitdump", "--invoke", "add", path, "1", "2"}).status, 2);
}

// -C chooses the tier, in keel's words or wasmtime's; keel compile --tier too.
TEST(Cli, RunAndCompileChooseTheTier) {
  std::string path = write_module("run_tier", kAddModule);
  for (const char* option : {"tier=baseline", "compiler=winch"}) {
    Outcome r = run({"run", "-C", option, "--invoke", "add", path, "1", "2"});
    EXPECT_EQ(r.status, 0) << option << ": " << r.err;
    EXPECT_EQ(r.out, "3\n") << option;
  }
  for (const char* option : {"tier=optimizing", "compiler=cranelift"}) {
    Outcome r = run({"run", "-C", option, "--invoke", "add", path, "40", "2"});
    EXPECT_EQ(r.status, 0) << option << ": " << r.err;
    EXPECT_EQ(r.out, "42\n") << option;
  }
  Outcome compiled = run({"compile", "--tier", "optimizing", "--threads", "1", path});
  EXPECT_EQ(compiled.status, 0) << compiled.err;
  EXPECT_NE(compiled.out.find("functions compiled: 1"), std::string::npos) << compiled.out;
  Outcome r = run({"run", "-C", "tier=fast", "--invoke", "add", path, "1", "2"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(
      r.err,
      "keel: unknown tier \"fast\" (known: baseline, optimizing, tiered; winch, cranelift)\n");
  r = run({"run", "-C", "opt-level=2", "--invoke", "add", path, "1", "2"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "keel: unknown -C option \"opt-level\" (`keel run -C help` lists them)\n");
  r = run({"compile", "--tier", "winch", "--threads", "1", path});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(run({"compile", "--tier", "fast", path}).status, 2);
  EXPECT_EQ(run({"compile", "--tier", "tiered", path}).status, 2);  // compiling is one tier
}

// -C tier=tiered and its knobs (whether functions really tier up: tests/cli/tier_up_test.sh, in a
// process of its own, since every run ends the process's background compiles).
TEST(Cli, RunTieredAndItsKnobs) {
  std::string path = write_module("run_tiered", kAddModule);
  for (std::vector<std::string> options :
       {std::vector<std::string>{"-C", "tier=tiered"},
        {"-C", "tier=tiered,tier-up-budget=0,tier-up-sync=y"},
        {"-C", "tier=tiered", "-C", "tier2-threads=3,tier-up-sync=n,tier-up-osr=n"}}) {
    std::vector<std::string> args{"run"};
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(), {"--invoke", "add", path, "40", "2"});
    Outcome r = run(args);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "42\n");
  }
  struct Bad {
    const char* option;
    const char* error;
  };
  for (Bad bad : {Bad{"tier-up-budget=-1",
                      "-C tier-up-budget=-1: expected a number from 0 to "
                      "2147483647"},
                  Bad{"tier-up-budget=3000000000",
                      "-C tier-up-budget=3000000000: expected a "
                      "number from 0 to 2147483647"},
                  Bad{"tier2-threads=0", "-C tier2-threads=0: expected a number from 1 to 256"},
                  Bad{"tier-up-sync=maybe", "-C tier-up-sync=maybe: expected y or n"},
                  Bad{"tier-up-osr=2", "-C tier-up-osr=2: expected y or n"},
                  Bad{"compiler=tiered",
                      "unknown tier \"tiered\" (known: baseline, optimizing; "
                      "winch, cranelift)"}}) {
    Outcome r = run({"run", "-C", bad.option, "--invoke", "add", path, "1", "2"});
    EXPECT_EQ(r.status, 2) << bad.option;
    EXPECT_EQ(r.err, "keel: " + std::string(bad.error) + "\n") << bad.option;
  }
}

// (module (import "env" "f" (func)))
const std::string kImportModule = bytes_of(
    "\0asm\x01\0\0\0"
    "\x01\x04\x01\x60\x00\x00"  // type section: () -> ()
    "\x02\x09\x01\x03"
    "env"
    "\x01"
    "f"
    "\x00\x00");  // import section: env::f, func of type 0

TEST(Cli, RunNamesAnUnknownImport) {
  std::string path = write_module("run_import", kImportModule);
  Outcome r = run({"run", "--invoke", "f", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "keel: " + path +
                ": unknown import: `env::f` has not been defined (expected func () -> ())\n"
                "keel: " +
                path +
                ": -W unknown-imports-trap=y runs it with functions that trap when called\n");
  // The shorthand without `run` says the same.
  EXPECT_EQ(run({path}).err, r.err);
}

std::string trap_module();  // below

TEST(Cli, RunWasiUsageErrorsExitTwo) {
  std::string path = write_module("run_wasi_usage", trap_module());
  EXPECT_EQ(run({"run", "-S", "frobnicate", path}).status, 2);
  EXPECT_EQ(run({"run", "-S", "inherit-env=maybe", path}).status, 2);
  EXPECT_EQ(run({"run", "--dir", "a::b::c::d", path}).status, 2);
  EXPECT_EQ(run({"run", "--dir", "::guest", path}).status, 2);
  EXPECT_EQ(run({"run", "--env", "=x", path}).status, 2);
  EXPECT_EQ(run({"run", "--tcplisten", "no-port", path}).status, 2);
  EXPECT_EQ(run({"--frobnicate", path}).status, 2);  // shorthand: an option run lacks
}

TEST(Cli, RunShorthandAndGuestArguments) {
  std::string path = write_module("run_shorthand", trap_module());
  // No `_start`: exit 1 and the message says so, with or without `run`, and options after the
  // module belong to the guest (so --help here is not keel's).
  for (auto args : {std::vector<std::string>{"run", path, "--help"},
                    std::vector<std::string>{path, "--help", "-x"},
                    std::vector<std::string>{"--dir", ".", "-S", "inherit-env", path}}) {
    Outcome r = run(args);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("no `_start` export"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  // A granted directory that does not exist is a failure to start, not a usage error.
  EXPECT_EQ(run({"run", "--dir", "/nonexistent/keel-dir", path}).status, 1);
}

// (module (func (export "trap") unreachable) (func (export "spin") (loop br 0)))
std::string trap_module() {
  return bytes_of(
      "\0asm\x01\0\0\0"
      "\x01\x04\x01\x60\x00\x00"  // type section: () -> ()
      "\x03\x03\x02\x00\x00"      // two functions of type 0
      "\x07\x0f\x02\x04"
      "trap"
      "\x00\x00\x04"
      "spin"
      "\x00\x01"  // exports
      "\x0a\x0d\x02"
      "\x03\x00\x00\x0b"                    // unreachable
      "\x07\x00\x03\x40\x0c\x00\x0b\x0b");  // loop br 0 end
}

TEST(Cli, RunReportsTrapsWithWasmtimeStatus) {
  std::string path = write_module("run_trap", trap_module());
  Outcome r = run({"run", "--invoke", "trap", path});
  EXPECT_EQ(r.status, 134);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("unreachable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wasm backtrace"), std::string::npos) << r.err;
}

// (module (func (export "recurse") (local i64 x 1000) call 0)): 8 KB frames that never return.
const std::string kRecurseModule = bytes_of(
    "\0asm\x01\0\0\0"
    "\x01\x04\x01\x60\x00\x00"  // type section: () -> ()
    "\x03\x02\x01\x00"          // one function of type 0
    "\x07\x0b\x01\x07"
    "recurse"
    "\x00\x00"                                        // export
    "\x0a\x09\x01\x07\x01\xe8\x07\x7e\x10\x00\x0b");  // 1000 x i64; call 0

// The default stack runs on the main thread, a larger -W max-wasm-stack on a thread of its own;
// both must end in the trap, never in a crash.
TEST(Cli, RunReportsStackExhaustion) {
  std::string path = write_module("run_recurse", kRecurseModule);
  for (auto args :
       {std::vector<std::string>{"run", "--invoke", "recurse", path},
        std::vector<std::string>{"run", "-W", "max-wasm-stack=32M", "--invoke", "recurse", path}}) {
    Outcome r = run(args);
    EXPECT_EQ(r.status, 134);
    EXPECT_NE(r.err.find("call stack exhausted"), std::string::npos) << r.err;
  }
}

TEST(Cli, RunTimeoutInterrupts) {
  std::string path = write_module("run_spin", trap_module());
  Outcome r = run({"run", "-W", "timeout=100ms", "--invoke", "spin", path});
  EXPECT_EQ(r.status, 134);
  EXPECT_NE(r.err.find("interrupted"), std::string::npos) << r.err;
}

TEST(Cli, CompileReportsSpeed) {
  std::string path = write_module("compile", trap_module());
  Outcome r = run({"compile", "--threads", "1", path});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("functions compiled: 2\n"
                                                 "code section: [0-9.]+ MB\n"
                                                 "time: [0-9.]+ ms\n"
                                                 "speed: [0-9.]+ MB/s\n")))
      << r.out;
}

TEST(Cli, LogsOnlyWhenAsked) {
  std::string path = write_module("logged", kAddModule);
  EXPECT_EQ(run({"validate", path}).err, "");
  setenv("KEEL_LOG", "debug", 1);
  Outcome r = run({"validate", path});
  unsetenv("KEEL_LOG");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("[debug]"), std::string::npos) << r.err;
  // A target's level beside the default one leaves the default in force.
  setenv("KEEL_LOG", "wasi=trace,debug", 1);
  r = run({"validate", path});
  EXPECT_NE(r.err.find("[debug]"), std::string::npos) << r.err;
  setenv("KEEL_LOG", "wasi=trace", 1);
  r = run({"validate", path});
  unsetenv("KEEL_LOG");
  EXPECT_EQ(r.err, "");
}

// The scripts come from the parser: every subcommand and option, hidden ones left out.
TEST(Cli, CompletionScriptsListTheOptionTable) {
  for (const char* shell : {"bash", "zsh", "fish"}) {
    Outcome r = run({"completion", shell});
    EXPECT_EQ(r.status, 0) << shell << ": " << r.err;
    for (const char* word :
         {"validate", "disasm", "compile", "dir-ro", "invoke", "max-wasm-stack", "enable-all",
          "perfmap", "eager", "tail-call", "wat2wasm", "no-check", "wast"})
      EXPECT_NE(r.out.find(word), std::string::npos) << shell << " lacks " << word;
    EXPECT_EQ(r.out.find("no-interrupt-checks"), std::string::npos) << shell;
  }
  EXPECT_TRUE(run({"completion", "bash"}).out.ends_with("complete -F _keel keel\n"));
  EXPECT_TRUE(run({"completion", "zsh"}).out.starts_with("#compdef keel\n"));
  EXPECT_EQ(run({"completion", "tcsh"}).status, 2);
  EXPECT_EQ(run({"completion"}).status, 2);
  // Hidden from the list of commands; the footer mentions it.
  std::string help = run({"--help"}).out;
  EXPECT_EQ(help.find("\n  completion"), std::string::npos) << help;
  EXPECT_NE(help.find("keel completion bash|zsh|fish"), std::string::npos) << help;
}

// The add module of kAddModule in the text format, without its name section and local.
const std::string kAddText =
    "(module ;; adds\n"
    "  (func $add (export \"add\") (param i32 i32) (result i32)\n"
    "    (i32.add (local.get 0) (local.get 1))))\n";
const std::string kAddBinary = bytes_of(
    "\0asm\x01\0\0\0"
    "\x01\x07\x01\x60\x02\x7f\x7f\x01\x7f"
    "\x03\x02\x01\x00"
    "\x07\x07\x01\x03"
    "add"
    "\x00\x00"
    "\x0a\x09\x01\x07\x00\x20\x00\x20\x01\x6a\x0b");

TEST(Cli, TextModulesAreTakenByContent) {
  // write_module names it .wasm: the content, not the name, says it is text.
  std::string path = write_module("text_add", kAddText);
  EXPECT_EQ(run({"validate", path}).status, 0);
  Outcome r = run({"run", "--invoke", "add", path, "40", "2"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
  EXPECT_EQ(run({"compile", path}).status, 0);
}

TEST(Cli, TextErrorsNameLineAndColumn) {
  std::string path = write_module("text_bad", "(module\n  (func\n    i32.ad))\n");
  Outcome r = run({"validate", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "keel: " + path + ":3:5: unknown operator \"i32.ad\"\n");
  r = run({"run", path});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "keel: " + path + ":3:5: unknown operator \"i32.ad\"\n");
}

TEST(Cli, Wat2wasmWritesTheBinary) {
  std::string path = write_module("wat2wasm_add", kAddText);
  std::string output = path + ".out";
  Outcome r = run({"wat2wasm", path, "-o", output});
  EXPECT_EQ(r.status, 0) << r.err;
  std::ifstream in(output, std::ios::binary);
  std::stringstream written;
  written << in.rdbuf();
  EXPECT_EQ(written.str(), kAddBinary);
  r = run({"wat2wasm", path, "-o", "-"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, kAddBinary);
}

// `keel wast`: per file and in total, and a failed command fails the run.
TEST(Cli, WastRunsScripts) {
  std::string good = write_module("wast_good",
                                  "(module (func (export \"add\") (param i32 i32) (result i32)\n"
                                  "  local.get 0 local.get 1 i32.add))\n"
                                  "(assert_return (invoke \"add\" (i32.const 1) (i32.const 2))"
                                  " (i32.const 3))\n"
                                  "(assert_malformed (module quote \"(func i32.ad)\") \"unknown "
                                  "operator\")\n");
  Outcome r = run({"wast", good});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("wast_good: 3 passed, 0 failed, 0 skipped"), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.ends_with("\n3 passed, 0 failed, 0 skipped\n")) << r.out;

  std::string bad = write_module("wast_bad",
                                 "(module (func (export \"f\") (result i32) (i32.const 1)))\n"
                                 "(assert_return (invoke \"f\") (i32.const 2))\n");
  r = run({"wast", good, bad});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("wast_bad: 1 passed, 1 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wast_bad.wast:2: assert_return: expected (i32:2), got (i32:1)"),
            std::string::npos)
      << r.out;
  EXPECT_TRUE(r.out.ends_with("\n4 passed, 1 failed, 0 skipped\n")) << r.out;

  // A script error names its place and counts as a failure.
  std::string broken = write_module("wast_broken", "(module)\n(assert_retrun)\n");
  r = run({"wast", broken});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find(broken + ":2:2: "), std::string::npos) << r.out;
  EXPECT_EQ(run({"wast"}).status, 2);
  EXPECT_EQ(run({"wast", "--enable", "no-such-feature", good}).status, 2);
}

// `keel wast --tier` (or -C tier= as keel run spells it): the same script at every tier. A loop
// makes tiered runs enter tier 2 at its header too.
TEST(Cli, WastRunsAtEveryTier) {
  std::string script =
      write_module("wast_tiers",
                   "(module (func (export \"sum\") (param i32) (result i32) (local i32)\n"
                   "  (block (loop (br_if 1 (i32.eqz (local.get 0)))\n"
                   "    (local.set 1 (i32.add (local.get 1) (local.get 0)))\n"
                   "    (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br 0)))\n"
                   "  (local.get 1)))\n"
                   "(assert_return (invoke \"sum\" (i32.const 100)) (i32.const 5050))\n");
  for (std::vector<std::string> tier : {std::vector<std::string>{"--tier", "baseline"},
                                        {"--tier", "optimizing"},
                                        {"--tier", "tiered"},
                                        {"-C", "tier=optimizing"},
                                        {"-C", "compiler=cranelift"},
                                        {"--tier", "optimizing", "-C", "tier=tiered"}}) {
    std::vector<std::string> args = {"wast"};
    args.insert(args.end(), tier.begin(), tier.end());
    args.push_back(script);
    Outcome r = run(args);
    EXPECT_EQ(r.status, 0) << tier[1] << ": " << r.out << r.err;
    EXPECT_TRUE(r.out.ends_with("\n2 passed, 0 failed, 0 skipped\n")) << tier[1] << ": " << r.out;
  }
  Outcome r = run({"wast", "--tier", "fastest", script});
  EXPECT_EQ(r.status, 2);
  r = run({"wast", "-C", "tier=fastest", script});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown tier \"fastest\""), std::string::npos) << r.err;
  r = run({"wast", "-C", "tier-up-budget=0", script});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("keel wast takes only tier="), std::string::npos) << r.err;
}

TEST(Cli, Wat2wasmValidatesUnlessTold) {
  std::string path = write_module("wat2wasm_invalid", "(func (result i32) (i64.const 0))");
  Outcome r = run({"wat2wasm", path, "-o", "-"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "keel: " + path + ": offset 0x1a: function 0: invalid: type mismatch\n");
  r = run({"wat2wasm", "--no-check", path, "-o", "-"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with(bytes_of("\0asm")));
  EXPECT_EQ(run({"wat2wasm", "/nonexistent/m.wat"}).status, 1);
}

}  // namespace
}  // namespace keel::cli

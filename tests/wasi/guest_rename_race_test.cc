// The rename race as a real guest sees it: guests/rename_race.c (built here with clang-19 for
// wasm32-wasi) loops over path calls beneath d/sub in its grant while a host thread renames d/sub
// away, puts a symlink to a directory outside the grant in its place (absolute and climbing
// targets in turn, and atomic exchanges), and puts it back. The guest checks every outcome is
// success on the real file, ENOENT or the escape errno, and counts them; this test checks both
// race states were hit by every call and that the outside directory (a decoy `secret`, where the
// guest's creates would land) is unchanged. Skipped without the WASI toolchain (KEEL_WASI_CC, or
// clang-19). The outcome counts are printed: rerun with --gtest_filter='*GuestRace*' to see them.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "base/byte_buffer.h"
#include "fs_sandbox_fixture.h"
#include "runtime/store.h"
#include "support/engine_config.h"
#include "wasi/wasi_host.h"

namespace keel::wasi::fs {
namespace {

namespace stdfs = std::filesystem;

constexpr char kInside[] = "inside: the real d/sub/secret\n";
constexpr char kDecoy[] = "DECOY outside the grant: a guest must never read this\n";

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// Runs `cmd` through the shell; its exit status.
int shell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// The guest, built once per run. Without a WASI toolchain (a trivial program does not build) the
// tests skip, as wasi-testsuite/run.py does; with one, a guest that does not build is a failure.
struct Guest {
  std::string dir;  // removed at exit
  std::string wasm;
  std::string skip;   // why there is no toolchain
  std::string error;  // why the guest did not build
  ~Guest() {
    if (!dir.empty()) stdfs::remove_all(dir);
  }
};

const Guest& guest() {
  static const Guest g = [] {
    Guest g;
    const char* cc_env = getenv("KEEL_WASI_CC");
    std::string cc = cc_env != nullptr ? cc_env : "clang-19";
    // The guest and common.h are beside this file. Not __FILE__: ccache's base_dir and
    // -ffile-prefix-map make it relative to wherever the compiler ran.
    stdfs::path here = stdfs::path(KEEL_TESTS_SOURCE_DIR) / "wasi";
    std::string source = (here / "guests" / "rename_race.c").string();
    std::string include = (here / ".." / ".." / "wasi-testsuite" / "tests").string();
    char tmpl[] = "/tmp/keel-race-guest-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      g.error = "mkdtemp failed";
      return g;
    }
    std::string dir = g.dir = tmpl;
    std::ofstream(dir + "/probe.c") << "#include <wasi/api.h>\nint main(void) { return 0; }\n";
    std::string target = cc + " --target=wasm32-wasi -O2 ";
    if (shell(target + dir + "/probe.c -o " + dir + "/probe.wasm 2>/dev/null") != 0) {
      g.skip = cc +
               " cannot build WASI programs (needs clang-19, lld-19, wasi-libc, "
               "libclang-rt-19-dev-wasm32)";
      return g;
    }
    std::string out = dir + "/rename_race.wasm";
    if (shell(target + "-Wall -Werror -I '" + include + "' '" + source + "' -o " + out + " 2>" +
              dir + "/cc.log") != 0) {
      g.error = "building " + source + ": " + read_file(dir + "/cc.log");
      return g;
    }
    g.wasm = out;
    return g;
  }();
  return g;
}

class GuestRaceTest : public SandboxTest {
 protected:
  void SetUp() override {
    SandboxTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!guest().skip.empty()) GTEST_SKIP() << guest().skip;
    ASSERT_EQ(guest().error, "");
    wasm_ = guest().wasm;
    // The decoy a symlinked d/sub leads to; the fixture's snapshot of outside/ is retaken with
    // it, and TearDown compares (names, modes, sizes, mtimes, contents).
    write_host("outside/secret", kDecoy);
    outside_before_ = snapshot("outside");
    dir("d");
    dir("d/sub");
    file("d/sub/secret", kInside);
    link(host("outside"), "d/abs_link");  // for the atomic exchanges
  }

  std::string wasm_;
};

// What the host thread did, for the report.
struct Swaps {
  std::atomic<int> cycles{0};
  std::atomic<int> failures{0};
};

// Cycles d/sub through: renamed away (ENOENT), a symlink out (escape), and back; every third
// cycle instead exchanges d/sub and a prepared symlink atomically (no ENOENT window). The
// swapped states are held for a random few microseconds, or not at all; the real directory a
// little longer, so calls that need two successes in a row (create then unlink) get them.
void swap_loop(int d, const std::string& outside_abs, const std::atomic<bool>& stop, Swaps* s) {
  std::mt19937 rng(12345);
  auto hold = [&] {
    unsigned r = rng() % 4;
    if (r == 0)
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 200));
    else if (r == 1)
      std::this_thread::yield();
  };
  auto ok = [&](int rc) {
    if (rc != 0) s->failures++;
  };
  for (int cycle = 0; !stop.load(std::memory_order_relaxed); ++cycle) {
    if (cycle % 3 == 2) {
      ok(renameat2(d, "sub", d, "abs_link", RENAME_EXCHANGE));
      hold();
      ok(renameat2(d, "sub", d, "abs_link", RENAME_EXCHANGE));
    } else {
      ok(renameat(d, "sub", d, "parked"));
      hold();
      // From d/, "../../outside" climbs out of the grant; the absolute target names it directly.
      ok(symlinkat(cycle % 3 == 0 ? "../../outside" : outside_abs.c_str(), d, "sub"));
      hold();
      ok(unlinkat(d, "sub", 0));
      hold();
      ok(renameat(d, "parked", d, "sub"));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(50 + rng() % 300));
    s->cycles++;
  }
}

TEST_P(GuestRaceTest, DirectoryRenamedAndSymlinkedOutWhileTheGuestWorksBeneathIt) {
  struct stat secret, decoy;
  ASSERT_EQ(stat(in("d/sub/secret").c_str(), &secret), 0);
  ASSERT_EQ(stat(host("outside/secret").c_str(), &decoy), 0);

  WasiConfig config;
  config.args = {"rename_race"};
  config.env = {"SECRET_INO=" + std::to_string(secret.st_ino),
                "DECOY_INO=" + std::to_string(decoy.st_ino), "MIN_SECONDS=1", "MAX_SECONDS=20"};
  config.dirs.push_back({host("sandbox"), "sandbox", false});
  int out = open(host("stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = open(host("stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(out, 0);
  ASSERT_GE(err, 0);
  config.stdout_fd = out;
  config.stderr_fd = err;

  auto bytes = ByteBuffer::from_file(wasm_);
  ASSERT_TRUE(bytes.ok());
  auto module = LoadedModule::load(std::move(*bytes), keel::test::test_config());
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  auto host_or = WasiHost::create(config);
  ASSERT_TRUE(host_or.ok()) << host_or.error().to_string();
  std::unique_ptr<WasiHost> wasi_host = std::move(*host_or);
  Store store(keel::test::test_config());
  Imports imports;
  wasi_host->add_to_imports(store, imports);
  auto instance = store.instantiate(*module, imports);
  ASSERT_TRUE(instance.ok()) << instance.error().to_string();
  auto start = (*instance)->get_export("_start");
  ASSERT_TRUE(start.has_value());

  int d = open(in("d").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(d, 0);
  std::atomic<bool> stop{false};
  Swaps swaps;
  std::thread swapper(swap_loop, d, host("outside"), std::cref(stop), &swaps);
  auto t0 = std::chrono::steady_clock::now();
  auto result = store.call(*start, {});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop = true;
  swapper.join();
  close(d);
  close(out);
  close(err);

  // Every cycle ends with the real directory back at d/sub.
  EXPECT_EQ(swaps.failures.load(), 0);
  EXPECT_EQ(read_file(in("d/sub/secret")), kInside);
  struct stat st;
  ASSERT_EQ(lstat(in("d/abs_link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));

  int status = 0;
  if (!result.ok()) {
    const TrapInfo& trap = store.last_trap();
    ASSERT_EQ(trap.code, vm::TrapCode::kExit) << result.error().to_string();
    status = trap.exit_status;
  }
  std::string guest_out = read_file(host("stdout"));
  std::string guest_err = read_file(host("stderr"));
  EXPECT_EQ(status, 0) << "guest stderr: " << guest_err << "\nguest stdout:\n" << guest_out;
  EXPECT_EQ(guest_err, "");

  // "NAME ok N noent N escape N" per call: every call saw the real file, the renamed-away state
  // and the symlink, except open_in_dir (through a handle on the real directory: always ok).
  std::istringstream lines(guest_out);
  std::string line;
  int calls = 0;
  std::ostringstream report;
  report << (GetParam() == ResolverKind::kOpenat2 ? "openat2" : "manual") << ": " << seconds
         << " s, " << swaps.cycles.load() << " host cycles; " << guest_out;
  while (std::getline(lines, line)) {
    char name[32];
    unsigned ok = 0, noent = 0, escape = 0;
    if (sscanf(line.c_str(), "%31s ok %u noent %u escape %u", name, &ok, &noent, &escape) != 4)
      continue;
    ++calls;
    RecordProperty(std::string(name),
                   std::to_string(ok) + "/" + std::to_string(noent) + "/" + std::to_string(escape));
    EXPECT_GT(ok, 0u) << name;
    if (std::string(name) == "open_in_dir") {
      EXPECT_EQ(noent + escape, 0u) << name;
    } else {
      EXPECT_GT(noent, 0u) << name << ": the renamed-away state was never hit";
      EXPECT_GT(escape, 0u) << name << ": the symlink state was never hit";
    }
  }
  EXPECT_EQ(calls, 12) << guest_out;
  printf("%s", report.str().c_str());
  EXPECT_FALSE(exists("outside/created"));
  // Independent of the guest's own checks: reading the decoy would have moved its access time
  // (it was just written, so relatime updates it; under noatime this proves nothing).
  ASSERT_EQ(stat(host("outside/secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_atim.tv_sec, decoy.st_atim.tv_sec);
  EXPECT_EQ(st.st_atim.tv_nsec, decoy.st_atim.tv_nsec);
}

INSTANTIATE_TEST_SUITE_P(Resolvers, GuestRaceTest,
                         ::testing::Values(ResolverKind::kOpenat2, ResolverKind::kManual),
                         resolver_name);

}  // namespace
}  // namespace keel::wasi::fs

// What `keel run` grants a WASI guest, as the command line spells it (wasmtime's names: --dir,
// --env, -S inherit-env, -S tcplisten=, -S listenfd, --argv0), turned into a wasi::WasiConfig.
// Kept apart from run.cc so the parsing rules are unit-tested without running a module.
#pragma once

#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/result.h"
#include "cli/commands/wasm_options.h"
#include "wasi/fs/capability_fs.h"
#include "wasi/wasi_host.h"

namespace CLI {
class App;
}

namespace keel::cli {

struct DirSpec {
  std::string spec;        // HOST[::GUEST][::ro]
  bool read_only = false;  // --dir-ro
};

struct WasiOptions {
  std::vector<DirSpec> dirs;  // --dir and --dir-ro, in command-line order (it fixes the fds)
  std::vector<std::string> dir_values;  // what CLI11 stores; `dirs` is filled as it parses
  std::vector<std::string> envs;        // --env NAME=VALUE | NAME
  std::vector<std::string> wasi;        // -S key[=value][,key[=value]]
  std::vector<std::string> tcplisten;
  bool listenfd = false;
  std::string argv0;
};

// Registers the options above on `command`.
void add_wasi_options(CLI::App& command, WasiOptions& options);

// "HOST", "HOST::GUEST", "HOST::GUEST::ro" (the read-only spelling proposed in wasmtime issue
// #9608; wasmtime itself has no read-only --dir yet).
Result<wasi::PreopenDir> parse_dir(std::string_view spec, bool read_only);

// The -S keys, for `-S help`: what each does in keel's preview1 host, or why keel refuses it.
std::span<const OptionKey> wasi_keys();

// The -S settings keel knows, after folding --tcplisten/--listenfd into them.
struct WasiSettings {
  bool inherit_env = false;
  bool listenfd = false;
  bool tcp = true;            // -S tcp=n: no TCP listeners may be granted
  bool preview0 = true;       // -S preview0=n: no wasi_unstable
  bool inherit_stdin = true;  // -S inherit-stdin=n: /dev/null (and the same for stdout, stderr)
  bool inherit_stdout = true;
  bool inherit_stderr = true;
  std::vector<std::string> tcplisten;
};
Result<WasiSettings> parse_wasi_settings(const WasiOptions& options);

// The guest's environment: the whole host environment with -S inherit-env, then each --env in
// order (a later NAME replaces an earlier one; a bare NAME copies the host's value, if any).
Result<std::vector<std::string>> guest_environment(const WasiOptions& options,
                                                   const WasiSettings& settings,
                                                   const char* const* host_environ);

// Binds and listens on "ADDR:PORT" ("[v6]:PORT" for IPv6); the error names the address.
Result<wasi::fs::UniqueFd> bind_tcp_listener(std::string_view address);

// The sockets systemd passed (LISTEN_FDS, when LISTEN_PID is this process): fds 3 on.
std::vector<int> systemd_listen_fds();

// Which of fds 0, 1, 2 (bits 0, 1, 2) were closed when keel started and are now held on
// /dev/null: the guest gets them closed. reserve_standard_fds() is called once, first thing.
void reserve_standard_fds();
unsigned closed_standard_fds();

// Everything but the guest's argv after argv[0]: `module_path`'s file name is argv[0] unless
// --argv0 is set.
// Listening sockets come back in `owned` (they must outlive the guest).
Result<wasi::WasiConfig> make_wasi_config(const WasiOptions& options,
                                          const std::string& module_path,
                                          const std::vector<std::string>& guest_args,
                                          std::vector<wasi::fs::UniqueFd>& owned);

}  // namespace keel::cli

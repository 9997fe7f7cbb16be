// The WASI preview1 host: what a guest is granted (arguments, environment, preopened
// directories, listening sockets, stdio) and the import functions that serve it, for both
// `wasi_snapshot_preview1` and the older `wasi_unstable` (preview0).
//
// Layers (wasi/): abi/ marshals guest pointers, lengths and flags (every pointer checked against
// the memory size: EFAULT, never a host access out of bounds); fd_table holds typed entries
// (file, directory, stdio, socket) with preview1 rights; fs/ is the capability filesystem.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "runtime/store.h"

namespace keel::wasi {

struct PreopenDir {
  std::string host_path;
  std::string guest_path;  // what fd_prestat_dir_name reports
  bool read_only = false;  // no right that creates, writes, truncates, renames, links or deletes
};

struct WasiConfig {
  std::vector<std::string> args;  // argv, argv[0] included
  std::vector<std::string> env;   // "NAME=VALUE"
  std::vector<PreopenDir> dirs;   // fds after stdio and the listening sockets, in order
  std::vector<int> listen_fds;    // host listening sockets (--tcplisten, --listenfd), fd 3 on
  int stdin_fd = 0;
  int stdout_fd = 1;
  int stderr_fd = 2;
  bool preview0 = true;  // wasi_unstable beside wasi_snapshot_preview1 (-S preview0=n: not)
};

class WasiHost {
 public:
  // Opens the preopened directories (an error names the one that fails).
  static Result<std::unique_ptr<WasiHost>> create(const WasiConfig& config);
  virtual ~WasiHost() = default;

  // Adds every function of wasi_snapshot_preview1 and (unless WasiConfig::preview0 is off)
  // wasi_unstable to `imports`.
  // The functions use the calling instance's memory 0 (HostCall::caller_memory).
  virtual void add_to_imports(Store& store, Imports& imports) = 0;
};

// Exit status for a proc_exit(n) as wasmtime reports it: n below 126, otherwise 1 (with a
// message on stderr from the caller).
int exit_status_for(int guest_status);

// Sets the "wasi" logger from KEEL_LOG: "wasi=trace" prints every call with its arguments and
// errno to stderr; the default is off. The CLI calls it once before running a module.
void configure_logging_from_env();

}  // namespace keel::wasi

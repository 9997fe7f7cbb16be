// The state behind one WasiHost (arguments, environment, fd table) and the shape of a call into
// it: the function families (wasi/functions/) each take a WasiCall and return an errno.
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/value.h"
#include "wasi/abi/guest_memory.h"
#include "wasi/abi/types.h"
#include "wasi/fd_table.h"

namespace keel::wasi {

struct WasiContext {
  std::vector<std::string> args;
  std::vector<std::string> env;
  FdTable fds;
};

struct WasiCall {
  WasiContext& ctx;
  GuestMemory mem;
  std::span<const Value> args;
  Flavor flavor = Flavor::kPreview1;
  std::optional<int> exit_status;  // set by proc_exit

  uint32_t u32(size_t i) const { return args[i].i32; }
  uint64_t u64(size_t i) const { return args[i].i64; }
};

using WasiFunction = Errno (*)(WasiCall&);

// One import: its name, its wasm signature ('i' i32, 'I' i64 parameters; every function but
// proc_exit returns an i32 errno) and whether wasi_unstable has it too.
struct WasiFunctionInfo {
  const char* name;
  const char* params;
  WasiFunction fn;
  bool in_preview0 = true;
};

std::span<const WasiFunctionInfo> wasi_functions();

// Family tables, concatenated by wasi_functions().
std::span<const WasiFunctionInfo> args_env_functions();
std::span<const WasiFunctionInfo> clock_functions();
std::span<const WasiFunctionInfo> fd_functions();
std::span<const WasiFunctionInfo> path_functions();
std::span<const WasiFunctionInfo> poll_functions();
std::span<const WasiFunctionInfo> proc_functions();
std::span<const WasiFunctionInfo> random_functions();
std::span<const WasiFunctionInfo> socket_functions();

// Shared by the families: a WASI filetype from a host st_mode (sockets refined by SO_TYPE).
Filetype filetype_from_stat(int host_fd, unsigned mode);
// Writes a filestat record in the flavour's layout.
Errno store_filestat(const WasiCall& call, uint32_t ptr, const struct stat& st);
// futimens/utimensat times from fstflags (EINVAL for contradictory or unknown flags).
Errno times_from_flags(uint64_t atim, uint64_t mtim, uint16_t flags, struct timespec out[2]);

}  // namespace keel::wasi

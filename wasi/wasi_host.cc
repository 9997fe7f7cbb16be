#include "wasi/wasi_host.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wasi/host_context.h"
#include "wasi/interrupt.h"
#include "wasi/logging.h"

namespace keel::wasi {

std::span<const WasiFunctionInfo> wasi_functions() {
  static const std::vector<WasiFunctionInfo> all = [] {
    std::vector<WasiFunctionInfo> v;
    for (auto family : {args_env_functions, clock_functions, fd_functions, path_functions,
                        poll_functions, proc_functions, random_functions, socket_functions}) {
      auto f = family();
      v.insert(v.end(), f.begin(), f.end());
    }
    return v;
  }();
  return all;
}

int exit_status_for(int guest_status) {
  return guest_status >= 0 && guest_status < 126 ? guest_status : 1;
}

namespace {

// An fd entry for a descriptor the embedder lends (stdio, listening sockets): typed and given
// rights by what the host descriptor is.
std::unique_ptr<FdEntry> lent_entry(int host_fd, FdKind kind) {
  auto e = std::make_unique<FdEntry>();
  e->kind = kind;
  e->host_fd = host_fd;
  struct stat st;
  if (fstat(host_fd, &st) != 0) {
    e->rights_base = rights::kPipe;  // a closed stdio fd: calls fail with the host's EBADF
    return e;
  }
  e->filetype = filetype_from_stat(host_fd, st.st_mode);
  switch (e->filetype) {
    case Filetype::kRegularFile:
      e->rights_base = rights::kRegularFile;
      break;
    case Filetype::kDirectory:
      e->rights_base = rights::kDirectory;
      e->rights_inheriting = rights::kDirectoryInheriting;
      break;
    case Filetype::kSocketStream:
    case Filetype::kSocketDgram:
      e->rights_base = rights::kSocket;
      break;
    case Filetype::kBlockDevice:
      e->rights_base = rights::kRegularFile;
      break;
    default:  // terminals and other character devices, pipes
      e->rights_base = rights::kTty;
  }
  return e;
}

std::string format_args(std::span<const Value> args, const char* params) {
  std::string out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    if (params[i] == 'I')
      out += std::to_string(static_cast<int64_t>(args[i].i64));
    else
      out += std::to_string(args[i].i32);
  }
  return out;
}

class WasiHostImpl final : public WasiHost {
 public:
  WasiHostImpl(std::shared_ptr<WasiContext> ctx, bool preview0)
      : ctx_(std::move(ctx)), preview0_(preview0) {}

  void add_to_imports(Store& store, Imports& imports) override {
    for (const WasiFunctionInfo& info : wasi_functions()) {
      add(store, imports, info, Flavor::kPreview1, "wasi_snapshot_preview1");
      if (info.in_preview0 && preview0_)
        add(store, imports, info, Flavor::kPreview0, "wasi_unstable");
    }
  }

 private:
  void add(Store& store, Imports& imports, const WasiFunctionInfo& info, Flavor flavor,
           const char* module) {
    FuncType type;
    for (const char* p = info.params; *p; ++p)
      type.params.push_back(*p == 'I' ? ValType::kI64 : ValType::kI32);
    bool is_exit = std::strcmp(info.name, "proc_exit") == 0;
    if (!is_exit) type.results.push_back(ValType::kI32);
    std::shared_ptr<WasiContext> ctx = ctx_;
    const WasiFunctionInfo* fn = &info;
    imports.add(module, info.name,
                store.host_function(std::move(type), [ctx, fn, flavor](HostCall& host) {
                  GuestMemory mem;
                  if (host.caller_memory)
                    mem = GuestMemory(host.caller_memory->base, host.caller_memory->size.load());
                  WasiCall call{*ctx, mem, host.args, flavor, std::nullopt};
                  Errno err = fn->fn(call);
                  auto log = logger();
                  if (log->should_log(spdlog::level::trace)) {
                    log->trace("{}{}({}) = {}", flavor == Flavor::kPreview0 ? "unstable::" : "",
                               fn->name, format_args(host.args, fn->params),
                               call.exit_status ? "exit" : errno_name(err));
                  }
                  if (call.exit_status) {
                    host.exit_status = *call.exit_status;
                    return vm::TrapCode::kExit;
                  }
                  // -W timeout woke a blocking call (or passed during one): trap as wasm does.
                  if (host_calls_interrupted()) return vm::TrapCode::kInterrupted;
                  host.results[0] = Value::from_i32(static_cast<uint32_t>(err));
                  return vm::TrapCode::kNone;
                }));
  }

  std::shared_ptr<WasiContext> ctx_;
  bool preview0_;
};

}  // namespace

Result<std::unique_ptr<WasiHost>> WasiHost::create(const WasiConfig& config) {
  auto ctx = std::make_shared<WasiContext>();
  ctx->args = config.args;
  ctx->env = config.env;
  for (int fd : {config.stdin_fd, config.stdout_fd, config.stderr_fd})
    (void)ctx->fds.insert(lent_entry(fd, FdKind::kStdio));
  for (int fd : config.listen_fds) (void)ctx->fds.insert(lent_entry(fd, FdKind::kSocket));
  for (const PreopenDir& dir : config.dirs) {
    int fd = open(dir.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      return make_error(ErrorKind::kIo, "cannot open directory '" + dir.host_path +
                                            "' for --dir: " + std::strerror(errno));
    }
    auto e = std::make_unique<FdEntry>();
    e->kind = FdKind::kDirectory;
    e->host_fd = fd;
    e->owned = fs::UniqueFd(fd);
    e->filetype = Filetype::kDirectory;
    e->rights_base = rights::kDirectory;
    e->rights_inheriting = rights::kDirectoryInheriting;
    if (dir.read_only) {
      e->rights_base &= ~rights::kMutating;
      e->rights_inheriting &= ~rights::kMutating;
      e->read_only = true;
    }
    e->preopen_name = dir.guest_path;
    if (auto slot = ctx->fds.insert(std::move(e)); !slot)
      return make_error(ErrorKind::kIo, "too many preopened directories");
  }
  return std::unique_ptr<WasiHost>(std::make_unique<WasiHostImpl>(std::move(ctx), config.preview0));
}

}  // namespace keel::wasi

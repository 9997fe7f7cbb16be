// args_get, args_sizes_get, environ_get, environ_sizes_get: an array of pointers into one buffer
// of NUL-terminated strings, laid out as the guest's libc expects.
#include "wasi/host_context.h"

namespace keel::wasi {
namespace {

Errno strings_get(WasiCall& call, const std::vector<std::string>& strings) {
  uint32_t ptrs = call.u32(0), buf = call.u32(1);
  uint64_t buf_size = 0;
  for (const auto& s : strings) buf_size += s.size() + 1;
  if (!call.mem.in_bounds(ptrs, strings.size() * 4ull) || !call.mem.in_bounds(buf, buf_size))
    return Errno::kFault;
  uint64_t at = buf;
  for (size_t i = 0; i < strings.size(); ++i) {
    call.mem.store<uint32_t>(ptrs + i * 4, static_cast<uint32_t>(at));
    call.mem.copy_out(at, strings[i].c_str(), strings[i].size() + 1);
    at += strings[i].size() + 1;
  }
  return Errno::kSuccess;
}

Errno sizes_get(WasiCall& call, const std::vector<std::string>& strings) {
  uint64_t buf_size = 0;
  for (const auto& s : strings) buf_size += s.size() + 1;
  if (buf_size > UINT32_MAX) return Errno::kOverflow;
  if (Errno e = call.mem.store<uint32_t>(call.u32(0), static_cast<uint32_t>(strings.size()));
      e != Errno::kSuccess)
    return e;
  return call.mem.store<uint32_t>(call.u32(1), static_cast<uint32_t>(buf_size));
}

Errno args_get(WasiCall& call) {
  return strings_get(call, call.ctx.args);
}
Errno args_sizes_get(WasiCall& call) {
  return sizes_get(call, call.ctx.args);
}
Errno environ_get(WasiCall& call) {
  return strings_get(call, call.ctx.env);
}
Errno environ_sizes_get(WasiCall& call) {
  return sizes_get(call, call.ctx.env);
}

constexpr WasiFunctionInfo kFunctions[] = {
    {"args_get", "ii", args_get},
    {"args_sizes_get", "ii", args_sizes_get},
    {"environ_get", "ii", environ_get},
    {"environ_sizes_get", "ii", environ_sizes_get},
};

}  // namespace

std::span<const WasiFunctionInfo> args_env_functions() {
  return kFunctions;
}

}  // namespace keel::wasi

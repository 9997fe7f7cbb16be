// sock_accept, sock_recv, sock_send, sock_shutdown on the listening sockets the embedder lends
// (WasiConfig::listen_fds) and the connections accepted from them.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/host_context.h"
#include "wasi/interrupt.h"

namespace keel::wasi {
namespace {

// The socket behind `fd`: ENOTSOCK for any other open fd, whatever its rights (the type before
// the rights, as the fd and path families do), so the answer does not depend on what the host
// lent as stdio; then the rights (ENOTCAPABLE).
ErrnoOr<FdEntry*> socket_entry(WasiCall& call, uint32_t fd, uint64_t needed) {
  auto e = call.ctx.fds.get(fd);
  if (!e) return e.error();
  if ((*e)->filetype != Filetype::kSocketStream && (*e)->filetype != Filetype::kSocketDgram)
    return Errno::kNotsock;
  return call.ctx.fds.get(fd, needed);
}

Errno sock_accept(WasiCall& call) {
  auto e = socket_entry(call, call.u32(0), rights::kSockAccept);
  if (!e) return e.error();
  uint32_t flags = call.u32(1), out = call.u32(2);
  if (flags & ~uint32_t{fdflags::kNonblock}) return Errno::kInval;  // the only flag accept takes
  if (!call.mem.in_bounds(out, 4)) return Errno::kFault;
  int fd;
  do {
    fd = accept4((*e)->host_fd, nullptr, nullptr,
                 SOCK_CLOEXEC | ((flags & fdflags::kNonblock) ? SOCK_NONBLOCK : 0));
  } while (fd < 0 && errno == EINTR && !host_calls_interrupted());
  if (fd < 0) return errno_from_host(errno);
  auto entry = std::make_unique<FdEntry>();
  entry->kind = FdKind::kSocket;
  entry->host_fd = fd;
  entry->owned = fs::UniqueFd(fd);
  entry->filetype = Filetype::kSocketStream;
  entry->rights_base = rights::kSocket & ~rights::kSockAccept;
  auto slot = call.ctx.fds.insert(std::move(entry));
  if (!slot) return slot.error();
  return call.mem.store<uint32_t>(out, *slot);
}

Errno sock_recv(WasiCall& call) {
  auto e = socket_entry(call, call.u32(0), rights::kFdRead);
  if (!e) return e.error();
  uint32_t riflags = call.u32(3), len_out = call.u32(4), flags_out = call.u32(5);
  if (riflags & ~uint32_t{kRiRecvPeek | kRiRecvWaitall}) return Errno::kInval;
  auto vec = call.mem.iovecs(call.u32(1), call.u32(2));
  if (!vec) return vec.error();
  if (!call.mem.in_bounds(len_out, 4) || !call.mem.in_bounds(flags_out, 2)) return Errno::kFault;
  struct msghdr msg {};
  msg.msg_iov = vec->data();
  msg.msg_iovlen = vec->size();
  int host_flags =
      ((riflags & kRiRecvPeek) ? MSG_PEEK : 0) | ((riflags & kRiRecvWaitall) ? MSG_WAITALL : 0);
  ssize_t n;
  do {
    n = recvmsg((*e)->host_fd, &msg, host_flags);
  } while (n < 0 && errno == EINTR && !host_calls_interrupted());
  if (n < 0) return errno_from_host(errno);
  call.mem.store<uint32_t>(len_out, static_cast<uint32_t>(n));
  return call.mem.store<uint16_t>(flags_out,
                                  (msg.msg_flags & MSG_TRUNC) ? kRoRecvDataTruncated : 0);
}

Errno sock_send(WasiCall& call) {
  auto e = socket_entry(call, call.u32(0), rights::kFdWrite);
  if (!e) return e.error();
  uint32_t len_out = call.u32(4);
  if (call.u32(3) != 0) return Errno::kInval;  // siflags defines no flags
  auto vec = call.mem.iovecs(call.u32(1), call.u32(2));
  if (!vec) return vec.error();
  if (!call.mem.in_bounds(len_out, 4)) return Errno::kFault;
  struct msghdr msg {};
  msg.msg_iov = vec->data();
  msg.msg_iovlen = vec->size();
  ssize_t n;
  do {
    n = sendmsg((*e)->host_fd, &msg, MSG_NOSIGNAL);  // EPIPE as a value, never SIGPIPE
  } while (n < 0 && errno == EINTR && !host_calls_interrupted());
  if (n < 0) return errno_from_host(errno);
  return call.mem.store<uint32_t>(len_out, static_cast<uint32_t>(n));
}

Errno sock_shutdown(WasiCall& call) {
  auto e = socket_entry(call, call.u32(0), rights::kSockShutdown);
  if (!e) return e.error();
  uint32_t how = call.u32(1);
  int host_how;
  if (how == (kSdRd | kSdWr))
    host_how = SHUT_RDWR;
  else if (how == kSdRd)
    host_how = SHUT_RD;
  else if (how == kSdWr)
    host_how = SHUT_WR;
  else
    return Errno::kInval;
  return shutdown((*e)->host_fd, host_how) == 0 ? Errno::kSuccess : errno_from_host(errno);
}

constexpr WasiFunctionInfo kFunctions[] = {
    {"sock_accept", "iii", sock_accept, /*in_preview0=*/false},
    {"sock_recv", "iiiiii", sock_recv},
    {"sock_send", "iiiii", sock_send},
    {"sock_shutdown", "ii", sock_shutdown},
};

}  // namespace

std::span<const WasiFunctionInfo> socket_functions() {
  return kFunctions;
}

}  // namespace keel::wasi

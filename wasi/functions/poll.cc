// poll_oneoff: clock subscriptions (relative or absolute) become one ppoll(2) timeout; fd_read and
// fd_write subscriptions on pipes, sockets, terminals become pollfds. Regular files are always
// ready (the spec's rule), so they and per-subscription errors are reported without waiting.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/functions/clocks.h"
#include "wasi/host_context.h"
#include "wasi/interrupt.h"

namespace keel::wasi {
namespace {

struct Event {
  uint64_t userdata = 0;
  Errno error = Errno::kSuccess;
  EventType type = EventType::kClock;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

struct Waiter {
  uint64_t userdata;
  EventType type;
  size_t pollfd_index;
};

struct ClockWait {
  uint64_t userdata;
  uint64_t deadline;  // CLOCK_MONOTONIC nanoseconds
};

uint64_t monotonic_now() {
  return *clock_now(1);
}

Errno poll_oneoff(WasiCall& call) {
  uint32_t in = call.u32(0), out = call.u32(1), n = call.u32(2), nevents = call.u32(3);
  const SubscriptionLayout& l = subscription_layout(call.flavor);
  if (n == 0) return Errno::kInval;  // it would wait forever
  if (!call.mem.in_bounds(in, uint64_t{n} * l.size) ||
      !call.mem.in_bounds(out, uint64_t{n} * kEventSize) || !call.mem.in_bounds(nevents, 4))
    return Errno::kFault;

  std::vector<Event> ready;
  std::vector<struct pollfd> pollfds;
  std::vector<Waiter> waiters;
  std::vector<ClockWait> clocks;
  uint64_t start = monotonic_now();
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t sub = in + uint64_t{i} * l.size;
    uint64_t userdata = *call.mem.load<uint64_t>(sub);
    uint8_t tag = *call.mem.load<uint8_t>(sub + 8);
    if (tag == static_cast<uint8_t>(EventType::kClock)) {
      uint32_t id = *call.mem.load<uint32_t>(sub + l.clock_id);
      uint64_t timeout = *call.mem.load<uint64_t>(sub + l.clock_timeout);
      uint16_t flags = *call.mem.load<uint16_t>(sub + l.clock_flags);
      uint64_t remaining = timeout;
      if (flags & kSubclockAbstime) {
        auto now = clock_now(id);
        if (!now) {
          ready.push_back({userdata, now.error(), EventType::kClock});
          continue;
        }
        remaining = timeout > *now ? timeout - *now : 0;
      } else if (!host_clock(id)) {
        ready.push_back({userdata, Errno::kInval, EventType::kClock});
        continue;
      }
      uint64_t deadline = remaining > UINT64_MAX - start ? UINT64_MAX : start + remaining;
      clocks.push_back({userdata, deadline});
    } else if (tag == static_cast<uint8_t>(EventType::kFdRead) ||
               tag == static_cast<uint8_t>(EventType::kFdWrite)) {
      EventType type = static_cast<EventType>(tag);
      uint32_t fd = *call.mem.load<uint32_t>(sub + l.fd);
      uint64_t needed = rights::kPollFdReadwrite |
                        (type == EventType::kFdRead ? rights::kFdRead : rights::kFdWrite);
      auto e = call.ctx.fds.get(fd, needed);
      if (!e) {
        ready.push_back({userdata, e.error(), type});
        continue;
      }
      struct stat st;
      if (fstat((*e)->host_fd, &st) == 0 && S_ISREG(st.st_mode)) {
        uint64_t nbytes = 0;
        if (type == EventType::kFdRead) {
          off_t pos = lseek((*e)->host_fd, 0, SEEK_CUR);
          if (pos >= 0 && st.st_size > pos) nbytes = static_cast<uint64_t>(st.st_size - pos);
        }
        ready.push_back({userdata, Errno::kSuccess, type, nbytes});
        continue;
      }
      short events = type == EventType::kFdRead ? POLLIN : POLLOUT;
      waiters.push_back({userdata, type, pollfds.size()});
      pollfds.push_back({(*e)->host_fd, events, 0});
    } else {
      return Errno::kInval;
    }
  }

  // Wait for the earliest clock, unless something is already ready.
  uint64_t earliest = UINT64_MAX;
  for (const ClockWait& c : clocks) earliest = std::min(earliest, c.deadline);
  for (;;) {
    struct timespec ts {
      0, 0
    }, *timeout = &ts;
    if (ready.empty()) {
      if (earliest == UINT64_MAX) {
        timeout = nullptr;
      } else {
        uint64_t now = monotonic_now();
        uint64_t wait = earliest > now ? earliest - now : 0;
        ts.tv_sec = static_cast<time_t>(std::min<uint64_t>(wait / 1'000'000'000ull, INT32_MAX));
        ts.tv_nsec = static_cast<long>(wait % 1'000'000'000ull);
      }
    }
    int r = ppoll(pollfds.data(), pollfds.size(), timeout, nullptr);
    if (r < 0 && errno == EINTR && !host_calls_interrupted()) continue;
    if (r < 0) return errno_from_host(errno);
    break;
  }

  for (const Waiter& w : waiters) {
    const struct pollfd& p = pollfds[w.pollfd_index];
    if (!p.revents) continue;
    Event ev{w.userdata, Errno::kSuccess, w.type};
    if (p.revents & POLLNVAL) {
      ev.error = Errno::kBadf;
    } else {
      if (p.revents & POLLHUP) ev.flags |= kEventFdReadwriteHangup;
      if (w.type == EventType::kFdRead) {
        int avail = 0;
        if (ioctl(p.fd, FIONREAD, &avail) == 0 && avail > 0) ev.nbytes = uint64_t(avail);
      }
      if ((p.revents & POLLERR) && !(p.revents & (POLLIN | POLLOUT))) ev.error = Errno::kIo;
    }
    ready.push_back(ev);
  }
  uint64_t now = monotonic_now();
  for (const ClockWait& c : clocks)
    if (c.deadline <= now) ready.push_back({c.userdata, Errno::kSuccess, EventType::kClock});

  uint32_t count = 0;
  for (const Event& ev : ready) {
    uint64_t at = out + uint64_t{count} * kEventSize;
    auto bytes = call.mem.bytes(static_cast<uint32_t>(at), kEventSize);
    std::memset(bytes->data(), 0, kEventSize);
    call.mem.store<uint64_t>(at, ev.userdata);
    call.mem.store<uint16_t>(at + 8, static_cast<uint16_t>(ev.error));
    call.mem.store<uint8_t>(at + 10, static_cast<uint8_t>(ev.type));
    if (ev.type != EventType::kClock) {
      call.mem.store<uint64_t>(at + 16, ev.nbytes);
      call.mem.store<uint16_t>(at + 24, ev.flags);
    }
    if (++count == n) break;
  }
  return call.mem.store<uint32_t>(nevents, count);
}

constexpr WasiFunctionInfo kFunctions[] = {
    {"poll_oneoff", "iiii", poll_oneoff},
};

}  // namespace

std::span<const WasiFunctionInfo> poll_functions() {
  return kFunctions;
}

}  // namespace keel::wasi

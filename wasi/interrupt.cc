#include "wasi/interrupt.h"

#include <signal.h>

#include <atomic>

namespace keel::wasi {
namespace {

// SIGURG's default action is to ignore it, so a stray one harms nothing.
constexpr int kSignal = SIGURG;
std::atomic<bool> g_interrupted{false};

void wake(int) {}  // the point is the EINTR

}  // namespace

void arm_host_call_interrupts() {
  g_interrupted.store(false, std::memory_order_relaxed);
  struct sigaction action {};
  action.sa_handler = wake;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
  sigaction(kSignal, &action, nullptr);
}

void interrupt_host_calls(pthread_t thread) {
  g_interrupted.store(true, std::memory_order_release);
  pthread_kill(thread, kSignal);
}

bool host_calls_interrupted() {
  return g_interrupted.load(std::memory_order_acquire);
}

}  // namespace keel::wasi

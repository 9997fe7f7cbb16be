#include "platform/trap_handler.h"

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "platform/code_memory.h"
#include "platform/virtual_memory.h"

namespace keel::platform {
namespace {

struct sigaction g_previous_segv;
struct sigaction g_previous_bus;
TrapEntry g_trap_entry = nullptr;
TrapSiteLookup g_trap_site = nullptr;

bool handle_wasm_fault(siginfo_t* info, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  greg_t* regs = uc->uc_mcontext.gregs;
  auto pc = static_cast<uintptr_t>(regs[REG_RIP]);
  if (!CodeMemory::global().contains(pc)) return false;
  if (!reservations::contains(reinterpret_cast<uintptr_t>(info->si_addr))) return false;
  uint32_t code = g_trap_site(pc);
  if (code == 0) return false;
  // Emulated `call trap_entry`: the callee sees rsp = 8 mod 16 as after a real call. Dropping
  // below the red zone is harmless since the trap never returns to this frame.
  auto sp = static_cast<uintptr_t>(regs[REG_RSP]);
  sp = ((sp - 128) & ~uintptr_t{15}) - 8;
  *reinterpret_cast<uintptr_t*>(sp) = pc;
  regs[REG_RSP] = static_cast<greg_t>(sp);
  regs[REG_RDI] = regs[REG_R14];
  regs[REG_RSI] = static_cast<greg_t>(code);
  regs[REG_RDX] = static_cast<greg_t>(pc);
  regs[REG_RCX] = regs[REG_RBP];
  regs[REG_RIP] = static_cast<greg_t>(reinterpret_cast<uintptr_t>(g_trap_entry));
  return true;
}

void chain(int sig, siginfo_t* info, void* context) {
  const struct sigaction& previous = sig == SIGBUS ? g_previous_bus : g_previous_segv;
  if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(sig, info, context);
    return;
  }
  if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
    // Returning re-executes the faulting instruction, which now takes the default action.
    sigaction(sig, &previous, nullptr);
    return;
  }
  previous.sa_handler(sig);
}

void handler(int sig, siginfo_t* info, void* context) {
  int saved_errno = errno;
  bool handled = handle_wasm_fault(info, context);
  errno = saved_errno;
  if (!handled) chain(sig, info, context);
}

struct AltStack {
  void* mapping = nullptr;
  size_t size = 0;
  ~AltStack() {
    if (!mapping) return;
    stack_t disable{};
    disable.ss_flags = SS_DISABLE;
    sigaltstack(&disable, nullptr);
    munmap(mapping, size);
  }
};
thread_local AltStack t_alt_stack;
thread_local bool t_alt_stack_checked = false;

}  // namespace

void install_trap_handler(TrapEntry trap_entry, TrapSiteLookup trap_site) {
  static std::once_flag once;
  std::call_once(once, [&] {
    g_trap_entry = trap_entry;
    g_trap_site = trap_site;
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_sigaction = handler;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &g_previous_segv);
    sigaction(SIGBUS, &action, &g_previous_bus);
  });
}

void ensure_alt_signal_stack() {
  if (t_alt_stack_checked) return;
  t_alt_stack_checked = true;
  stack_t current;
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE))
    return;  // someone else's; keep it
  // A guard page below the stack catches a handler that overflows it.
  size_t size = 64 * 1024 + page_size();
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;
  mprotect(p, page_size(), PROT_NONE);
  stack_t stack{};
  stack.ss_sp = static_cast<uint8_t*>(p) + page_size();
  stack.ss_size = size - page_size();
  if (sigaltstack(&stack, nullptr) != 0) {
    munmap(p, size);
    return;
  }
  t_alt_stack.mapping = p;
  t_alt_stack.size = size;
}

}  // namespace keel::platform

// How a child process that took a fault nobody turned into a trap ended: killed by SIGSEGV, or,
// under AddressSanitizer (whose handler is the one keel's chains to), reported and exited 1.
#pragma once

#include <signal.h>
#include <sys/wait.h>

namespace keel::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kUnderAsan = true;
#else
inline constexpr bool kUnderAsan = false;
#endif
#else
inline constexpr bool kUnderAsan = false;
#endif

inline bool died_of_segv(int status) {
  if (WIFSIGNALED(status)) return WTERMSIG(status) == SIGSEGV;
  return kUnderAsan && WIFEXITED(status) && WEXITSTATUS(status) == 1;
}

}  // namespace keel::test

// The WASI clock ids as host clocks, shared by clock_* and poll_oneoff.
#pragma once

#include <time.h>

#include <cstdint>
#include <optional>

#include "wasi/fs/errno.h"

namespace keel::wasi {

std::optional<clockid_t> host_clock(uint32_t id);  // none for an id WASI does not define
ErrnoOr<uint64_t> clock_now(uint32_t id);          // nanoseconds; EINVAL for a bad id

}  // namespace keel::wasi

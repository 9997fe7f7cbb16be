// The "wasi" spdlog logger: off unless KEEL_LOG enables it; at trace it prints every call with
// its arguments and errno, strace-style, to stderr.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>

namespace keel::wasi {

std::shared_ptr<spdlog::logger> logger();

}  // namespace keel::wasi

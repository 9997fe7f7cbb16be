// Executable memory for generated code, kept W^X: code is copied into fresh pages while they are
// read-write, then the pages become read-execute and are never writable again. Pages are never
// shared between installs, so making one install executable never touches code that may be
// running. All code lives in one reserved range, so "is this PC generated code?" is a range
// check the signal handler can afford.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>

#include "base/result.h"

namespace keel::platform {

class CodeMemory {
 public:
  // The process-wide code range (reserved on first use).
  static CodeMemory& global();

  // Copies position-independent `code` into new pages and returns its executable address.
  // Thread-safe.
  Result<const uint8_t*> install(std::span<const uint8_t> code);

  // Async-signal-safe.
  bool contains(uintptr_t pc) const { return pc - begin_ < end_ - begin_; }
  uintptr_t begin() const { return begin_; }
  size_t used_bytes() const;

  CodeMemory(const CodeMemory&) = delete;
  CodeMemory& operator=(const CodeMemory&) = delete;

 private:
  explicit CodeMemory(size_t reserve_bytes);

  uintptr_t begin_ = 0;
  uintptr_t end_ = 0;
  mutable std::mutex mutex_;
  uintptr_t next_ = 0;  // first page not yet handed out
};

}  // namespace keel::platform

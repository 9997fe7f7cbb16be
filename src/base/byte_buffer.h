// Immutable bytes of a module: a file mapped read-only, or an owned copy. A decoded Module keeps
// its buffer alive and refers to code and constant expressions by offset, never by copy.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace keel {

class ByteBuffer {
 public:
  virtual ~ByteBuffer() = default;
  virtual std::span<const uint8_t> bytes() const = 0;

  static std::shared_ptr<const ByteBuffer> copy_of(std::span<const uint8_t> bytes);
  static std::shared_ptr<const ByteBuffer> adopt(std::vector<uint8_t> bytes);
  // Maps a regular file read-only (falls back to reading it for pipes and empty files).
  static Result<std::shared_ptr<const ByteBuffer>> from_file(const std::string& path);
};

}  // namespace keel

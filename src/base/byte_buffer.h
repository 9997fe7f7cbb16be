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

// Which file a buffer was mapped from, as fstat saw it just before mapping: the code cache's
// index names a module file by it (runtime/code_cache.h) instead of hashing all of its bytes.
struct FileIdentity {
  uint64_t device = 0, inode = 0, size = 0;
  int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

class ByteBuffer {
 public:
  virtual ~ByteBuffer() = default;
  virtual std::span<const uint8_t> bytes() const = 0;
  // Null unless the bytes were mapped from a regular file.
  virtual const FileIdentity* file_identity() const { return nullptr; }

  static std::shared_ptr<const ByteBuffer> copy_of(std::span<const uint8_t> bytes);
  static std::shared_ptr<const ByteBuffer> adopt(std::vector<uint8_t> bytes);
  // Maps a regular file read-only (falls back to reading it for pipes and empty files).
  static Result<std::shared_ptr<const ByteBuffer>> from_file(const std::string& path);
};

}  // namespace keel

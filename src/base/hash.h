// Hashes of byte strings: SHA-256 (nettle) where a collision must be infeasible (the code cache's
// key names a module by its bytes), XXH3-128 (xxhash) where speed matters and only accidents need
// catching (the checksum of a cache file, checked before its code is mapped executable).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace keel {

using Sha256Digest = std::array<uint8_t, 32>;
using Xxh128Digest = std::array<uint8_t, 16>;

class Sha256 {
 public:
  Sha256();
  void update(std::span<const uint8_t> bytes);
  void update(std::string_view text);
  Sha256Digest finish();

  static Sha256Digest of(std::span<const uint8_t> bytes);

 private:
  alignas(8) uint8_t state_[128];  // nettle's struct sha256_ctx (checked in hash.cc)
};

Xxh128Digest xxh3_128(std::span<const uint8_t> bytes);

// Lower-case hexadecimal.
std::string to_hex(std::span<const uint8_t> bytes);

}  // namespace keel

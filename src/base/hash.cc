#include "base/hash.h"

#include <nettle/sha2.h>
#include <xxhash.h>

#include <cstring>

namespace keel {

namespace {
sha256_ctx* ctx(uint8_t* state) {
  return reinterpret_cast<sha256_ctx*>(state);
}
}  // namespace

Sha256::Sha256() {
  static_assert(sizeof(sha256_ctx) <= sizeof(state_));
  sha256_init(ctx(state_));
}

void Sha256::update(std::span<const uint8_t> bytes) {
  sha256_update(ctx(state_), bytes.size(), bytes.data());
}

void Sha256::update(std::string_view text) {
  sha256_update(ctx(state_), text.size(), reinterpret_cast<const uint8_t*>(text.data()));
}

Sha256Digest Sha256::finish() {
  Sha256Digest digest;
  sha256_digest(ctx(state_), digest.size(), digest.data());
  return digest;
}

Sha256Digest Sha256::of(std::span<const uint8_t> bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish();
}

Xxh128Digest xxh3_128(std::span<const uint8_t> bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  Xxh128Digest digest;
  std::memcpy(digest.data(), canonical.digest, digest.size());
  return digest;
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(2 * bytes.size());
  for (uint8_t b : bytes) {
    text += kDigits[b >> 4];
    text += kDigits[b & 15];
  }
  return text;
}

}  // namespace keel

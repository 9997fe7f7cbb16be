#include "base/reader.h"

namespace keel {

std::string_view Reader::read_name() {
  uint32_t size = read_u32();
  if (!ok()) return {};
  if (size > remaining()) {
    fail(ErrorKind::kMalformed, "length out of bounds");
    return {};
  }
  std::span<const uint8_t> bytes = read_bytes(size);
  if (!is_valid_utf8(bytes)) {
    fail(ErrorKind::kMalformed, "malformed UTF-8 encoding");
    return {};
  }
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

bool is_valid_utf8(std::span<const uint8_t> bytes) {
  size_t i = 0, n = bytes.size();
  while (i < n) {
    uint8_t b = bytes[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((b & 0xe0) == 0xc0) {
      len = 2, cp = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
      len = 3, cp = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
      len = 4, cp = b & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      uint8_t c = bytes[i + k];
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    static constexpr uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

}  // namespace keel

// Bytes of the binary format as the text encoder builds them: LEB128 integers and names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keel::text {

// A byte string; std::string for its small-buffer storage and cheap comparison and hashing.
using Bytes = std::string;

inline void put_byte(Bytes& out, uint8_t b) {
  out += static_cast<char>(b);
}

inline void put_u64(Bytes& out, uint64_t value) {
  do {
    uint8_t b = value & 0x7f;
    value >>= 7;
    if (value != 0) b |= 0x80;
    out += static_cast<char>(b);
  } while (value != 0);
}
inline void put_u32(Bytes& out, uint32_t value) {
  put_u64(out, value);
}

inline void put_s64(Bytes& out, int64_t value) {
  while (true) {
    uint8_t b = value & 0x7f;
    value >>= 7;  // arithmetic: the sign stays
    bool done = (value == 0 && !(b & 0x40)) || (value == -1 && (b & 0x40));
    if (!done) b |= 0x80;
    out += static_cast<char>(b);
    if (done) return;
  }
}

inline void put_name(Bytes& out, std::string_view name) {
  put_u32(out, static_cast<uint32_t>(name.size()));
  out.append(name);
}

// A vector: its count, then its already-encoded entries.
inline void put_vector(Bytes& out, uint32_t count, std::string_view entries) {
  put_u32(out, count);
  out.append(entries);
}

}  // namespace keel::text

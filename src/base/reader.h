// Bounds-checked cursor over a byte span with the spec's LEB128 rules: an encoding may not be
// longer than ceil(N/7) bytes ("integer representation too long") and the unused bits of its last
// byte must be zero, or the sign extension for signed forms ("integer too large").
// The first failure is kept; later reads return 0 and the caller checks ok() when convenient, so
// the hot decoding loops need no branch per read beyond the bounds check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"

namespace keel {

class Reader {
 public:
  // `base_offset` is the module offset of data[0], so errors report module offsets.
  Reader(std::span<const uint8_t> data, size_t base_offset = 0)
      : start_(data.data()),
        pos_(data.data()),
        end_(data.data() + data.size()),
        base_offset_(base_offset) {}

  bool ok() const { return !failed_; }
  bool at_end() const { return pos_ >= end_; }
  size_t remaining() const { return failed_ ? 0 : static_cast<size_t>(end_ - pos_); }
  size_t offset() const { return base_offset_ + static_cast<size_t>(pos_ - start_); }
  const uint8_t* position() const { return pos_; }
  const Error& error() const { return error_; }
  Error take_error() { return std::move(error_); }

  // Records the first error only; returns false so callers can `return r.fail(...)`.
  [[gnu::noinline, gnu::cold]] bool fail(ErrorKind kind, std::string message,
                                         size_t at = kNoOffset) {
    if (!failed_) {
      failed_ = true;
      error_ = make_error(kind, std::move(message), at == kNoOffset ? offset() : at);
      pos_ = end_;
    }
    return false;
  }
  bool fail_malformed(std::string message) {
    return fail(ErrorKind::kMalformed, std::move(message));
  }

  // Message used when reading past the end; sections and bodies use "unexpected end of section or
  // function", the module header "unexpected end".
  void set_eof_message(const char* message) { eof_message_ = message; }

  [[gnu::always_inline]] uint8_t read_u8() {
    if (pos_ >= end_) [[unlikely]]
      return eof(), 0;
    return *pos_++;
  }
  uint8_t peek_u8() const { return pos_ < end_ ? *pos_ : 0; }
  // Only after checking !at_end().
  uint8_t read_u8_unchecked() { return *pos_++; }
  // The module offset of a position previously returned by position().
  size_t offset_of(const uint8_t* p) const {
    return base_offset_ + static_cast<size_t>(p - start_);
  }

  uint32_t read_fixed_u32() {
    if (end_ - pos_ < 4) return eof(), 0;
    uint32_t v;
    std::memcpy(&v, pos_, 4);
    pos_ += 4;
    return v;
  }
  uint64_t read_fixed_u64() {
    if (end_ - pos_ < 8) return eof(), 0;
    uint64_t v;
    std::memcpy(&v, pos_, 8);
    pos_ += 8;
    return v;
  }

  [[gnu::always_inline]] uint32_t read_u32() {
    if (pos_ < end_ && *pos_ < 0x80) [[likely]]
      return *pos_++;
    if (end_ - pos_ >= 5) {
      // Unrolled: function indices in large modules take three bytes, offsets often more.
      const uint8_t* p = pos_;
      uint32_t v = p[0] & 0x7fu;
      if (p[1] < 0x80) return pos_ += 2, v | uint32_t{p[1]} << 7;
      v |= (p[1] & 0x7fu) << 7;
      if (p[2] < 0x80) return pos_ += 3, v | uint32_t{p[2]} << 14;
      v |= (p[2] & 0x7fu) << 14;
      if (p[3] < 0x80) return pos_ += 4, v | uint32_t{p[3]} << 21;
      v |= (p[3] & 0x7fu) << 21;
      if (p[4] < 0x10) return pos_ += 5, v | uint32_t{p[4]} << 28;
    }
    return static_cast<uint32_t>(read_leb_slow<uint64_t, 32, false>());
  }
  uint64_t read_u64() { return read_leb_slow<uint64_t, 64, false>(); }
  [[gnu::always_inline]] int32_t read_s32() {
    if (pos_ < end_ && *pos_ < 0x40) [[likely]]
      return *pos_++;
    if (end_ - pos_ >= 2 && pos_[0] >= 0x80 && pos_[1] < 0x80) {
      uint32_t v = (pos_[0] & 0x7fu) | (uint32_t{pos_[1]} << 7);
      pos_ += 2;
      return static_cast<int32_t>(v << 18) >> 18;  // sign-extend from bit 13
    }
    return static_cast<int32_t>(read_leb_slow<int64_t, 32, true>());
  }
  int64_t read_s33() { return read_leb_slow<int64_t, 33, true>(); }
  int64_t read_s64() { return read_leb_slow<int64_t, 64, true>(); }

  // A byte span of `size` bytes; "unexpected end" (or the reader's eof message) if short.
  std::span<const uint8_t> read_bytes(size_t size) {
    if (static_cast<size_t>(end_ - pos_) < size) return eof(), std::span<const uint8_t>();
    std::span<const uint8_t> out(pos_, size);
    pos_ += size;
    return out;
  }

  // A vector length that must fit in what remains when each element takes at least one byte.
  uint32_t read_count(size_t min_element_size = 1) {
    size_t at = offset();
    uint32_t n = read_u32();
    if (ok() && static_cast<uint64_t>(n) * min_element_size > remaining()) {
      fail(ErrorKind::kMalformed, eof_message_, at);
      return 0;
    }
    return n;
  }

  // A length-prefixed UTF-8 name ("malformed UTF-8 encoding").
  std::string_view read_name();

  void skip(size_t n) {
    if (static_cast<size_t>(end_ - pos_) < n) return eof();
    pos_ += n;
  }

 private:
  [[gnu::noinline, gnu::cold]] void eof() { fail(ErrorKind::kMalformed, eof_message_); }

  template <class T, int kBits, bool kSigned>
  [[gnu::noinline]] T read_leb_slow() {
    constexpr int kMaxBytes = (kBits + 6) / 7;
    uint64_t result = 0;
    int shift = 0;
    for (int i = 0; i < kMaxBytes; ++i) {
      if (pos_ >= end_) return eof(), T{};
      uint8_t byte = *pos_++;
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) == 0) {
        if (i == kMaxBytes - 1) {
          // Last permitted byte: the bits beyond kBits must be zero (unsigned) or copies of the
          // sign bit (signed).
          constexpr int kUsedBits = kBits - 7 * (kMaxBytes - 1);
          if constexpr (kSigned) {
            int sign_and_unused = static_cast<int8_t>(byte << 1) >> kUsedBits;
            if (sign_and_unused != 0 && sign_and_unused != -1) return too_large<T>();
          } else {
            if ((byte >> kUsedBits) != 0) return too_large<T>();
          }
        }
        if constexpr (kSigned) {
          if (shift < 64 && (byte & 0x40)) result |= ~uint64_t{0} << shift;
        }
        return static_cast<T>(result);
      }
    }
    fail(ErrorKind::kMalformed, "integer representation too long", offset() - 1);
    return T{};
  }
  template <class T>
  T too_large() {
    fail(ErrorKind::kMalformed, "integer too large", offset() - 1);
    return T{};
  }

  const uint8_t* start_;
  const uint8_t* pos_;
  const uint8_t* end_;
  size_t base_offset_;
  bool failed_ = false;
  const char* eof_message_ = "unexpected end";
  Error error_;
};

// True if `bytes` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::span<const uint8_t> bytes);

}  // namespace keel

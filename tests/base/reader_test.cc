#include "base/reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "support/expect.h"
#include "support/wasm_builder.h"

namespace keel {
namespace {

using test::Bytes;
using test::ErrorIs;

constexpr const char* kTooLong = "integer representation too long";
constexpr const char* kTooLarge = "integer too large";
constexpr const char* kUnexpectedEnd = "unexpected end";

template <class T>
struct LebOk {
  Bytes bytes;
  T value;
};

struct LebBad {
  Bytes bytes;
  const char* message;
  size_t offset;  // module offset the error must point at
};

Bytes repeat(uint8_t byte, size_t n, std::initializer_list<uint8_t> tail = {}) {
  Bytes out(n, byte);
  out.insert(out.end(), tail);
  return out;
}

template <class T, class Read>
void expect_reads(const std::vector<LebOk<T>>& cases, Read read) {
  for (const auto& c : cases) {
    SCOPED_TRACE(test::hex(c.bytes));
    Reader r(c.bytes);
    T v = read(r);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(v, c.value);
    EXPECT_TRUE(r.at_end()) << "left " << r.remaining() << " bytes";
  }
}

template <class Read>
void expect_fails(const std::vector<LebBad>& cases, Read read) {
  for (const auto& c : cases) {
    SCOPED_TRACE(test::hex(c.bytes));
    Reader r(c.bytes);
    read(r);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(ErrorIs(r.error(), ErrorKind::kMalformed, c.message));
    EXPECT_EQ(r.error().message, c.message);
    EXPECT_EQ(r.error().offset, c.offset);
  }
}

// ---- u32 -------------------------------------------------------------------------------------

TEST(ReaderLeb, U32Values) {
  expect_reads<uint32_t>({{{0x00}, 0},
                          {{0x01}, 1},
                          {{0x7f}, 127},
                          {{0x80, 0x01}, 128},
                          {{0xe5, 0x8e, 0x26}, 624485},
                          {{0xff, 0xff, 0xff, 0xff, 0x0f}, UINT32_MAX},
                          {{0x80, 0x80, 0x80, 0x80, 0x08}, 0x80000000u}},
                         [](Reader& r) { return r.read_u32(); });
}

TEST(ReaderLeb, U32OverlongButLegalEncodings) {
  // Padding with continuation bytes is allowed up to ceil(32/7) = 5 bytes.
  expect_reads<uint32_t>({{{0x80, 0x00}, 0},
                          {{0x80, 0x80, 0x00}, 0},
                          {{0x80, 0x80, 0x80, 0x80, 0x00}, 0},
                          {{0xff, 0x80, 0x80, 0x80, 0x00}, 127},
                          {{0x81, 0x80, 0x80, 0x00}, 1},
                          {{0xff, 0xff, 0xff, 0xff, 0x00}, 0x0fffffff}},
                         [](Reader& r) { return r.read_u32(); });
}

TEST(ReaderLeb, U32TooLong) {
  for (const Bytes& b : {repeat(0x80, 5, {0x00}), repeat(0xff, 5, {0x7f}), repeat(0x80, 5),
                         repeat(0x80, 6, {0x00})}) {
    SCOPED_TRACE(test::hex(b));
    Reader r(b);
    r.read_u32();
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(ErrorIs(r.error(), ErrorKind::kMalformed, kTooLong));
    // The error points at the encoding's fifth byte (whose continuation bit is illegal) or the
    // sixth (the first byte past the permitted length).
    EXPECT_GE(r.error().offset, 4u);
    EXPECT_LE(r.error().offset, 5u);
  }
}

TEST(ReaderLeb, U32UnusedBitsMustBeZero) {
  expect_fails({{{0x80, 0x80, 0x80, 0x80, 0x10}, kTooLarge, 4},
                {{0xff, 0xff, 0xff, 0xff, 0x1f}, kTooLarge, 4},
                {{0x82, 0x80, 0x80, 0x80, 0x70}, kTooLarge, 4},
                {{0x82, 0x80, 0x80, 0x80, 0x40}, kTooLarge, 4},
                {{0xff, 0xff, 0xff, 0xff, 0x7f}, kTooLarge, 4}},
               [](Reader& r) { return r.read_u32(); });
}

TEST(ReaderLeb, U32Truncated) {
  expect_fails({{{}, kUnexpectedEnd, 0},
                {{0x80}, kUnexpectedEnd, 1},
                {{0xff, 0xff, 0xff, 0xff}, kUnexpectedEnd, 4}},
               [](Reader& r) { return r.read_u32(); });
}

TEST(ReaderLeb, ErrorOffsetsIncludeBaseOffset) {
  Bytes b = {0x80, 0x80, 0x80, 0x80, 0x10};
  Reader r(b, 100);
  EXPECT_EQ(r.offset(), 100u);
  r.read_u32();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, kTooLarge);
  EXPECT_EQ(r.error().offset, 104u);

  Bytes t = {0x01, 0x80};
  Reader r2(t, 0x20);
  EXPECT_EQ(r2.read_u32(), 1u);
  EXPECT_EQ(r2.offset(), 0x21u);
  r2.read_u32();
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().message, kUnexpectedEnd);
  EXPECT_EQ(r2.error().offset, 0x22u);
}

// ---- s32 -------------------------------------------------------------------------------------

TEST(ReaderLeb, S32Values) {
  expect_reads<int32_t>({{{0x00}, 0},
                         {{0x01}, 1},
                         {{0x7f}, -1},
                         {{0x3f}, 63},
                         {{0x40}, -64},
                         {{0xc0, 0x00}, 64},
                         {{0xbf, 0x7f}, -65},
                         {{0x80, 0x7f}, -128},
                         {{0xff, 0xff, 0xff, 0xff, 0x07}, INT32_MAX},
                         {{0x80, 0x80, 0x80, 0x80, 0x78}, INT32_MIN}},
                        [](Reader& r) { return r.read_s32(); });
}

TEST(ReaderLeb, S32OverlongButLegalEncodings) {
  expect_reads<int32_t>({{{0x80, 0x00}, 0},
                         {{0xff, 0x7f}, -1},
                         {{0x80, 0x80, 0x80, 0x80, 0x00}, 0},
                         {{0xff, 0xff, 0xff, 0xff, 0x7f}, -1},
                         {{0xc0, 0xff, 0xff, 0xff, 0x7f}, -64}},
                        [](Reader& r) { return r.read_s32(); });
}

TEST(ReaderLeb, S32UnusedBitsMustBeSignExtension) {
  expect_fails({{{0x80, 0x80, 0x80, 0x80, 0x70}, kTooLarge, 4},   // 0 with unused bits set
                {{0xff, 0xff, 0xff, 0xff, 0x0f}, kTooLarge, 4},   // -1 with unused bits unset
                {{0x80, 0x80, 0x80, 0x80, 0x1f}, kTooLarge, 4},   // some unused bits set
                {{0xff, 0xff, 0xff, 0xff, 0x4f}, kTooLarge, 4},   // some unused bits unset
                {{0x80, 0x80, 0x80, 0x80, 0x08}, kTooLarge, 4},   // 2^31
                {{0xff, 0xff, 0xff, 0xff, 0x77}, kTooLarge, 4}},  // -2^31 - 1
               [](Reader& r) { return r.read_s32(); });
}

TEST(ReaderLeb, S32TooLongAndTruncated) {
  for (const Bytes& b : {repeat(0x80, 5, {0x00}), repeat(0xff, 5, {0x7f})}) {
    SCOPED_TRACE(test::hex(b));
    Reader r(b);
    r.read_s32();
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(ErrorIs(r.error(), ErrorKind::kMalformed, kTooLong));
  }
  expect_fails({{{0xc0}, kUnexpectedEnd, 1}, {{}, kUnexpectedEnd, 0}},
               [](Reader& r) { return r.read_s32(); });
}

// ---- s33 (block types) -------------------------------------------------------------------------

TEST(ReaderLeb, S33Values) {
  expect_reads<int64_t>({{{0x40}, -64},
                         {{0x00}, 0},
                         {{0x7f}, -1},
                         {{0xff, 0xff, 0xff, 0xff, 0x0f}, int64_t{UINT32_MAX}},
                         {{0x80, 0x80, 0x80, 0x80, 0x70}, -(int64_t{1} << 32)},
                         {{0x80, 0x80, 0x80, 0x80, 0x00}, 0}},
                        [](Reader& r) { return r.read_s33(); });
}

TEST(ReaderLeb, S33Errors) {
  expect_fails({{{0x80, 0x80, 0x80, 0x80, 0x10}, kTooLarge, 4},
                {{0x80, 0x80, 0x80, 0x80, 0x60}, kTooLarge, 4},
                {{0xff, 0xff, 0xff, 0xff, 0x2f}, kTooLarge, 4},
                {{0x80}, kUnexpectedEnd, 1}},
               [](Reader& r) { return r.read_s33(); });
  Bytes b = repeat(0x80, 5, {0x00});
  Reader r(b);
  r.read_s33();
  EXPECT_TRUE(ErrorIs(r.error(), ErrorKind::kMalformed, kTooLong));
}

// ---- s64 / u64 -------------------------------------------------------------------------------

TEST(ReaderLeb, S64Values) {
  expect_reads<int64_t>({{{0x00}, 0},
                         {{0x7f}, -1},
                         {repeat(0xff, 9, {0x00}), INT64_MAX},
                         {repeat(0x80, 9, {0x7f}), INT64_MIN},
                         {repeat(0xff, 9, {0x7f}), -1},
                         {repeat(0x80, 9, {0x00}), 0},
                         {{0x80, 0x80, 0x80, 0x80, 0x08}, int64_t{1} << 31}},
                        [](Reader& r) { return r.read_s64(); });
}

TEST(ReaderLeb, S64Errors) {
  expect_fails({{repeat(0x80, 9, {0x7e}), kTooLarge, 9},  // 0 with unused bits set
                {repeat(0xff, 9, {0x01}), kTooLarge, 9},  // -1 with unused bits unset
                {repeat(0x80, 9, {0x40}), kTooLarge, 9},
                {repeat(0xff, 9, {0x3f}), kTooLarge, 9},
                {repeat(0x80, 9), kUnexpectedEnd, 9}},
               [](Reader& r) { return r.read_s64(); });
  for (const Bytes& b : {repeat(0x80, 10, {0x00}), repeat(0xff, 10, {0x7f})}) {
    Reader r(b);
    r.read_s64();
    EXPECT_TRUE(ErrorIs(r.error(), ErrorKind::kMalformed, kTooLong));
    EXPECT_GE(r.error().offset, 9u);
    EXPECT_LE(r.error().offset, 10u);
  }
}

TEST(ReaderLeb, U64Values) {
  expect_reads<uint64_t>({{{0x00}, 0},
                          {repeat(0xff, 9, {0x01}), UINT64_MAX},
                          {repeat(0x80, 9, {0x00}), 0},
                          {repeat(0x80, 9, {0x01}), uint64_t{1} << 63},
                          {{0xff, 0xff, 0xff, 0xff, 0x1f}, 0x1ffffffffull}},
                         [](Reader& r) { return r.read_u64(); });
}

TEST(ReaderLeb, U64Errors) {
  expect_fails({{repeat(0x80, 9, {0x02}), kTooLarge, 9},
                {repeat(0xff, 9, {0x7f}), kTooLarge, 9},
                {repeat(0xff, 5), kUnexpectedEnd, 5}},
               [](Reader& r) { return r.read_u64(); });
  Bytes b = repeat(0x80, 10, {0x00});
  Reader r(b);
  r.read_u64();
  EXPECT_TRUE(ErrorIs(r.error(), ErrorKind::kMalformed, kTooLong));
}

// The test builder's encoders and the reader agree on every interesting value.
TEST(ReaderLeb, RoundTripsBuilderEncodings) {
  std::vector<int64_t> values = {0, 1, -1, 63, 64, -64, -65, 127, 128, 8191, 8192, -8192, -8193};
  for (int shift = 1; shift < 64; ++shift) {
    values.push_back(int64_t(uint64_t{1} << shift));
    values.push_back(int64_t((uint64_t{1} << shift) - 1));
    values.push_back(-int64_t(uint64_t{1} << (shift - 1)));
  }
  values.push_back(INT64_MIN);
  values.push_back(INT64_MAX);
  for (int64_t v : values) {
    SCOPED_TRACE(v);
    Bytes b = test::s64(v);
    Reader r(b);
    EXPECT_EQ(r.read_s64(), v);
    EXPECT_TRUE(r.ok() && r.at_end());
    EXPECT_LE(b.size(), 10u);
    if (v >= INT32_MIN && v <= INT32_MAX) {
      Bytes b32 = test::s32(static_cast<int32_t>(v));
      Reader r32(b32);
      EXPECT_EQ(r32.read_s32(), v);
      EXPECT_TRUE(r32.ok() && r32.at_end());
    }
    Bytes bu = test::u64(static_cast<uint64_t>(v));
    Reader ru(bu);
    EXPECT_EQ(ru.read_u64(), static_cast<uint64_t>(v));
    EXPECT_TRUE(ru.ok() && ru.at_end());
    if (v >= 0 && v <= UINT32_MAX) {
      Bytes b32 = test::u32(static_cast<uint32_t>(v));
      Reader r32(b32);
      EXPECT_EQ(r32.read_u32(), static_cast<uint32_t>(v));
      EXPECT_TRUE(r32.ok() && r32.at_end());
      for (size_t width = b32.size(); width <= 5; ++width) {
        Bytes padded = test::u32_padded(static_cast<uint32_t>(v), width);
        Reader rp(padded);
        EXPECT_EQ(rp.read_u32(), static_cast<uint32_t>(v));
        EXPECT_TRUE(rp.ok() && rp.at_end());
      }
    }
  }
}

// ---- Fixed-width reads, bytes, failure state -------------------------------------------------

TEST(Reader, FixedWidthIsLittleEndian) {
  Bytes b = {0x78, 0x56, 0x34, 0x12, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  Reader r(b);
  EXPECT_EQ(r.read_fixed_u32(), 0x12345678u);
  EXPECT_EQ(r.read_fixed_u64(), 0x0807060504030201ull);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());

  Bytes short_bytes = {1, 2, 3};
  Reader s(short_bytes);
  s.read_fixed_u32();
  EXPECT_TRUE(ErrorIs(s.error(), ErrorKind::kMalformed, kUnexpectedEnd));
}

TEST(Reader, BytesSkipAndPeek) {
  Bytes b = {1, 2, 3, 4, 5};
  Reader r(b, 10);
  EXPECT_EQ(r.peek_u8(), 1);
  EXPECT_EQ(r.offset(), 10u);
  auto span = r.read_bytes(2);
  ASSERT_EQ(span.size(), 2u);
  EXPECT_EQ(span[0], 1);
  EXPECT_EQ(span[1], 2);
  r.skip(1);
  EXPECT_EQ(r.read_u8(), 4);
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_FALSE(r.at_end());
  r.read_bytes(2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, kUnexpectedEnd);
  EXPECT_EQ(r.error().offset, 14u);
}

TEST(Reader, FirstErrorWinsAndLaterReadsYieldZero) {
  Bytes b = {0x80};
  Reader r(b);
  r.read_u32();
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.fail_malformed("something else"));
  EXPECT_EQ(r.error().message, kUnexpectedEnd);
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.read_u8(), 0);
  EXPECT_EQ(r.read_u32(), 0u);
  EXPECT_EQ(r.read_s64(), 0);
  Error e = r.take_error();
  EXPECT_EQ(e.kind, ErrorKind::kMalformed);
  EXPECT_EQ(e.message, kUnexpectedEnd);
}

TEST(Reader, FailRecordsKindAndExplicitOffset) {
  Bytes b = {1, 2, 3};
  Reader r(b, 50);
  r.read_u8();
  EXPECT_FALSE(r.fail(ErrorKind::kInvalid, "type mismatch", 7));
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(r.error().offset, 7u);
  Reader r2(b, 50);
  r2.read_u8();
  r2.fail_malformed("oops");
  EXPECT_EQ(r2.error().offset, 51u);  // defaults to the current position
}

TEST(Reader, CustomEofMessage) {
  Bytes b = {0x80};
  Reader r(b);
  r.set_eof_message("unexpected end of section or function");
  r.read_u32();
  EXPECT_EQ(r.error().message, "unexpected end of section or function");
}

// ---- read_count --------------------------------------------------------------------------------

TEST(ReaderCount, AcceptsCountsThatFit) {
  Bytes b = {0x02, 0xaa, 0xbb};
  Reader r(b);
  EXPECT_EQ(r.read_count(), 2u);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 2u);

  Bytes empty = {0x00};
  Reader e(empty);
  EXPECT_EQ(e.read_count(), 0u);
  EXPECT_TRUE(e.ok());

  Bytes wide = {0x02, 1, 2, 3, 4};
  Reader w(wide);
  EXPECT_EQ(w.read_count(2), 2u);
  EXPECT_TRUE(w.ok());
}

TEST(ReaderCount, RejectsCountsBeyondRemaining) {
  Bytes b = {0x03, 0xaa, 0xbb};
  Reader r(b, 40);
  EXPECT_EQ(r.read_count(), 0u);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kMalformed);
  EXPECT_EQ(r.error().message, kUnexpectedEnd);
  EXPECT_EQ(r.error().offset, 40u);  // at the count

  Bytes wide = {0x02, 1, 2, 3};
  Reader w(wide);
  w.set_eof_message("unexpected end of section or function");
  w.read_count(2);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().message, "unexpected end of section or function");

  // A count near 2^32 must not wrap around when multiplied by the element size.
  Bytes huge = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
  Reader h(huge);
  h.read_count(8);
  EXPECT_FALSE(h.ok());

  Bytes bad = {0x80, 0x80, 0x80, 0x80, 0x10};
  Reader l(bad);
  l.read_count();
  EXPECT_EQ(l.error().message, kTooLarge);
}

// ---- Names and UTF-8
// -----------------------------------------------------------------------------

TEST(ReaderName, ReadsLengthPrefixedNames) {
  Bytes b = test::cat(test::name("abc"), test::name(""), test::name("\xe2\x82\xac!"));
  Reader r(b);
  EXPECT_EQ(r.read_name(), "abc");
  EXPECT_EQ(r.read_name(), "");
  EXPECT_EQ(r.read_name(), "\xe2\x82\xac!");
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());
}

TEST(ReaderName, LengthOutOfBounds) {
  Bytes b = {0x04, 'a', 'b', 'c'};
  Reader r(b);
  r.read_name();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(ErrorIs(r.error(), ErrorKind::kMalformed, "length out of bounds"));

  Bytes truncated_leb = {0x80};
  Reader t(truncated_leb);
  t.read_name();
  EXPECT_TRUE(ErrorIs(t.error(), ErrorKind::kMalformed, kUnexpectedEnd));
}

const std::vector<std::string> kValidUtf8 = {
    "",
    "plain ascii \x7f",
    "\xc2\x80",                // U+0080
    "\xdf\xbf",                // U+07FF
    "\xe0\xa0\x80",            // U+0800
    "\xed\x9f\xbf",            // U+D7FF, just below the surrogates
    "\xee\x80\x80",            // U+E000, just above them
    "\xef\xbf\xbf",            // U+FFFF
    "\xf0\x90\x80\x80",        // U+10000
    "\xf4\x8f\xbf\xbf",        // U+10FFFF
    "\xc3\xa9t\xc3\xa9",       // été
    "\xf0\x9f\x98\x80 smile",  // U+1F600
    std::string("nul\0inside", 10),
};

const std::vector<std::string> kInvalidUtf8 = {
    "\x80",                      // lone continuation byte
    "\xbf",                      // lone continuation byte
    "\xc0\x80",                  // overlong U+0000
    "\xc1\xbf",                  // overlong U+007F
    "\xe0\x80\x80",              // overlong U+0000
    "\xe0\x9f\xbf",              // overlong U+07FF
    "\xf0\x80\x80\x80",          // overlong U+0000
    "\xf0\x8f\xbf\xbf",          // overlong U+FFFF
    "\xed\xa0\x80",              // U+D800 (surrogate)
    "\xed\xbf\xbf",              // U+DFFF (surrogate)
    "\xf4\x90\x80\x80",          // U+110000
    "\xf5\x80\x80\x80",          // above U+10FFFF
    "\xf7\xbf\xbf\xbf",          // above U+10FFFF
    "\xf8\x88\x80\x80\x80",      // 5-byte form
    "\xfc\x84\x80\x80\x80\x80",  // 6-byte form
    "\xfe",
    "\xff",
    "\xc3",              // truncated 2-byte sequence
    "\xe2\x82",          // truncated 3-byte sequence
    "\xf0\x9f\x98",      // truncated 4-byte sequence
    "a\xc3",             // truncated at the end
    "\xc3\x28",          // bad continuation byte
    "\xe2\x28\xa1",      // bad continuation byte
    "\xf0\x9f\x28\x80",  // bad continuation byte
};

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(Utf8, AcceptsWellFormedText) {
  for (const std::string& s : kValidUtf8) {
    SCOPED_TRACE(::testing::PrintToString(s));
    EXPECT_TRUE(is_valid_utf8(as_bytes(s)));
    Bytes b = test::name(s);
    Reader r(b);
    EXPECT_EQ(r.read_name(), s);
    EXPECT_TRUE(r.ok());
  }
}

TEST(Utf8, RejectsMalformedText) {
  for (const std::string& s : kInvalidUtf8) {
    SCOPED_TRACE(::testing::PrintToString(s));
    EXPECT_FALSE(is_valid_utf8(as_bytes(s)));
    Bytes b = test::name(s);
    Reader r(b);
    r.read_name();
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(ErrorIs(r.error(), ErrorKind::kMalformed, "malformed UTF-8 encoding"));
  }
}

}  // namespace
}  // namespace keel

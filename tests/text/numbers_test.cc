// Numeric literals: every integer and float form, the range edges, NaN payloads.
#include "text/numbers.h"

#include <gtest/gtest.h>

namespace keel::text {
namespace {

TEST(NumbersTest, UnsignedForms) {
  EXPECT_EQ(parse_unsigned("0", UINT32_MAX), 0u);
  EXPECT_EQ(parse_unsigned("1_000_000", UINT32_MAX), 1000000u);
  EXPECT_EQ(parse_unsigned("0xff_ff", UINT32_MAX), 0xffffu);
  EXPECT_EQ(parse_unsigned("0xFFFFFFFF", UINT32_MAX), 0xffffffffu);
  EXPECT_EQ(parse_unsigned("4294967296", UINT32_MAX), std::nullopt);
  EXPECT_EQ(parse_unsigned("18446744073709551615", UINT64_MAX), UINT64_MAX);
  EXPECT_EQ(parse_unsigned("18446744073709551616", UINT64_MAX), std::nullopt);
  EXPECT_EQ(parse_unsigned("+1", UINT32_MAX), std::nullopt);
  EXPECT_EQ(parse_unsigned("1__0", UINT32_MAX), std::nullopt);
  EXPECT_EQ(parse_unsigned("_1", UINT32_MAX), std::nullopt);
  EXPECT_EQ(parse_unsigned("1_", UINT32_MAX), std::nullopt);
  EXPECT_EQ(parse_unsigned("0x", UINT32_MAX), std::nullopt);
}

TEST(NumbersTest, IntegersWrapToTheirBits) {
  EXPECT_EQ(parse_integer("-1", 32), 0xffffffffu);
  EXPECT_EQ(parse_integer("0xffffffff", 32), 0xffffffffu);
  EXPECT_EQ(parse_integer("-2147483648", 32), 0x80000000u);
  EXPECT_EQ(parse_integer("-2147483649", 32), std::nullopt);
  EXPECT_EQ(parse_integer("4294967296", 32), std::nullopt);
  EXPECT_EQ(parse_integer("+0x7fff_ffff", 32), 0x7fffffffu);
  EXPECT_EQ(parse_integer("-0", 32), 0u);
  EXPECT_EQ(parse_integer("-9223372036854775808", 64), 0x8000000000000000u);
  EXPECT_EQ(parse_integer("-9223372036854775809", 64), std::nullopt);
  EXPECT_EQ(parse_integer("0xffffffffffffffff", 64), UINT64_MAX);
  EXPECT_EQ(parse_integer("-128", 8), 0x80u);
  EXPECT_EQ(parse_integer("255", 8), 0xffu);
  EXPECT_EQ(parse_integer("256", 8), std::nullopt);
  EXPECT_EQ(parse_integer("-32769", 16), std::nullopt);
}

TEST(NumbersTest, F32Forms) {
  EXPECT_EQ(parse_f32("0"), 0u);
  EXPECT_EQ(parse_f32("-0"), 0x80000000u);
  EXPECT_EQ(parse_f32("-0.0"), 0x80000000u);
  EXPECT_EQ(parse_f32("1"), 0x3f800000u);
  EXPECT_EQ(parse_f32("1.5e1_0"), 0x505f8476u);  // 1.5e10
  EXPECT_EQ(parse_f32("1."), 0x3f800000u);
  EXPECT_EQ(parse_f32("0x1p-149"), 0x00000001u);  // the least subnormal
  EXPECT_EQ(parse_f32("0x1p-150"), 0u);           // a tie: to even, zero
  EXPECT_EQ(parse_f32("0x1.000001p-149"), 1u);
  EXPECT_EQ(parse_f32("0x1.fffffep127"), 0x7f7fffffu);
  EXPECT_EQ(parse_f32("0x1.ffffffp127"), std::nullopt);  // rounds to infinity
  EXPECT_EQ(parse_f32("1e39"), std::nullopt);
  EXPECT_EQ(parse_f32("0x1.00000100000000000p-50"), 0x26800000u);  // a tie, to even
  EXPECT_EQ(parse_f32("0x1.00000100000000001p-50"), 0x26800001u);  // just above it
  EXPECT_EQ(parse_f32("inf"), 0x7f800000u);
  EXPECT_EQ(parse_f32("-inf"), 0xff800000u);
  EXPECT_EQ(parse_f32("nan"), 0x7fc00000u);
  EXPECT_EQ(parse_f32("-nan"), 0xffc00000u);
  EXPECT_EQ(parse_f32("nan:0x200000"), 0x7fa00000u);
  EXPECT_EQ(parse_f32("+nan:0x1"), 0x7f800001u);
  EXPECT_EQ(parse_f32("nan:0x7fffff"), 0x7fffffffu);
  EXPECT_EQ(parse_f32("nan:0x800000"), std::nullopt);  // payload too wide
  EXPECT_EQ(parse_f32("nan:0x0"), std::nullopt);       // that is infinity
  EXPECT_EQ(parse_f32("0x1P+2"), 0x40800000u);
  EXPECT_EQ(parse_f32("0x.8"), std::nullopt);
}

TEST(NumbersTest, F64Forms) {
  EXPECT_EQ(parse_f64("-0"), 0x8000000000000000u);
  EXPECT_EQ(parse_f64("0x1p-1074"), 1u);
  EXPECT_EQ(parse_f64("0x1.fffffffffffffp1023"), 0x7fefffffffffffffu);
  EXPECT_EQ(parse_f64("0x1.fffffffffffff8p1023"), std::nullopt);
  EXPECT_EQ(parse_f64("1e309"), std::nullopt);
  EXPECT_EQ(parse_f64("2.2250738585072012e-308"), 0x0010000000000000u);
  EXPECT_EQ(parse_f64("nan:0x8000000000000"), 0x7ff8000000000000u);
  EXPECT_EQ(parse_f64("-nan:0xf_ffff_ffff_ffff"), 0xffffffffffffffffu);
  EXPECT_EQ(parse_f64("nan:0x10000000000000"), std::nullopt);
  EXPECT_EQ(parse_f64("1_0.2_5e-0_1"), 0x3ff0666666666666u);  // 1.025
}

}  // namespace
}  // namespace keel::text

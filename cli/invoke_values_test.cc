// The text forms of `keel run`: arguments, results as wasmtime prints them, sizes, durations.
#include "cli/commands/invoke_values.h"

#include <bit>
#include <cmath>

#include <gtest/gtest.h>

namespace keel::cli {
namespace {

uint32_t i32_of(std::string_view text) {
  auto v = parse_invoke_arg(text, ValType::kI32);
  EXPECT_TRUE(v) << text;
  return v ? v->i32 : 0xdeadbeef;
}

uint64_t i64_of(std::string_view text) {
  auto v = parse_invoke_arg(text, ValType::kI64);
  EXPECT_TRUE(v) << text;
  return v ? v->i64 : 0xdeadbeef;
}

float f32_of(std::string_view text) {
  auto v = parse_invoke_arg(text, ValType::kF32);
  EXPECT_TRUE(v) << text;
  return v ? std::bit_cast<float>(v->f32_bits) : -999.0f;
}

double f64_of(std::string_view text) {
  auto v = parse_invoke_arg(text, ValType::kF64);
  EXPECT_TRUE(v) << text;
  return v ? std::bit_cast<double>(v->f64_bits) : -999.0;
}

TEST(InvokeArgs, Integers) {
  EXPECT_EQ(i32_of("42"), 42u);
  EXPECT_EQ(i32_of("-1"), 0xffffffffu);
  EXPECT_EQ(i32_of("-2147483648"), 0x80000000u);
  EXPECT_EQ(i32_of("4294967295"), 0xffffffffu);
  EXPECT_EQ(i32_of("0x7fffffff"), 0x7fffffffu);
  EXPECT_EQ(i32_of("-0x10"), 0xfffffff0u);
  EXPECT_EQ(i64_of("-9223372036854775808"), 0x8000000000000000u);
  EXPECT_EQ(i64_of("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(i64_of("0xFFFFFFFFFFFFFFFF"), UINT64_MAX);
}

TEST(InvokeArgs, IntegersOutOfRangeOrMalformed) {
  for (const char* bad : {"4294967296", "-2147483649", "", "-", "0x", "12a", "1.5", " 1"}) {
    EXPECT_FALSE(parse_invoke_arg(bad, ValType::kI32)) << bad;
  }
  EXPECT_FALSE(parse_invoke_arg("18446744073709551616", ValType::kI64));
  EXPECT_FALSE(parse_invoke_arg("-9223372036854775809", ValType::kI64));
}

TEST(InvokeArgs, Floats) {
  EXPECT_EQ(f32_of("1.5"), 1.5f);
  EXPECT_EQ(f32_of("-0.1"), -0.1f);
  EXPECT_EQ(f32_of("0x1.8p3"), 12.0f);
  EXPECT_EQ(f32_of("-0x1p-1"), -0.5f);
  EXPECT_EQ(f64_of("1e300"), 1e300);
  EXPECT_EQ(f64_of("inf"), INFINITY);
  EXPECT_EQ(f64_of("-inf"), -INFINITY);
  EXPECT_TRUE(std::isnan(f32_of("nan")));
  EXPECT_TRUE(std::signbit(f64_of("-0")));
  EXPECT_FALSE(parse_invoke_arg("1.5x", ValType::kF64));
  EXPECT_FALSE(parse_invoke_arg("", ValType::kF32));
}

TEST(InvokeArgs, V128AsOneUnsignedInteger) {
  auto v = parse_invoke_arg("170141183460469231731687303715884105729", ValType::kV128);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->v128[0], 1);
  EXPECT_EQ(v->v128[15], 0x80);
  EXPECT_EQ(format_invoke_result(*v), "170141183460469231731687303715884105729");
  auto hex = parse_invoke_arg("0x0102", ValType::kV128);
  ASSERT_TRUE(hex);
  EXPECT_EQ(hex->v128[0], 2);
  EXPECT_EQ(hex->v128[1], 1);
  EXPECT_TRUE(parse_invoke_arg("340282366920938463463374607431768211455", ValType::kV128));
  for (const char* bad : {"340282366920938463463374607431768211456", "-1", "", "0x", "1.5", "0xg"})
    EXPECT_FALSE(parse_invoke_arg(bad, ValType::kV128)) << bad;
}

TEST(InvokeArgs, ReferencesCannotBeGiven) {
  auto r = parse_invoke_arg("0", ValType::kExternRef);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot pass a externref argument on the command line");
}

TEST(InvokeResults, PrintedAsWasmtime) {
  EXPECT_EQ(format_invoke_result(Value::from_i32(0xffffffff)), "-1");
  EXPECT_EQ(format_invoke_result(Value::from_i64(0x8000000000000000)), "-9223372036854775808");
  EXPECT_EQ(format_invoke_result(Value::from_f32_bits(std::bit_cast<uint32_t>(1.0f))), "1");
  EXPECT_EQ(format_invoke_result(Value::from_f32_bits(std::bit_cast<uint32_t>(0.1f))), "0.1");
  EXPECT_EQ(format_invoke_result(Value::from_f64_bits(std::bit_cast<uint64_t>(1e21))),
            "1000000000000000000000");
  EXPECT_EQ(format_invoke_result(Value::from_f64_bits(std::bit_cast<uint64_t>(-2.5e-7))),
            "-0.00000025");
  EXPECT_EQ(format_invoke_result(Value::from_f64_bits(0x7ff8000000000001)), "NaN");
  EXPECT_EQ(format_invoke_result(Value::from_f32_bits(0xffc00000)), "NaN");
  EXPECT_EQ(format_invoke_result(Value::from_f32_bits(0xff800000)), "-inf");
  EXPECT_EQ(format_invoke_result(Value::from_f64_bits(0x8000000000000000)), "-0");
  EXPECT_EQ(format_invoke_result(Value::from_ref(ValType::kFuncRef, nullptr)), "<null funcref>");
  int x = 0;
  EXPECT_EQ(format_invoke_result(Value::from_ref(ValType::kExternRef, &x)), "<externref>");
  Value v = Value::zero(ValType::kV128);
  v.v128[0] = 1;
  v.v128[15] = 0x80;
  EXPECT_EQ(format_invoke_result(v), "170141183460469231731687303715884105729");
}

TEST(RunOptionValues, Sizes) {
  EXPECT_EQ(*parse_byte_size("65536"), 65536u);
  EXPECT_EQ(*parse_byte_size("4K"), 4096u);
  EXPECT_EQ(*parse_byte_size("2M"), 2u << 20);
  EXPECT_EQ(*parse_byte_size("1g"), uint64_t{1} << 30);
  EXPECT_FALSE(parse_byte_size("-1"));
  EXPECT_FALSE(parse_byte_size("1T"));
  EXPECT_FALSE(parse_byte_size("99999999999G"));
}

TEST(RunOptionValues, Durations) {
  using namespace std::chrono_literals;
  EXPECT_EQ(*parse_duration("2"), 2s);
  EXPECT_EQ(*parse_duration("10s"), 10s);
  EXPECT_EQ(*parse_duration("250ms"), 250ms);
  EXPECT_EQ(*parse_duration("7us"), 7us);
  EXPECT_EQ(*parse_duration("3m"), 3min);
  EXPECT_EQ(*parse_duration("1h"), 1h);
  EXPECT_FALSE(parse_duration("ms"));
  EXPECT_FALSE(parse_duration("1.5s"));
  EXPECT_FALSE(parse_duration("5 s"));
}

}  // namespace
}  // namespace keel::cli

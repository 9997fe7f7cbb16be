// wast2json values as the runner reads them, and the NaN and reference patterns it matches.
#include <bit>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "spec_runner.h"
#include "wast_json.h"

namespace keel::spec {
namespace {

SpecValue value(const std::string& json) {
  auto v = parse_spec_value(json);
  EXPECT_TRUE(v) << json << ": " << (v ? "" : v.error().message);
  return v ? *v : SpecValue{};
}

void* no_host(uint64_t) {
  return nullptr;
}

TEST(SpecValues, NumbersAreTheirBits) {
  SpecValue v = value(R"({"type": "i32", "value": "4294967295"})");
  EXPECT_EQ(v.type, ValType::kI32);
  EXPECT_EQ(v.lanes.at(0).bits, 0xffffffffu);
  EXPECT_EQ(value(R"({"type": "i64", "value": "18446744073709551615"})").lanes.at(0).bits,
            UINT64_MAX);
  EXPECT_EQ(value(R"({"type": "f32", "value": "2143289344"})").lanes.at(0).bits, 0x7fc00000u);
  EXPECT_FALSE(parse_spec_value(R"({"type": "i32", "value": "12x"})"));
  EXPECT_FALSE(parse_spec_value(R"({"type": "i31", "value": "1"})"));
}

TEST(SpecValues, NanPatterns) {
  SpecValue canonical = value(R"({"type": "f32", "value": "nan:canonical"})");
  SpecValue arithmetic = value(R"({"type": "f64", "value": "nan:arithmetic"})");
  auto f32 = Value::from_f32_bits;
  EXPECT_TRUE(value_matches(f32(0x7fc00000), canonical, no_host));
  EXPECT_TRUE(value_matches(f32(0xffc00000), canonical, no_host));
  EXPECT_FALSE(value_matches(f32(0x7fc00001), canonical, no_host));  // payload
  EXPECT_FALSE(value_matches(f32(0x7f800001), canonical, no_host));  // signalling
  EXPECT_FALSE(value_matches(f32(0x7f800000), canonical, no_host));  // infinity
  EXPECT_FALSE(value_matches(Value::from_f64_bits(0x7ff8000000000000), canonical, no_host));
  EXPECT_TRUE(value_matches(Value::from_f64_bits(0x7ff8000000000001), arithmetic, no_host));
  EXPECT_TRUE(value_matches(Value::from_f64_bits(0xfff8000000000000), arithmetic, no_host));
  EXPECT_FALSE(value_matches(Value::from_f64_bits(0x7ff0000000000001), arithmetic, no_host));
  EXPECT_FALSE(value_matches(Value::from_f64_bits(0x3ff0000000000000), arithmetic, no_host));
}

TEST(SpecValues, References) {
  int host3 = 0;
  auto host = [&](uint64_t n) -> void* { return n == 3 ? &host3 : nullptr; };
  SpecValue null_ref = value(R"({"type": "externref", "value": "null"})");
  SpecValue three = value(R"({"type": "externref", "value": "3"})");
  SpecValue any_func = value(R"({"type": "funcref"})");
  EXPECT_EQ(three.ref, RefPattern::kHost);
  EXPECT_EQ(three.host, 3u);
  Value ext3 = Value::from_ref(ValType::kExternRef, &host3);
  EXPECT_TRUE(value_matches(ext3, three, host));
  EXPECT_FALSE(value_matches(ext3, null_ref, host));
  EXPECT_TRUE(value_matches(Value::from_ref(ValType::kExternRef, nullptr), null_ref, host));
  EXPECT_FALSE(value_matches(Value::from_ref(ValType::kFuncRef, nullptr), null_ref, host));
  EXPECT_TRUE(value_matches(Value::from_ref(ValType::kFuncRef, &host3), any_func, host));
  EXPECT_FALSE(value_matches(Value::from_ref(ValType::kFuncRef, nullptr), any_func, host));
}

TEST(SpecValues, V128LanesWithNans) {
  SpecValue v = value(
      R"({"type": "v128", "lane_type": "f32", "value": ["nan:canonical", "0", "1065353216", "2"]})");
  ASSERT_EQ(v.lanes.size(), 4u);
  Value actual = Value::zero(ValType::kV128);
  uint32_t lanes[4] = {0xffc00000, 0, 0x3f800000, 2};
  std::memcpy(actual.v128, lanes, 16);
  EXPECT_TRUE(value_matches(actual, v, no_host));
  lanes[3] = 3;
  std::memcpy(actual.v128, lanes, 16);
  EXPECT_FALSE(value_matches(actual, v, no_host));
  SpecValue bytes =
      value(R"({"type": "v128", "lane_type": "i8", "value": [)"
            R"("255","1","2","3","4","5","6","7","8","9","10","11","12","13","14","15"]})");
  EXPECT_EQ(bytes.lanes.at(0).bits, 255u);
  EXPECT_FALSE(parse_spec_value(R"({"type": "v128", "lane_type": "i32", "value": ["1"]})"));
}

TEST(SpecScript, CommandsKeepActionsAndExpectations) {
  std::string dir = testing::TempDir() + "keel_spec_values_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/s.json") << R"({"source_filename": "s.wast", "commands": [
    {"type": "module", "line": 1, "name": "$m", "filename": "s.0.wasm"},
    {"type": "register", "line": 2, "name": "$m", "as": "other"},
    {"type": "assert_return", "line": 3, "action": {"type": "invoke", "module": "$m",
      "field": "f", "args": [{"type": "i32", "value": "7"}]},
      "expected": [{"type": "i64", "value": "1"}, {"type": "f32", "value": "nan:arithmetic"}]},
    {"type": "assert_return", "line": 4, "action": {"type": "get", "field": "g"},
      "expected": [{"type": "i32", "value": "42"}]},
    {"type": "assert_trap", "line": 5, "action": {"type": "invoke", "field": "t", "args": []},
      "text": "unreachable", "expected": []},
    {"type": "assert_return_canonical_nan", "line": 6, "action": {"type": "invoke",
      "field": "n", "args": []}, "expected": [{"type": "f64"}]}]})";
  auto script = read_wast_json(dir + "/s.json");
  ASSERT_TRUE(script) << script.error().message;
  const auto& c = script->commands;
  ASSERT_EQ(c.size(), 6u);
  EXPECT_EQ(c[0].name, "$m");
  EXPECT_EQ(c[0].module_path, std::filesystem::path(dir) / "s.0.wasm");
  EXPECT_EQ(c[1].type, CommandType::kRegister);
  EXPECT_EQ(c[1].as, "other");
  ASSERT_TRUE(c[2].action);
  EXPECT_EQ(c[2].action->module, "$m");
  EXPECT_EQ(c[2].action->args.at(0).lanes.at(0).bits, 7u);
  ASSERT_EQ(c[2].expected.size(), 2u);
  EXPECT_EQ(c[2].expected[1].at(0).lanes.at(0).nan, NanPattern::kArithmetic);
  EXPECT_EQ(c[3].action->type, SpecAction::Type::kGet);
  EXPECT_EQ(c[4].type, CommandType::kAssertTrap);
  EXPECT_EQ(c[4].text, "unreachable");
  EXPECT_EQ(c[5].type, CommandType::kAssertReturn);
  const SpecValue& nan = c[5].expected.at(0).at(0);
  EXPECT_TRUE(value_matches(Value::from_f64_bits(0x7ff8000000000000), nan, no_host));
  EXPECT_FALSE(value_matches(Value::from_f64_bits(0x3ff0000000000000), nan, no_host));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace keel::spec

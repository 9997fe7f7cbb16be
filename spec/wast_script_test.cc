// The .wast script parser: each command and value form into the runner's commands, and script
// errors that say where.
#include <gtest/gtest.h>

#include "spec_engine.h"
#include "spec_runner.h"
#include "wast_script.h"

namespace keel::spec {
namespace {

SpecScript parse(std::string_view source) {
  auto script = parse_wast_script("s.wast", source);
  EXPECT_TRUE(script) << (script ? "" : script.error().message);
  return script ? std::move(*script) : SpecScript{};
}

std::string parse_error(std::string_view source) {
  auto script = parse_wast_script("s.wast", source);
  EXPECT_FALSE(script) << source;
  return script ? "" : script.error().message;
}

// The one expected result of command `c`.
const SpecValue& result(const SpecCommand& c, size_t i = 0) {
  return c.expected.at(i).at(0);
}

TEST(WastScript, ModulesAreEncodedWithTheirNames) {
  SpecScript s = parse(
      "(module $m (func (export \"f\") (result i32) (i32.const 7)))\n"
      "(module binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
      "(module $q quote \"(func)\")\n");
  ASSERT_EQ(s.commands.size(), 3u);
  const SpecCommand& m = s.commands[0];
  EXPECT_EQ(m.type, CommandType::kModule);
  EXPECT_EQ(m.type_name, "module");
  EXPECT_EQ(m.name, "$m");
  EXPECT_EQ(m.line, 1u);
  ASSERT_TRUE(m.module_bytes);
  EXPECT_FALSE(m.module_error);
  std::vector<uint8_t> header = {0, 'a', 's', 'm', 1, 0, 0, 0};
  auto binary = s.commands[1].module_bytes->bytes();
  EXPECT_EQ(std::vector<uint8_t>(binary.begin(), binary.end()), header);
  EXPECT_EQ(s.commands[1].line, 2u);
  EXPECT_EQ(s.commands[2].name, "$q");
  EXPECT_TRUE(s.commands[2].module_bytes);
}

TEST(WastScript, DefinitionsAreInstantiatedByName) {
  SpecScript s = parse(
      "(module definition $M (func (export \"f\")))\n"
      "(module instance $I $M)\n(module instance $M)\n");
  ASSERT_EQ(s.commands.size(), 3u);
  EXPECT_TRUE(s.commands[0].definition_only);
  EXPECT_EQ(s.commands[0].name, "$M");
  for (size_t i : {1, 2}) {
    EXPECT_EQ(s.commands[i].type, CommandType::kModule);
    EXPECT_FALSE(s.commands[i].definition_only);
    EXPECT_EQ(s.commands[i].module_bytes, s.commands[0].module_bytes);
  }
  EXPECT_EQ(s.commands[1].name, "$I");
  EXPECT_EQ(s.commands[2].name, "");
  EXPECT_EQ(parse_error("(module instance $I $N)").substr(0, 13), "s.wast:1:21: ");
}

TEST(WastScript, BareModuleFieldsAreOneModule) {
  SpecScript s = parse("(func) (memory 1)");
  ASSERT_EQ(s.commands.size(), 1u);
  EXPECT_EQ(s.commands[0].type, CommandType::kModule);
  EXPECT_TRUE(s.commands[0].module_bytes);
}

TEST(WastScript, RegisterAndActionsNameTheirModule) {
  SpecScript s = parse(
      "(register \"lib\" $m)\n(register \"cur\")\n"
      "(invoke $m \"f\" (i32.const -1) (i64.const 0x10))\n(get \"g\")\n");
  ASSERT_EQ(s.commands.size(), 4u);
  EXPECT_EQ(s.commands[0].type, CommandType::kRegister);
  EXPECT_EQ(s.commands[0].as, "lib");
  EXPECT_EQ(s.commands[0].name, "$m");
  EXPECT_EQ(s.commands[1].name, "");
  const SpecCommand& invoke = s.commands[2];
  EXPECT_EQ(invoke.type, CommandType::kAction);
  EXPECT_EQ(invoke.type_name, "action");
  ASSERT_TRUE(invoke.action);
  EXPECT_EQ(invoke.action->type, SpecAction::Type::kInvoke);
  EXPECT_EQ(invoke.action->module, "$m");
  EXPECT_EQ(invoke.action->field, "f");
  ASSERT_EQ(invoke.action->args.size(), 2u);
  EXPECT_EQ(invoke.action->args[0].lanes.at(0).bits, 0xffffffffu);
  EXPECT_EQ(invoke.action->args[1].type, ValType::kI64);
  EXPECT_EQ(invoke.action->args[1].lanes.at(0).bits, 16u);
  EXPECT_EQ(s.commands[3].action->type, SpecAction::Type::kGet);
  EXPECT_EQ(s.commands[3].action->module, "");
}

TEST(WastScript, NumbersAndNanPatterns) {
  SpecScript s = parse(
      "(assert_return (invoke \"f\") (i32.const 0x8000_0000) (f32.const -0x1p-1)"
      " (f64.const nan:canonical) (f32.const nan:arithmetic) (f64.const -nan:0x1))");
  const SpecCommand& c = s.commands.at(0);
  EXPECT_EQ(c.type, CommandType::kAssertReturn);
  ASSERT_EQ(c.expected.size(), 5u);
  EXPECT_EQ(result(c, 0).lanes[0].bits, 0x80000000u);
  EXPECT_EQ(result(c, 1).type, ValType::kF32);
  EXPECT_EQ(result(c, 1).lanes[0].bits, 0xbf000000u);
  EXPECT_EQ(result(c, 2).lanes[0].nan, NanPattern::kCanonical);
  EXPECT_EQ(result(c, 2).type, ValType::kF64);
  EXPECT_EQ(result(c, 3).lanes[0].nan, NanPattern::kArithmetic);
  EXPECT_EQ(result(c, 4).lanes[0].bits, 0xfff0000000000001u);
  EXPECT_EQ(result(c, 4).lanes[0].nan, NanPattern::kNone);
  // NaN patterns are results, never arguments.
  EXPECT_NE(parse_error("(invoke \"f\" (f32.const nan:canonical))").find("s.wast:1:24: "),
            std::string::npos);
}

TEST(WastScript, V128LanePatterns) {
  SpecScript s = parse(
      "(assert_return (invoke \"f\")\n"
      "  (v128.const i8x16 -1 0 1 2 3 4 5 6 7 8 9 10 11 12 13 255)\n"
      "  (v128.const f32x4 nan:canonical 1.0 nan:arithmetic -0)\n"
      "  (v128.const i64x2 -1 0x7fffffffffffffff))");
  const SpecCommand& c = s.commands.at(0);
  ASSERT_EQ(c.expected.size(), 3u);
  const SpecValue& bytes = result(c, 0);
  EXPECT_EQ(bytes.type, ValType::kV128);
  EXPECT_EQ(bytes.lane_type, ValType::kI32);
  EXPECT_EQ(bytes.lane_bits, 8u);
  ASSERT_EQ(bytes.lanes.size(), 16u);
  EXPECT_EQ(bytes.lanes[0].bits, 0xffu);
  EXPECT_EQ(bytes.lanes[15].bits, 0xffu);
  const SpecValue& floats = result(c, 1);
  EXPECT_EQ(floats.lane_type, ValType::kF32);
  ASSERT_EQ(floats.lanes.size(), 4u);
  EXPECT_EQ(floats.lanes[0].nan, NanPattern::kCanonical);
  EXPECT_EQ(floats.lanes[1].bits, 0x3f800000u);
  EXPECT_EQ(floats.lanes[2].nan, NanPattern::kArithmetic);
  EXPECT_EQ(floats.lanes[3].bits, 0x80000000u);
  EXPECT_EQ(result(c, 2).lanes[0].bits, UINT64_MAX);
  EXPECT_EQ(result(c, 2).lane_bits, 64u);
  // Too few lanes.
  EXPECT_NE(
      parse_error("(assert_return (invoke \"f\") (v128.const i32x4 1 2 3))").find("s.wast:1:"),
      std::string::npos);
}

TEST(WastScript, ReferencesAndEither) {
  SpecScript s = parse(
      "(assert_return (invoke \"f\" (ref.null extern) (ref.extern 3))"
      " (ref.null func) (ref.extern 3) (ref.extern) (ref.func)"
      " (either (i32.const 1) (i32.const 2)))");
  const SpecCommand& c = s.commands.at(0);
  ASSERT_EQ(c.action->args.size(), 2u);
  EXPECT_EQ(c.action->args[0].type, ValType::kExternRef);
  EXPECT_EQ(c.action->args[0].ref, RefPattern::kNull);
  EXPECT_EQ(c.action->args[1].ref, RefPattern::kHost);
  EXPECT_EQ(c.action->args[1].host, 3u);
  ASSERT_EQ(c.expected.size(), 5u);
  EXPECT_EQ(result(c, 0).type, ValType::kFuncRef);
  EXPECT_EQ(result(c, 0).ref, RefPattern::kNull);
  EXPECT_EQ(result(c, 1).ref, RefPattern::kHost);
  EXPECT_EQ(result(c, 2).ref, RefPattern::kAnyNonNull);
  EXPECT_EQ(result(c, 3).type, ValType::kFuncRef);
  EXPECT_EQ(result(c, 3).ref, RefPattern::kAnyNonNull);
  ASSERT_EQ(c.expected[4].size(), 2u);
  EXPECT_EQ(c.expected[4][1].lanes[0].bits, 2u);
  // An argument must say which host reference.
  EXPECT_FALSE(parse_wast_script("s.wast", "(invoke \"f\" (ref.extern))"));
}

TEST(WastScript, Assertions) {
  SpecScript s = parse(
      "(assert_trap (invoke \"f\") \"unreachable\")\n"
      "(assert_trap (module (func unreachable) (start 0)) \"unreachable\")\n"
      "(assert_exhaustion (invoke \"r\") \"call stack exhausted\")\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
      "(assert_malformed (module quote \"(func i32.ad)\") \"unknown operator\")\n"
      "(assert_malformed (module binary \"\\00asm\") \"unexpected end\")\n"
      "(assert_unlinkable (module (import \"m\" \"f\" (func))) \"unknown import\")\n"
      "(assert_uninstantiable (module (func unreachable) (start 0)) \"unreachable\")\n"
      "(assert_exception (invoke \"throw\"))\n");
  ASSERT_EQ(s.commands.size(), 9u);
  const CommandType types[] = {
      CommandType::kAssertTrap,       CommandType::kAssertTrap,
      CommandType::kAssertExhaustion, CommandType::kAssertInvalid,
      CommandType::kAssertMalformed,  CommandType::kAssertMalformed,
      CommandType::kAssertUnlinkable, CommandType::kAssertUninstantiable,
      CommandType::kAssertException,
  };
  for (size_t i = 0; i < s.commands.size(); ++i) {
    EXPECT_EQ(s.commands[i].type, types[i]) << i;
    EXPECT_EQ(s.commands[i].line, i + 1) << i;
  }
  EXPECT_TRUE(s.commands[0].action);
  EXPECT_EQ(s.commands[0].text, "unreachable");
  EXPECT_FALSE(s.commands[1].action);
  EXPECT_TRUE(s.commands[1].module_bytes);
  EXPECT_EQ(s.commands[2].text, "call stack exhausted");
  EXPECT_TRUE(s.commands[3].module_bytes);  // encodes; the validator rejects it
  // The quoted text does not parse: the command carries the error, located in the quote.
  const SpecCommand& quoted = s.commands[4];
  EXPECT_EQ(quoted.type_name, "assert_malformed");
  EXPECT_EQ(quoted.text, "unknown operator");
  EXPECT_FALSE(quoted.module_bytes);
  ASSERT_TRUE(quoted.module_error);
  EXPECT_EQ(quoted.module_error->kind, ErrorKind::kMalformed);
  EXPECT_NE(quoted.module_error->message.find("s.wast:5:19: module quote:1:7: "), std::string::npos)
      << quoted.module_error->message;
  EXPECT_EQ(s.commands[5].module_bytes->bytes().size(), 4u);
  EXPECT_TRUE(s.commands[8].action);
}

// The runner on parsed commands: a text that does not parse passes an assert_malformed, compared
// with its message after the location; a text that parses fails it.
TEST(WastScript, MalformedTextRunsAsARejection) {
  SpecScript s = parse(
      "(assert_malformed (module quote \"(func i32.ad)\") \"unknown operator\")\n"
      "(assert_malformed (module quote \"(func)\") \"unknown operator\")\n");
  auto engine = make_validating_engine({});
  ScriptResult r = run_script(s, *engine, {}, "");
  EXPECT_EQ(r.passed, 1u);
  EXPECT_EQ(r.failed, 1u);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].line, 2u);
  EXPECT_TRUE(r.mismatches.empty()) << r.mismatches[0].detail;
}

// Wasm 3.0's result patterns: what keel can represent is matched; the rest names the feature the
// command needs, and the runner counts it as skipped under that name.
TEST(WastScript, Wasm3ReferencePatterns) {
  SpecScript s = parse(
      "(module (func (export \"f\") (result funcref) (ref.null func)))\n"
      "(assert_return (invoke \"f\") (ref.null))\n"
      "(assert_return (invoke \"f\") (ref.null nofunc))\n"
      "(assert_return (invoke \"f\") (ref.i31))\n"
      "(assert_return (invoke \"f\") (either (ref.struct) (ref.array)))\n"
      "(assert_return (invoke \"f\" (ref.host 1)) (ref.eq))\n"
      "(assert_return (invoke \"f\") (ref.null exn))\n"
      "(assert_return (invoke \"f\") (ref.null $t))\n"
      "(assert_return (invoke \"f\") (ref.null any) (ref.any) (ref.exn))\n");
  ASSERT_EQ(s.commands.size(), 9u);
  EXPECT_TRUE(result(s.commands[1]).any_ref_type);
  EXPECT_TRUE(result(s.commands[1]).needs.empty());
  EXPECT_EQ(result(s.commands[2]).type, ValType::kFuncRef);
  EXPECT_EQ(result(s.commands[3]).needs, "gc");
  EXPECT_EQ(s.commands[5].action->args.at(0).needs, "gc");
  EXPECT_EQ(result(s.commands[6]).needs, "exnref");
  EXPECT_EQ(result(s.commands[7]).needs, "function-references");
  EXPECT_EQ(result(s.commands[8], 2).needs, "exnref");
  // Only results may be patterns of a kind.
  EXPECT_FALSE(parse_wast_script("s.wast", "(invoke \"f\" (ref.i31))"));
  EXPECT_FALSE(parse_wast_script("s.wast", "(invoke \"f\" (ref.null))"));
  EXPECT_FALSE(parse_wast_script("s.wast", "(invoke \"f\" (ref.host))"));

  auto engine = make_executing_engine({}, runtime::Tier::kBaseline);
  ScriptResult r = run_script(s, *engine, {}, "");
  EXPECT_EQ(r.passed, 3u) << (r.failures.empty() ? "" : r.failures[0].detail);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.skipped_features["gc"], 4u);
  EXPECT_EQ(r.skipped_features["exnref"], 1u);
  EXPECT_EQ(r.skipped_features["function-references"], 1u);
  EXPECT_EQ(r.skipped(), 6u);
}

// A module using what keel does not decode yet is skipped under that feature, and so are the
// commands on it; a module keel takes runs as any other.
TEST(WastScript, ModulesNeedingAFeatureAreSkippedUnderIt) {
  SpecScript s = parse(
      "(module $s (type (struct)) (func (export \"f\") (result i32) (i32.const 1)))\n"
      "(assert_return (invoke \"f\") (i32.const 1))\n"
      "(assert_return (invoke $s \"f\") (i32.const 1))\n"
      "(module (func (export \"f\") (result i32) (i32.const 1)))\n"
      "(assert_return (invoke \"f\") (i32.const 1))\n");
  EXPECT_EQ(s.commands[0].module_needs, "gc");
  EXPECT_EQ(s.commands[3].module_needs, "");
  auto engine = make_executing_engine({}, runtime::Tier::kBaseline);
  ScriptResult r = run_script(s, *engine, {}, "");
  EXPECT_EQ(r.passed, 2u);
  EXPECT_EQ(r.failed, 0u) << (r.failures.empty() ? "" : r.failures[0].detail);
  EXPECT_EQ(r.skipped_features["gc"], 3u);
}

// assert_malformed_custom and assert_invalid_custom: a rejection passes as for the plain ones; a
// custom section keel does not interpret is accepted and counted as skipped, not failed.
TEST(WastScript, CustomAssertions) {
  SpecScript s = parse(
      "(assert_malformed_custom (module quote \"(@custom)\") \"@custom annotation\")\n"
      "(assert_invalid_custom (module (func)) \"invalid branch hint\")\n");
  ASSERT_EQ(s.commands.size(), 2u);
  EXPECT_EQ(s.commands[0].type, CommandType::kAssertMalformedCustom);
  EXPECT_EQ(s.commands[1].type, CommandType::kAssertInvalidCustom);
  auto engine = make_validating_engine({});
  ScriptResult r = run_script(s, *engine, {}, "");
  EXPECT_EQ(r.passed, 1u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(r.skipped_features["custom annotations"], 1u);
}

TEST(WastScript, ErrorsSayWhere) {
  EXPECT_EQ(parse_error("(module)\n  (assert_retrun (invoke \"f\"))").substr(0, 12),
            "s.wast:2:4: ");
  EXPECT_EQ(parse_error("(assert_return (invoke \"f\") (i32.const 0x1_0000_0000))").substr(0, 13),
            "s.wast:1:40: ");
  EXPECT_EQ(parse_error("(invoke \"f\"").substr(0, 13), "s.wast:1:12: ");
  EXPECT_EQ(parse_error("(register $m)").substr(0, 13), "s.wast:1:11: ");
  EXPECT_EQ(parse_error("(assert_trap (invoke \"f\"))").substr(0, 13), "s.wast:1:26: ");
}

}  // namespace
}  // namespace keel::spec

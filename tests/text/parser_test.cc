// The module parser and encoder: each abbreviation against its expanded form, exact bytes for
// the encodings wabt chooses, and errors with file:line:column.
#include "text/wat.h"

#include <gtest/gtest.h>

namespace keel::text {
namespace {

std::string encode(std::string_view source) {
  auto bytes = wat_to_wasm("t.wat", source);
  if (!bytes) return "error: " + bytes.error().message;
  return std::string(bytes->begin(), bytes->end());
}

std::string error_of(std::string_view source) {
  auto bytes = wat_to_wasm("t.wat", source);
  return bytes ? "" : bytes.error().message;
}

// The module's bytes after the 8-byte header.
std::string sections(std::string_view source) {
  std::string all = encode(source);
  return all.starts_with("error") ? all : all.substr(8);
}

#define EXPECT_SAME_MODULE(a, b)                 \
  do {                                           \
    std::string ea = encode(a);                  \
    EXPECT_FALSE(ea.starts_with("error")) << ea; \
    EXPECT_EQ(ea, encode(b));                    \
  } while (0)

TEST(ParserTest, EmptyModule) {
  EXPECT_EQ(encode("(module)"), std::string("\0asm\1\0\0\0", 8));
  EXPECT_EQ(encode(""), std::string("\0asm\1\0\0\0", 8));  // no fields at all
  EXPECT_EQ(encode("(module $m)"), std::string("\0asm\1\0\0\0", 8));
}

TEST(ParserTest, FunctionBytes) {
  // type (i32) -> i32, function 0, code: local.get 0, i32.const -1, i32.add
  EXPECT_EQ(sections("(module (func (param i32) (result i32) local.get 0 i32.const -1 i32.add))"),
            std::string("\x01\x06\x01\x60\x01\x7f\x01\x7f"
                        "\x03\x02\x01\x00"
                        "\x0a\x09\x01\x07\x00\x20\x00\x41\x7f\x6a\x0b",
                        23));
}

TEST(ParserTest, FoldedEqualsFlat) {
  EXPECT_SAME_MODULE("(func (result i32) (i32.add (i32.const 1) (i32.const 2)))",
                     "(func (result i32) i32.const 1 i32.const 2 i32.add)");
  EXPECT_SAME_MODULE("(func (param i32) (if (local.get 0) (then nop) (else unreachable)))",
                     "(func (param i32) local.get 0 if nop else unreachable end)");
  EXPECT_SAME_MODULE("(func (block $b (loop $l (br_if $l (i32.const 0)) (br $b))))",
                     "(func block $b loop $l i32.const 0 br_if 0 br 1 end end)");
}

TEST(ParserTest, NamedAndNumericIndices) {
  EXPECT_SAME_MODULE(
      "(func $f (param $x i32) (local $y i32) (local.set $y (local.get $x)) (call $f (i32.const "
      "0)))",
      "(func (param i32) (local i32) (local.set 1 (local.get 0)) (call 0 (i32.const 0)))");
  EXPECT_SAME_MODULE("(global $g (mut i32) (i32.const 0)) (func (global.set $g (i32.const 1)))",
                     "(global (mut i32) (i32.const 0)) (func (global.set 0 (i32.const 1)))");
  EXPECT_SAME_MODULE("(type $t (func)) (func (type $t))", "(type (func)) (func (type 0))");
  // Labels shadow: the inner $l is the nearer one.
  EXPECT_SAME_MODULE("(func (block $l (block $l (br $l))))", "(func (block (block (br 0))))");
}

TEST(ParserTest, InlineExportsAndImports) {
  EXPECT_SAME_MODULE("(func (export \"a\") (export \"b\"))",
                     "(func) (export \"a\" (func 0)) (export \"b\" (func 0))");
  EXPECT_SAME_MODULE("(func $f (import \"m\" \"f\") (param i32))",
                     "(import \"m\" \"f\" (func $f (param i32)))");
  EXPECT_SAME_MODULE("(memory (export \"m\") (import \"a\" \"b\") 1)",
                     "(import \"a\" \"b\" (memory 1)) (export \"m\" (memory 0))");
  EXPECT_SAME_MODULE("(global (import \"a\" \"b\") i32) (table (import \"a\" \"t\") 1 funcref)",
                     "(import \"a\" \"b\" (global i32)) (import \"a\" \"t\" (table 1 funcref))");
}

TEST(ParserTest, ImplicitTypes) {
  // The first matching type is reused; a new signature is appended after the explicit types,
  // even those defined later in the text.
  EXPECT_SAME_MODULE("(func (param i32)) (func (result f64)) (type (func (param i32)))",
                     "(type (func (param i32))) (type (func (result f64))) (func (type 0)) "
                     "(func (type 1))");
  EXPECT_SAME_MODULE("(func (type 0) (param i32)) (type (func (param i32)))",
                     "(type (func (param i32))) (func (type 0))");
  EXPECT_NE(error_of("(type (func (param i32))) (func (type 0) (param i64))"), "");
  // A block with parameters needs a type index; one result does not.
  EXPECT_SAME_MODULE("(func (param i32) (local.get 0) (block (param i32) (drop)))",
                     "(type (func (param i32))) (func (type 0) (local.get 0) (block (type 0) "
                     "(drop)))");
  std::string one_result = sections("(func (block (result i32) (i32.const 0)) drop)");
  EXPECT_NE(one_result.find("\x02\x7f\x41\x00\x0b"), std::string::npos);
  EXPECT_EQ(one_result.substr(0, 6), std::string("\x01\x04\x01\x60\x00\x00", 6));  // one type
}

TEST(ParserTest, CallIndirectTypeUse) {
  EXPECT_SAME_MODULE(
      "(table 1 funcref) (func (call_indirect (param i32) (i32.const 0) (i32.const 0)))",
      "(type (func)) (type (func (param i32))) (table 1 funcref) (func (type 0) "
      "(call_indirect 0 (type 1) (i32.const 0) (i32.const 0)))");
  EXPECT_NE(error_of("(table 1 funcref) (func (call_indirect (param $x i32) (i32.const 0)))"), "");
}

TEST(ParserTest, InlineSegments) {
  EXPECT_SAME_MODULE("(func $f) (table funcref (elem $f $f))",
                     "(func $f) (table 2 2 funcref) (elem (i32.const 0) $f $f)");
  EXPECT_SAME_MODULE("(memory (data \"ab\" \"c\"))", "(memory 1 1) (data (i32.const 0) \"abc\")");
  EXPECT_SAME_MODULE("(memory (data))", "(memory 0 0) (data (i32.const 0) \"\")");
  EXPECT_SAME_MODULE("(memory 1) (data (offset (i32.const 4)) \"x\")",
                     "(memory 1) (data (memory 0) (i32.const 4) \"x\")");
  EXPECT_SAME_MODULE("(table 1 funcref) (func) (elem (offset (i32.const 0)) func 0)",
                     "(table 1 funcref) (func) (elem (table 0) (i32.const 0) funcref (item "
                     "ref.func 0))");
}

TEST(ParserTest, ElemSegmentForms) {
  // Passive, funcref items that are all ref.func: written as function indices (flags 1).
  EXPECT_NE(sections("(func) (elem funcref (ref.func 0))")
                .find(std::string("\x09\x05\x01\x01\x00\x01\x00", 7)),
            std::string::npos);
  // A null among them: expressions (flags 5).
  EXPECT_EQ(sections("(elem funcref (ref.null func))"),
            std::string("\x09\x07\x01\x05\x70\x01\xd0\x70\x0b", 9));
  // Declarative (flags 3).
  EXPECT_NE(
      sections("(func) (elem declare func 0)").find(std::string("\x09\x05\x01\x03\x00\x01\x00", 7)),
      std::string::npos);
}

TEST(ParserTest, MemargAndLanes) {
  EXPECT_SAME_MODULE("(memory 1) (func (drop (i32.load offset=0 align=4 (i32.const 0))))",
                     "(memory 1) (func (drop (i32.load (i32.const 0))))");
  EXPECT_NE(error_of("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))"), "");
  EXPECT_NE(error_of("(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))"), "");
  // A lone number after a lane load is its lane; two numbers are memory and lane.
  EXPECT_SAME_MODULE(
      "(memory 1) (func (drop (v128.load8_lane 1 (i32.const 0) (v128.const i64x2 0 0))))",
      "(memory 1) (func (drop (v128.load8_lane 0 1 (i32.const 0) (v128.const i64x2 0 0))))");
}

TEST(ParserTest, ConstantsAreLittleEndian) {
  std::string body = sections("(func (result v128) (v128.const i16x8 1 2 3 4 5 6 7 -1))");
  EXPECT_NE(body.find(std::string("\xfd\x0c\x01\x00\x02\x00\x03\x00\x04\x00\x05\x00\x06\x00\x07"
                                  "\x00\xff\xff",
                                  18)),
            std::string::npos);
  EXPECT_SAME_MODULE("(func (result f32) (f32.const 0x1p-149))",
                     "(func (result f32) (f32.const 1.40129846e-45))");
}

TEST(ParserTest, BinaryAndQuoteModules) {
  EXPECT_EQ(encode("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")"),
            std::string("\0asm\1\0\0\0", 8));
  EXPECT_SAME_MODULE("(module quote \"(func (export \\\"f\\\"))\")",
                     "(module (func (export \"f\")))");
  EXPECT_EQ(error_of("\n  (module quote \"(func\" \" i32.ad)\")"),
            "t.wat:2:3: module quote:1:7: unknown operator \"i32.ad\"");
}

TEST(ParserTest, CustomAnnotation) {
  EXPECT_EQ(sections("(module (@custom \"n\" \"ab\"))"), std::string("\x00\x04\x01nab", 6));
  std::string placed = sections("(module (func) (@custom \"c\" (before func) \"\"))");
  EXPECT_EQ(placed.substr(0, 8), std::string("\x01\x04\x01\x60\x00\x00\x00\x02", 8));
  EXPECT_EQ(sections("(module (@other (anything \")\")) (func))"), sections("(module (func))"));
}

TEST(ParserTest, Wasm3RangesAreAnOption) {
  const char* big =
      "(memory 0x1_0000_0000) (func (drop (i32.load offset=0x1_0000_0000 (i32.const 0))))";
  EXPECT_NE(error_of(big), "");  // Wasm 2.0: malformed
  auto wide = wat_to_wasm("t.wat", big, {.u64_limits_and_offsets = true});
  ASSERT_TRUE(wide.ok()) << wide.error().message;  // Wasm 3.0: for the validator to reject
  EXPECT_EQ(sections("(memory i64 0x1_0000_0000)"),
            std::string("\x05\x07\x01\x04\x80\x80\x80\x80\x10", 9));
}

TEST(ParserTest, CustomPageSizes) {
  // Flag bit 3, then the page size's log2 after the limits.
  EXPECT_EQ(sections("(memory 0 (pagesize 1))"), std::string("\x05\x04\x01\x08\x00\x00", 6));
  EXPECT_EQ(sections("(memory 1 2 (pagesize 65536))"),
            std::string("\x05\x05\x01\x09\x01\x02\x10", 7));
  // Inline data counts pages of the custom size: 3 bytes, 3 pages of 1.
  EXPECT_EQ(sections("(memory (pagesize 1) (data \"xyz\"))").substr(0, 7),
            std::string("\x05\x05\x01\x09\x03\x03\x00", 7));
  EXPECT_NE(error_of("(memory 0 (pagesize 3))").find("invalid custom page size"),
            std::string::npos);
}

TEST(ParserTest, Wasm3Types) {
  EXPECT_EQ(sections("(type (struct)) (type (struct (field) (field $x (mut i8)) (field i32 f64)))"),
            std::string("\x01\x0b\x02\x5f\x00\x5f\x03\x78\x01\x7f\x00\x7c\x00", 13));
  EXPECT_EQ(sections("(rec (type $a (func)) (type (sub final $a (func))))"),
            std::string("\x01\x0c\x01\x4e\x02\x60\x00\x00\x4f\x01\x00\x60\x00\x00", 14));
  EXPECT_EQ(sections("(type $t (array (mut (ref null $t))))"),
            std::string("\x01\x05\x01\x5e\x63\x00\x01", 7));
  // A type inside a rec group is never reused by an inline type use.
  EXPECT_SAME_MODULE("(rec (type (func))) (func)",
                     "(rec (type (func))) (type (func)) (func (type 1))");
  EXPECT_SAME_MODULE("(module definition $m (func))", "(module (func))");
}

TEST(ParserTest, DeepNesting) {
  // Flat blocks nest without recursion, as deep as machine-written text needs.
  std::string flat = "(func";
  for (int i = 0; i < 50000; ++i) flat += " block";
  for (int i = 0; i < 50000; ++i) flat += " end";
  flat += ")";
  EXPECT_EQ(error_of(flat), "");
  // Folded ones are bounded instead of overflowing the stack.
  std::string folded = "(func";
  for (int i = 0; i < 5000; ++i) folded += " (block";
  for (int i = 0; i < 5000; ++i) folded += ")";
  folded += ")";
  EXPECT_NE(error_of(folded).find("nested too deeply"), std::string::npos);
}

TEST(ParserTest, FlatBlockStructure) {
  EXPECT_SAME_MODULE("(func (if (i32.const 0) (then) (else)))", "(func i32.const 0 if else end)");
  EXPECT_NE(error_of("(func block else end)"), "");
  EXPECT_NE(error_of("(func i32.const 0 if else else end)"), "");
  EXPECT_NE(error_of("(func block catch_all end)"), "");
  EXPECT_NE(error_of("(func block"), "");
  EXPECT_NE(error_of("(func end)"), "");
  EXPECT_NE(error_of("(tag) (func try catch 0 delegate 0)"), "");
  EXPECT_EQ(error_of("(tag) (func try catch 0 catch_all end try delegate 0)"), "");
}

// Every prefix of a module that uses most of the grammar is rejected cleanly, never read past
// its end (the sanitizer build checks the reads).
TEST(ParserTest, EveryPrefixFailsCleanly) {
  const std::string module =
      "(module $m (type $t (func (param i32) (result i32)))"
      " (import \"a\" \"b\" (func $i (type $t)))"
      " (func $f (export \"f\") (param $x i32) (result i32) (local f64)"
      "   (block $b (result i32) (br_if $b (local.get $x) (i32.const 1)))"
      "   (if (result i32) (local.get 0) (then (i32.const 1)) (else (call $i (i32.const 2)))))"
      " (table $tab 2 funcref) (elem (table $tab) (offset (i32.const 0)) func $f $i)"
      " (elem funcref (ref.null func) (item ref.func $f))"
      " (memory $mem 1 2) (data (memory $mem) (i32.const 8) \"x\\00\")"
      " (global $g (mut i64) (i64.const -1)) (start $f) (@custom \"c\" (after data) \"x\")"
      " (func (drop (v128.const f32x4 1 2 3 nan:0x1)) (drop (i32.load offset=4 align=2 (i32.const "
      "0)))))";
  ASSERT_EQ(error_of(module), "");
  for (size_t n = 0; n < module.size(); ++n) {
    std::string prefix = module.substr(0, n);
    if (prefix.find('(') == std::string::npos) continue;  // white space or nothing: a valid module
    EXPECT_NE(error_of(prefix), "") << prefix;
  }
}

uint32_t read_leb(const std::string& bytes, size_t& at) {
  uint32_t value = 0;
  for (unsigned shift = 0; at < bytes.size(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(bytes[at++]);
    value |= uint32_t(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return value;
}

// The code section's first body, after its size: locals, then instructions.
std::string body_of(std::string_view source) {
  std::string all = encode(source);
  size_t at = 8;
  while (at < all.size()) {
    uint8_t id = static_cast<uint8_t>(all[at++]);
    uint32_t size = read_leb(all, at);
    if (id == 10) {
      size_t body = at;
      read_leb(all, body);  // the count
      uint32_t body_size = read_leb(all, body);
      return all.substr(body, body_size);
    }
    at += size;
  }
  return "no code section: " + all;
}

TEST(ParserTest, Wasm3Instructions) {
  // Typed function references: call_ref names a type.
  EXPECT_EQ(body_of("(type $t (func)) (func (param (ref $t)) (call_ref $t (local.get 0)))"),
            std::string("\x00\x20\x00\x14\x00\x0b", 6));
  EXPECT_EQ(body_of("(func (param funcref) (drop (br_on_null 0 (local.get 0))))"),
            std::string("\x00\x20\x00\xd5\x00\x1a\x0b", 7));
  // Casts: a nullable target type takes the next opcode.
  EXPECT_EQ(body_of("(func (param anyref) (drop (ref.test (ref null any) (local.get 0))))"),
            std::string("\x00\x20\x00\xfb\x15\x6e\x1a\x0b", 8));
  EXPECT_EQ(body_of("(func (param anyref) (drop (ref.cast (ref i31) (local.get 0))))"),
            std::string("\x00\x20\x00\xfb\x16\x6c\x1a\x0b", 8));
  EXPECT_EQ(body_of("(func (param anyref) (result anyref) (br_on_cast 0 anyref (ref i31) "
                    "(local.get 0)))"),
            std::string("\x00\x20\x00\xfb\x18\x01\x00\x6e\x6c\x0b", 10));
  // Struct fields by name, array immediates.
  EXPECT_EQ(body_of("(type $s (struct (field $a i32) (field $b i64))) "
                    "(func (param (ref $s)) (drop (struct.get $s $b (local.get 0))))"),
            std::string("\x00\x20\x00\xfb\x02\x00\x01\x1a\x0b", 9));
  EXPECT_EQ(body_of("(type $a (array i8)) (func (drop (array.new_fixed $a 2 (i32.const 1) "
                    "(i32.const 2))))"),
            std::string("\x00\x41\x01\x41\x02\xfb\x08\x00\x02\x1a\x0b", 11));
  // try_table: the catch clauses' labels are outside it.
  EXPECT_EQ(body_of("(tag $e) (func (block $out (try_table (catch $e $out) (catch_all_ref 0) "
                    "(nop))))"),
            std::string("\x00\x02\x40\x1f\x40\x02\x00\x00\x00\x03\x00\x01\x0b\x0b\x0b", 15));
  EXPECT_SAME_MODULE("(tag) (func block try_table (catch_all 0) nop end end)",
                     "(tag) (func (block (try_table (catch_all 0) (nop))))");
  EXPECT_NE(error_of("(type $s (struct)) (func (struct.get $s $nope))"), "");
  EXPECT_EQ(error_of("(type (struct (field $x i32) (field $x i32)))"),
            "t.wat:1:37: duplicate field $x");
}

// The words the spec's assert_malformed expect, as the spec runner will match them.
TEST(ParserTest, ErrorsInTheSpecsWords) {
  auto says = [](std::string_view source, std::string_view words) {
    std::string error = error_of(source);
    EXPECT_NE(error.find(words), std::string::npos) << source << ": " << error;
  };
  says("(func (i32.const 0x))", "unknown operator");
  says("(func (i32.add.x))", "unknown operator");
  says("(func (local i32) (type 0))", "unexpected token");
  says("(type (func)) (func (block (type 0) (result i32) (param i32)))", "unexpected token");
  says("(memory 1) (func (drop (i32.load align=0x (i32.const 0))))", "unknown operator");
  says("(memory 1) (func (drop (i32.load align=3 (i32.const 0))))", "alignment");
  says("(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))", "i32 constant");
  says("(memory 0x1_0000_0000)", "i32 constant out of range");
  says("(func (drop (i8x16.extract_lane_s -1 (v128.const i64x2 0 0))))", "unexpected token");
  says("(func (drop (i8x16.extract_lane_s 256 (v128.const i64x2 0 0))))", "malformed lane index");
  says("(func (drop (v128.const i32x4 0 0)))", "wrong number of lane literals");
  says("(func (drop (v128.const i32x8 0 0)))", "invalid lane length");
  says("(global i32 (i32.const 0)) (import \"a\" \"b\" (func))", "import after global");
  says("(func (f32.const 1e39))", "constant out of range");
}

TEST(ParserTest, ErrorsNamePlace) {
  EXPECT_EQ(error_of("(module\n  (func\n    i32.ad))"), "t.wat:3:5: unknown operator \"i32.ad\"");
  EXPECT_EQ(error_of("(module (func (call $nope)))"), "t.wat:1:21: unknown function $nope");
  EXPECT_EQ(error_of("(func $f) (func $f)"), "t.wat:1:17: duplicate function $f");
  EXPECT_EQ(error_of("(func (i32.const 4294967296))"), "t.wat:1:18: constant out of range");
  EXPECT_EQ(error_of("(memory 1) (func (drop (i32.load offset=4294967296 (i32.const 0))))"),
            "t.wat:1:34: i32 constant out of range");
  EXPECT_EQ(error_of("(func) (import \"a\" \"b\" (func))"), "t.wat:1:9: import after function");
  EXPECT_EQ(error_of("(func block $a end $b)"), "t.wat:1:20: mismatching label");
  EXPECT_EQ(error_of("(func (export \"\\ff\"))"), "t.wat:1:15: malformed UTF-8 encoding");
  EXPECT_NE(error_of("(module (func)"), "");
  EXPECT_NE(error_of("(module) (module)"), "");
  EXPECT_NE(error_of("(func (local.get 0)"), "");
}

// The spec suite's words, at the start of the message, where its assert_malformed expect them.
TEST(ParserTest, LaneAndLiteralWording) {
  auto reason = [](std::string_view source) {
    std::string e = error_of(source);
    return e.substr(e.find(' ') + 1);  // after "t.wat:L:C: "
  };
  auto lanes = [](std::string_view lanes) {
    return "(func (result v128) (i8x16.shuffle " + std::string(lanes) +
           " (v128.const i64x2 0 0) (v128.const i64x2 0 0)))";
  };
  EXPECT_EQ(reason(lanes("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1")), "malformed lane index");
  EXPECT_EQ(reason(lanes("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14")), "invalid lane length");
  EXPECT_EQ(reason(lanes("0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16")), "invalid lane length");
  EXPECT_TRUE(reason("(func (drop (i8x16.extract_lane_s 1.5 (v128.const i64x2 0 0))))")
                  .starts_with("unexpected token"));
  EXPECT_EQ(reason("(func (drop (v128.const i32x4 1 1 1 1 1)))"), "wrong number of lane literals");
  EXPECT_TRUE(reason("(func (drop (f32.const nan:1)))").starts_with("unknown operator"));
  EXPECT_TRUE(
      reason("(func (drop (v128.const f32x4 nan:1 0 0 0)))").starts_with("unknown operator"));
  EXPECT_EQ(reason("(func (drop (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0)))"),
            "constant out of range");
  // An instruction after too few lanes still says so.
  EXPECT_EQ(reason("(func v128.const i32x4 0 0 drop)"), "wrong number of lane literals");
}

// --debug-names: the name section wabt writes (module, functions, every function's locals with a
// zero count for those without, then the other index spaces), byte for byte.
TEST(ParserTest, DebugNames) {
  auto named = [](std::string_view source) {
    auto bytes = wat_to_wasm("t.wat", source, {.debug_names = true});
    EXPECT_TRUE(bytes) << (bytes ? "" : bytes.error().message);
    return bytes ? std::string(bytes->begin(), bytes->end()).substr(8) : "";
  };
  EXPECT_EQ(named("(module $m)"), std::string("\0\x0c\x04name\0\x02\x01m\x02\x01\0", 14));
  std::string names(
      "\0\x15\x04name"
      "\x01\x04\x01\x01\x01g"  // function 1: g
      "\x02\x08\x02\0\x01\0\x01"
      "a\x01\0",  // locals: function 0: (0: a), function 1: none
      23);
  EXPECT_EQ(named("(module (func (param $a i32)) (func $g))"),
            sections("(module (func (param i32)) (func))") + names);
  // Without the option identifiers leave no trace.
  EXPECT_EQ(sections("(module $m (func $f (local $x i32)))"),
            sections("(module (func (local i32)))"));
}

// What a module uses beyond what keel decodes or executes, for the script layer to skip it by.
TEST(ParserTest, Wasm3Uses) {
  auto first = [](std::string_view source) {
    Wasm3Use used;
    auto bytes = wat_to_wasm("t.wat", source, {}, &used);
    EXPECT_TRUE(bytes) << (bytes ? "" : bytes.error().message);
    return std::string(used.first());
  };
  EXPECT_EQ(first("(module (func (result i32) (i32.const 1)) (table 1 funcref) (memory 1))"), "");
  EXPECT_EQ(first("(module (type (struct)))"), "gc");
  EXPECT_EQ(first("(module (global anyref (ref.null any)))"), "gc");
  EXPECT_EQ(first("(module (type $t (func)) (func (param (ref $t))))"), "function-references");
  EXPECT_EQ(first("(module (table 1 funcref (ref.null func)))"), "function-references");
  EXPECT_EQ(first("(module (func (param exnref)))"), "exnref");
  EXPECT_EQ(first("(module (table i64 1 funcref))"), "table64");
  EXPECT_EQ(first("(module (memory i64 1))"), "memory64");
  EXPECT_EQ(first("(module (tag))"), "exceptions");
  EXPECT_EQ(first("(module (memory 1) (memory 1))"), "multi-memory");
  EXPECT_EQ(first("(module (func return_call 0))"), "tail-call");
  // Relaxed SIMD runs at every tier: nothing to skip it by, though the use is recorded.
  Wasm3Use relaxed;
  ASSERT_TRUE(wat_to_wasm(
      "t.wat",
      "(module (func (param v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 0))))",
      {}, &relaxed));
  EXPECT_TRUE(relaxed.relaxed_simd);
  EXPECT_EQ(relaxed.first(), "");
  // keel decodes 64-bit memories, it does not run them at every tier yet.
  Wasm3Use memory64;
  ASSERT_TRUE(wat_to_wasm("t.wat", "(module (memory i64 1))", {}, &memory64));
  EXPECT_EQ(memory64.first_undecoded(), "");
  EXPECT_EQ(memory64.first(), "memory64");
}

}  // namespace
}  // namespace keel::text

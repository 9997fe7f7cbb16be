#include "decode/module_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/expect.h"
#include "support/wasm_builder.h"

namespace keel {
namespace {

using namespace keel::test;  // NOLINT: builder vocabulary

Result<Module> decode(const Bytes& bytes, const Features& features = {}) {
  return decode_module(buffer_of(bytes), features);
}

// Decoding fails as malformed, the message starts with the spec's text, and the error carries an
// offset inside the module.
::testing::AssertionResult Malformed(const Bytes& bytes, std::string_view message,
                                     const Features& features = {}) {
  Result<Module> r = decode(bytes, features);
  ::testing::AssertionResult check = FailedWith(r, ErrorKind::kMalformed, message);
  if (!check) return check << " for bytes " << hex(bytes);
  if (r.error().offset == kNoOffset || r.error().offset > bytes.size()) {
    return ::testing::AssertionFailure() << "error offset " << r.error().offset
                                         << " outside a module of " << bytes.size() << " bytes";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult MalformedAnyMessage(const Bytes& bytes, const Features& f = {}) {
  Result<Module> r = decode(bytes, f);
  if (r.ok()) return ::testing::AssertionFailure() << "expected malformed, got success";
  if (r.error().kind != ErrorKind::kMalformed)
    return ::testing::AssertionFailure() << "expected malformed, got " << r.error().to_string();
  if (r.error().offset == kNoOffset) return ::testing::AssertionFailure() << "no offset";
  return ::testing::AssertionSuccess();
}

std::string str(std::span<const uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}
Bytes bytes_of(std::span<const uint8_t> span) {
  return Bytes(span.begin(), span.end());
}

// ---- Header
// ---------------------------------------------------------------------------------------

TEST(DecodeHeader, EmptyModule) {
  Bytes bytes = header();
  auto buffer = buffer_of(bytes);
  Result<Module> r = decode_module(buffer);
  ASSERT_TRUE(Succeeded(r));
  const Module& m = *r;
  EXPECT_TRUE(m.types.empty());
  EXPECT_TRUE(m.imports.empty());
  EXPECT_TRUE(m.functions.empty());
  EXPECT_TRUE(m.tables.empty());
  EXPECT_TRUE(m.memories.empty());
  EXPECT_TRUE(m.globals.empty());
  EXPECT_TRUE(m.exports.empty());
  EXPECT_TRUE(m.elems.empty());
  EXPECT_TRUE(m.datas.empty());
  EXPECT_TRUE(m.customs.empty());
  EXPECT_FALSE(m.start.has_value());
  EXPECT_FALSE(m.data_count.has_value());
  // The module refers to the caller's buffer, not a copy.
  EXPECT_EQ(m.buffer, buffer);
  EXPECT_EQ(m.bytes().data(), buffer->bytes().data());
}

TEST(DecodeHeader, KeepsTheRequestedFeatures) {
  Result<Module> r = decode(header(), Features::all());
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(r->features.tail_call);
  EXPECT_TRUE(r->features.exceptions);
}

TEST(DecodeHeader, Truncated) {
  for (const Bytes& b : std::vector<Bytes>{{},
                                           {0x01},
                                           {0x00, 0x61, 0x73},
                                           {0x00, 0x61, 0x73, 0x6d},
                                           {0x00, 0x61, 0x73, 0x6d, 0x01},
                                           {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00}}) {
    Result<Module> r = decode(b);
    EXPECT_TRUE(FailedWith(r, ErrorKind::kMalformed, "unexpected end")) << hex(b);
    if (!r.ok()) {
      EXPECT_NE(r.error().offset, kNoOffset);
    }
  }
}

TEST(DecodeHeader, BadMagic) {
  for (const Bytes& b : std::vector<Bytes>{
           {0x6d, 0x73, 0x61, 0x00, 0x01, 0x00, 0x00, 0x00},                    // reversed
           {0x61, 0x00, 0x6d, 0x73, 0x00, 0x01, 0x00, 0x00},                    // middle-endian
           {0x00, 0x41, 0x53, 0x4d, 0x01, 0x00, 0x00, 0x00},                    // upper case
           {0x00, 0x81, 0xa2, 0x94, 0x01, 0x00, 0x00, 0x00},                    // EBCDIC
           {0xef, 0xbb, 0xbf, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00},  // UTF-8 BOM
           {0x77, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}}) {
    Result<Module> r = decode(b);
    EXPECT_TRUE(FailedWith(r, ErrorKind::kMalformed, "magic header not detected")) << hex(b);
    if (!r.ok()) {
      EXPECT_EQ(r.error().offset, 0u);
    }
  }
}

TEST(DecodeHeader, UnknownVersion) {
  for (const Bytes& b : std::vector<Bytes>{{0x00, 0x61, 0x73, 0x6d, 0x00, 0x00, 0x00, 0x00},
                                           {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x00, 0x00},
                                           {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00},
                                           {0x00, 0x61, 0x73, 0x6d, 0x00, 0x01, 0x00, 0x00},
                                           {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x01},
                                           {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x01, 0x00}}) {
    Result<Module> r = decode(b);
    EXPECT_TRUE(FailedWith(r, ErrorKind::kMalformed, "unknown binary version")) << hex(b);
    if (!r.ok()) {
      EXPECT_EQ(r.error().offset, 4u);
    }
  }
}

// ---- Sections in general
// ----------------------------------------------------------------------------

TEST(DecodeSections, MalformedSectionId) {
  EXPECT_TRUE(Malformed(module_bytes(cat(0x0d, 0x00)), "malformed section id"));
  EXPECT_TRUE(Malformed(module_bytes(cat(0x0e, 0x00)), "malformed section id"));
  EXPECT_TRUE(Malformed(module_bytes(cat(0x7f, 0x00)), "malformed section id"));
  EXPECT_TRUE(Malformed(module_bytes(cat(0x80, 0x00, 0x01, 0x00)), "malformed section id"));
  EXPECT_TRUE(Malformed(module_bytes(cat(0x81, 0x00, 0x01, 0x00)), "malformed section id"));
  EXPECT_TRUE(Malformed(module_bytes(cat(0xff, 0x00, 0x01, 0x00)), "malformed section id"));
  // After a valid section too; the error points at the id.
  Bytes b = module_bytes(section(SectionId::kType, {0x00}), cat(0x20, 0x00));
  Result<Module> r = decode(b);
  ASSERT_TRUE(FailedWith(r, ErrorKind::kMalformed, "malformed section id"));
  EXPECT_EQ(r.error().offset, 11u);
}

TEST(DecodeSections, TagSectionIdNeedsExceptions) {
  Bytes b = module_bytes(section(SectionId::kTag, {0x00}));
  EXPECT_TRUE(Malformed(b, "malformed section id"));
  EXPECT_TRUE(Succeeded(decode(b, Features::all())));
}

TEST(DecodeSections, SectionSizeMismatch) {
  // One type declared, two given.
  EXPECT_TRUE(
      Malformed(module_bytes(section(SectionId::kType, {0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00})),
                "section size mismatch"));
  // One global declared, two given.
  EXPECT_TRUE(
      Malformed(module_bytes(section(SectionId::kGlobal, cat(0x01, 0x7f, 0x00, expr(i32_const(0)),
                                                             0x7f, 0x00, expr(i32_const(0))))),
                "section size mismatch"));
  // A start section with a byte to spare.
  WasmBuilder b;
  b.func(b.type({}, {}), {});
  b.raw_section(section(SectionId::kStart, {0x00, 0x00}), SectionId::kExport);
  EXPECT_TRUE(Malformed(b.build(), "section size mismatch"));
  // A data segment shorter than its section.
  EXPECT_TRUE(Malformed(
      module_bytes(section(SectionId::kMemory, {0x01, 0x00, 0x01}),
                   section(SectionId::kData, cat(0x01, 0x00, expr(i32_const(0)), 0x05, "abcdef"))),
      "section size mismatch"));
}

TEST(DecodeSections, UnexpectedEndOfSection) {
  const char* kEnd = "unexpected end of section or function";
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kTable, {0x01})), kEnd));
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kMemory, {0x01})), kEnd));
  EXPECT_TRUE(Malformed(
      module_bytes(section(SectionId::kGlobal, cat(0x02, 0x7f, 0x00, expr(i32_const(0))))), kEnd));
  // Two imports declared, one given.
  EXPECT_TRUE(Malformed(
      module_bytes(
          section(SectionId::kType, {0x01, 0x60, 0x01, 0x7f, 0x00}),
          section(SectionId::kImport, cat(0x02, name("spectest"), name("print_i32"), 0x00, 0x00))),
      kEnd));
  // A data segment claiming 7 bytes where the section has 6.
  EXPECT_TRUE(Malformed(
      module_bytes(section(SectionId::kMemory, {0x01, 0x00, 0x01}),
                   section(SectionId::kData, cat(0x01, 0x00, expr(i32_const(3)), 0x07, "abcdef"))),
      kEnd));
  // A section ending inside a LEB128.
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kMemory, {0x01, 0x00, 0x80})), kEnd));
}

TEST(DecodeSections, LengthOutOfBounds) {
  // A section longer than the module.
  EXPECT_TRUE(
      Malformed(module_bytes(cat(0x01, 0x07, 0x02, 0x60, 0x00, 0x00)), "length out of bounds"));
  EXPECT_TRUE(
      Malformed(module_bytes(cat(0x00, 0x26, 0x10, "a custom section", "this is the payload")),
                "length out of bounds"));
  // Two modules concatenated: the second header reads as a custom section of size 0x61.
  EXPECT_TRUE(Malformed(cat(header(), header()), "length out of bounds"));
}

TEST(DecodeSections, OutOfOrderOrDuplicateSections) {
  const char* kAfterLast = "unexpected content after last section";
  Bytes type = section(SectionId::kType, {0x01, 0x60, 0x00, 0x00});
  Bytes func = section(SectionId::kFunction, {0x01, 0x00});
  Bytes code = section(SectionId::kCode, {0x01, 0x02, 0x00, 0x0b});
  Bytes start = section(SectionId::kStart, {0x00});
  Bytes memory = section(SectionId::kMemory, {0x01, 0x00, 0x01});
  Bytes global = section(SectionId::kGlobal, cat(0x01, 0x7f, 0x00, expr(i32_const(0))));

  EXPECT_TRUE(Succeeded(decode(module_bytes(type, func, start, code))));
  EXPECT_TRUE(Malformed(module_bytes(type, func, start, start, code), kAfterLast));
  EXPECT_TRUE(Malformed(module_bytes(type, type), kAfterLast));
  EXPECT_TRUE(Malformed(module_bytes(func, type, code), kAfterLast));
  EXPECT_TRUE(Malformed(module_bytes(global, memory), kAfterLast));
  EXPECT_TRUE(Malformed(module_bytes(type, func, code, start), kAfterLast));
  // The data count section goes between element and code.
  EXPECT_TRUE(Malformed(module_bytes(type, func, code, section(SectionId::kDataCount, {0x00})),
                        kAfterLast));
  EXPECT_TRUE(Malformed(
      module_bytes(section(SectionId::kData, {0x00}), section(SectionId::kDataCount, {0x00})),
      kAfterLast));
  EXPECT_TRUE(Succeeded(decode(
      module_bytes(section(SectionId::kDataCount, {0x00}), section(SectionId::kData, {0x00})))));
  // Custom sections may go anywhere, and do not reset the order.
  EXPECT_TRUE(
      Succeeded(decode(module_bytes(custom_section("a", {}), type, custom_section("b", {}), func,
                                    custom_section("c", {}), code, custom_section("d", {})))));
  EXPECT_TRUE(Malformed(module_bytes(type, custom_section("x", {}), type), kAfterLast));
}

TEST(DecodeSections, OverlongLebsAreLegal) {
  // From binary-leb128.wast: padded encodings within the maximum length decode normally.
  Result<Module> mem =
      decode(module_bytes(cat(0x05, 0x09, 0x01, 0x01, 0x82, 0x00, 0x82, 0x80, 0x80, 0x80, 0x00)));
  ASSERT_TRUE(Succeeded(mem));
  EXPECT_EQ(mem->memories[0].type.limits.min, 2u);
  EXPECT_EQ(mem->memories[0].type.limits.max, std::optional<uint64_t>(2));

  Result<Module> data =
      decode(module_bytes(cat(0x05, 0x03, 0x01, 0x00, 0x00),
                          cat(0x0b, 0x07, 0x01, 0x80, 0x00, 0x41, 0x00, 0x0b, 0x00)));
  ASSERT_TRUE(Succeeded(data));
  EXPECT_EQ(data->datas[0].mode, SegmentMode::kActive);

  Result<Module> elem =
      decode(module_bytes(cat(0x04, 0x04, 0x01, 0x70, 0x00, 0x00),
                          cat(0x09, 0x09, 0x01, 0x02, 0x80, 0x00, 0x41, 0x00, 0x0b, 0x00, 0x00)));
  ASSERT_TRUE(Succeeded(elem));
  EXPECT_EQ(elem->elems[0].table_index, 0u);

  Result<Module> custom = decode(module_bytes(cat(0x00, 0x8a, 0x00, 0x01, "1", "23456789")));
  ASSERT_TRUE(Succeeded(custom));
  ASSERT_EQ(custom->customs.size(), 1u);
  EXPECT_EQ(custom->customs[0].name, "1");
  EXPECT_EQ(str(custom->bytes(custom->customs[0].contents)), "23456789");

  Result<Module> type =
      decode(module_bytes(cat(0x01, 0x08, 0x01, 0x60, 0x82, 0x00, 0x7f, 0x7e, 0x01, 0x7f)));
  ASSERT_TRUE(Succeeded(type));
  EXPECT_EQ(type->types[0], (FuncType{{ValType::kI32, ValType::kI64}, {ValType::kI32}}));

  // A section size padded to five bytes.
  Result<Module> padded = decode(module_bytes(cat(0x01, u32_padded(4, 5), 0x01, 0x60, 0x00, 0x00)));
  ASSERT_TRUE(Succeeded(padded));
  EXPECT_EQ(padded->types.size(), 1u);
}

TEST(DecodeSections, LebErrorsInsideSections) {
  // Memory minimum 2 with unused bits set.
  EXPECT_TRUE(Malformed(module_bytes(cat(0x05, 0x07, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70)),
                        "integer too large"));
  // A type count in six bytes.
  EXPECT_TRUE(
      Malformed(module_bytes(cat(0x01, 0x09, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x60, 0x00, 0x00)),
                "integer representation too long"));
  // A section size in six bytes.
  EXPECT_TRUE(Malformed(module_bytes(cat(0x01, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00)),
                        "integer representation too long"));
}

// ---- Type section
// -----------------------------------------------------------------------------------

TEST(DecodeTypes, FunctionTypes) {
  WasmBuilder b;
  b.type({}, {});
  b.type({ValType::kI32, ValType::kI64}, {ValType::kF32});
  b.type({ValType::kF64, ValType::kV128, ValType::kFuncRef, ValType::kExternRef},
         {ValType::kI32, ValType::kI64});
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  ASSERT_EQ(r->types.size(), 3u);
  EXPECT_EQ(r->types[0], (FuncType{}));
  EXPECT_EQ(r->types[1], (FuncType{{ValType::kI32, ValType::kI64}, {ValType::kF32}}));
  EXPECT_EQ(r->types[2],
            (FuncType{{ValType::kF64, ValType::kV128, ValType::kFuncRef, ValType::kExternRef},
                      {ValType::kI32, ValType::kI64}}));
}

TEST(DecodeTypes, MalformedTypes) {
  // Not a function type (form 0x61).
  EXPECT_TRUE(
      MalformedAnyMessage(module_bytes(section(SectionId::kType, {0x01, 0x61, 0x00, 0x00}))));
  // Not a value type.
  EXPECT_TRUE(
      MalformedAnyMessage(module_bytes(section(SectionId::kType, {0x01, 0x60, 0x01, 0x7a, 0x00}))));
  EXPECT_TRUE(
      MalformedAnyMessage(module_bytes(section(SectionId::kType, {0x01, 0x60, 0x00, 0x01, 0x40}))));
  // v128 needs SIMD.
  Features no_simd;
  no_simd.simd = false;
  Bytes v128 = module_bytes(section(SectionId::kType, {0x01, 0x60, 0x01, 0x7b, 0x00}));
  EXPECT_TRUE(Succeeded(decode(v128)));
  EXPECT_TRUE(MalformedAnyMessage(v128, no_simd));
  // A type count larger than the section.
  EXPECT_TRUE(
      MalformedAnyMessage(module_bytes(section(SectionId::kType, {0x05, 0x60, 0x00, 0x00}))));
}

// ---- Import section
// ---------------------------------------------------------------------------------

TEST(DecodeImports, EachKindGetsItsOwnIndexSpace) {
  WasmBuilder b;
  uint32_t t = b.type({ValType::kI32}, {});
  EXPECT_EQ(b.import_func("env", "f", t), 0u);
  EXPECT_EQ(b.import_global("env", "g", ValType::kI64, true), 0u);
  EXPECT_EQ(b.import_func("env", "h", t), 1u);
  EXPECT_EQ(b.import_memory("env", "mem", 1, 2), 0u);
  EXPECT_EQ(b.import_table("env", "tab", ValType::kExternRef, 0, 10), 0u);
  EXPECT_EQ(b.import_global("env", "k", ValType::kF32, false), 1u);
  b.func(t, {});
  b.global(ValType::kI32, false, expr(i32_const(7)));
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  const Module& m = *r;

  ASSERT_EQ(m.imports.size(), 6u);
  EXPECT_EQ(m.imports[0].module, "env");
  EXPECT_EQ(m.imports[0].name, "f");
  EXPECT_EQ(m.imports[0].kind, ExternKind::kFunc);
  EXPECT_EQ(m.imports[0].index, 0u);
  EXPECT_EQ(m.imports[1].kind, ExternKind::kGlobal);
  EXPECT_EQ(m.imports[1].index, 0u);
  EXPECT_EQ(m.imports[2].name, "h");
  EXPECT_EQ(m.imports[2].kind, ExternKind::kFunc);
  EXPECT_EQ(m.imports[2].index, 1u);
  EXPECT_EQ(m.imports[3].kind, ExternKind::kMemory);
  EXPECT_EQ(m.imports[3].index, 0u);
  EXPECT_EQ(m.imports[4].kind, ExternKind::kTable);
  EXPECT_EQ(m.imports[4].index, 0u);
  EXPECT_EQ(m.imports[5].name, "k");
  EXPECT_EQ(m.imports[5].kind, ExternKind::kGlobal);
  EXPECT_EQ(m.imports[5].index, 1u);

  EXPECT_EQ(m.num_imported_functions, 2u);
  EXPECT_EQ(m.num_imported_globals, 2u);
  EXPECT_EQ(m.num_imported_memories, 1u);
  EXPECT_EQ(m.num_imported_tables, 1u);

  ASSERT_EQ(m.functions.size(), 3u);
  EXPECT_TRUE(m.functions[0].imported);
  EXPECT_TRUE(m.functions[1].imported);
  EXPECT_FALSE(m.functions[2].imported);
  EXPECT_EQ(m.functions[1].type_index, t);

  ASSERT_EQ(m.globals.size(), 3u);
  EXPECT_TRUE(m.globals[0].imported);
  EXPECT_EQ(m.globals[0].type.type, ValType::kI64);
  EXPECT_TRUE(m.globals[0].type.is_mutable);
  EXPECT_TRUE(m.globals[1].imported);
  EXPECT_EQ(m.globals[1].type.type, ValType::kF32);
  EXPECT_FALSE(m.globals[1].type.is_mutable);
  EXPECT_FALSE(m.globals[2].imported);

  ASSERT_EQ(m.memories.size(), 1u);
  EXPECT_TRUE(m.memories[0].imported);
  EXPECT_EQ(m.memories[0].type.limits.min, 1u);
  EXPECT_EQ(m.memories[0].type.limits.max, std::optional<uint64_t>(2));

  ASSERT_EQ(m.tables.size(), 1u);
  EXPECT_TRUE(m.tables[0].imported);
  EXPECT_EQ(m.tables[0].type.element, ValType::kExternRef);
  EXPECT_EQ(m.tables[0].type.limits.max, std::optional<uint64_t>(10));
}

TEST(DecodeImports, MalformedImportKind) {
  for (const Bytes& tail :
       std::vector<Bytes>{{0x04}, {0x04, 0x00}, {0x05}, {0x05, 0x00}, {0x80}, {0x80, 0x00}}) {
    Bytes b = module_bytes(section(SectionId::kImport, cat(0x01, 0x00, 0x00, tail)));
    EXPECT_TRUE(Malformed(b, "malformed import kind"));
  }
}

TEST(DecodeImports, MalformedMutability) {
  for (uint8_t mut : {0x02, 0xff}) {
    Bytes b = module_bytes(section(
        SectionId::kImport, cat(0x01, name("spectest"), name("global_i32"), 0x03, 0x7f, mut)));
    EXPECT_TRUE(Malformed(b, "malformed mutability"));
  }
}

TEST(DecodeImports, NamesMustBeUtf8) {
  WasmBuilder b;
  b.import_memory("\x80", "m", 1);
  EXPECT_TRUE(Malformed(b.build(), "malformed UTF-8 encoding"));
  WasmBuilder c;
  c.import_memory("m", "\xed\xa0\x80", 1);  // a surrogate
  EXPECT_TRUE(Malformed(c.build(), "malformed UTF-8 encoding"));
  WasmBuilder d;
  d.import_memory("\xe2\x82\xac", "\xf0\x9f\x98\x80", 1);
  Result<Module> r = decode(d.build());
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(r->imports[0].module, "\xe2\x82\xac");
  EXPECT_EQ(r->imports[0].name, "\xf0\x9f\x98\x80");
}

// ---- Function and code sections
// ---------------------------------------------------------------------

TEST(DecodeFunctions, BodiesAreRangesOfTheModule) {
  WasmBuilder b;
  uint32_t t0 = b.type({}, {});
  uint32_t t1 = b.type({ValType::kI32}, {ValType::kI32});
  b.import_func("env", "imported", t0);
  b.func(t1, local_get(0), {{2, ValType::kI64}, {1, ValType::kF32}});
  b.func(t0, {op::kNop});
  Bytes bytes = b.build();
  Result<Module> r = decode(bytes);
  ASSERT_TRUE(Succeeded(r));
  const Module& m = *r;
  ASSERT_EQ(m.functions.size(), 3u);
  EXPECT_TRUE(m.functions[0].imported);
  EXPECT_EQ(m.functions[0].body.size, 0u);
  EXPECT_EQ(m.functions[1].type_index, t1);
  EXPECT_FALSE(m.functions[1].imported);
  EXPECT_EQ(bytes_of(m.bytes(m.functions[1].body)),
            (Bytes{0x02, 0x02, 0x7e, 0x01, 0x7d, 0x20, 0x00, 0x0b}));
  EXPECT_EQ(m.functions[2].type_index, t0);
  EXPECT_EQ(bytes_of(m.bytes(m.functions[2].body)), (Bytes{0x00, 0x01, 0x0b}));
  EXPECT_EQ(m.function_type(1), (FuncType{{ValType::kI32}, {ValType::kI32}}));
  // Body ranges lie inside the code section, which is the last section here.
  EXPECT_GT(m.functions[2].body.offset, m.functions[1].body.offset);
  EXPECT_EQ(m.functions[2].body.offset + m.functions[2].body.size, bytes.size());
  // The code section's contents: count, then (size, body) pairs.
  EXPECT_EQ(m.code_section.size, 1u + 1 + 8 + 1 + 3);
  EXPECT_EQ(m.code_section.offset + m.code_section.size, bytes.size());
}

TEST(DecodeFunctions, FunctionAndCodeCountsMustAgree) {
  const char* kInconsistent = "function and code section have inconsistent lengths";
  Bytes type = section(SectionId::kType, {0x01, 0x60, 0x00, 0x00});
  EXPECT_TRUE(Malformed(module_bytes(type, section(SectionId::kFunction, {0x02, 0x00, 0x00})),
                        kInconsistent));
  EXPECT_TRUE(
      Malformed(module_bytes(section(SectionId::kCode, {0x01, 0x02, 0x00, 0x0b})), kInconsistent));
  EXPECT_TRUE(Malformed(module_bytes(type, section(SectionId::kFunction, {0x02, 0x00, 0x00}),
                                     section(SectionId::kCode, {0x01, 0x02, 0x00, 0x0b})),
                        kInconsistent));
  EXPECT_TRUE(
      Malformed(module_bytes(type, section(SectionId::kFunction, {0x01, 0x00}),
                             section(SectionId::kCode, {0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b})),
                kInconsistent));
  // Empty function and code sections are fine, as is a lone empty code section.
  EXPECT_TRUE(Succeeded(decode(
      module_bytes(section(SectionId::kFunction, {0x00}), section(SectionId::kCode, {0x00})))));
  EXPECT_TRUE(Succeeded(decode(module_bytes(section(SectionId::kCode, {0x00})))));
}

TEST(DecodeFunctions, BodySizeBeyondSection) {
  Bytes b = module_bytes(section(SectionId::kType, {0x01, 0x60, 0x00, 0x00}),
                         section(SectionId::kFunction, {0x01, 0x00}),
                         section(SectionId::kCode, {0x01, 0x05, 0x00, 0x0b}));
  EXPECT_TRUE(MalformedAnyMessage(b));
}

// ---- Table, memory, global sections
// -------------------------------------------------------------------

TEST(DecodeTables, TableTypes) {
  WasmBuilder b;
  b.table(ValType::kFuncRef, 1);
  b.table(ValType::kExternRef, 0, 5);
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  ASSERT_EQ(r->tables.size(), 2u);
  EXPECT_FALSE(r->tables[0].imported);
  EXPECT_EQ(r->tables[0].type.element, ValType::kFuncRef);
  EXPECT_EQ(r->tables[0].type.limits.min, 1u);
  EXPECT_FALSE(r->tables[0].type.limits.max.has_value());
  EXPECT_EQ(r->tables[1].type.element, ValType::kExternRef);
  EXPECT_EQ(r->tables[1].type.limits.min, 0u);
  EXPECT_EQ(r->tables[1].type.limits.max, std::optional<uint64_t>(5));
  EXPECT_EQ(r->num_imported_tables, 0u);
}

TEST(DecodeTables, MalformedTables) {
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kTable, {0x01, 0x7f, 0x00, 0x00})),
                        "malformed reference type"));
  EXPECT_TRUE(
      Malformed(module_bytes(section(SectionId::kTable, {0x01, 0x70, 0x02})), "integer too large"));
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kTable, {0x01, 0x70, 0x02, 0x00})),
                        "integer too large"));
  EXPECT_TRUE(
      Malformed(module_bytes(section(SectionId::kTable, {0x01, 0x70, 0x81, 0x00, 0x00, 0x00})),
                "integer representation too long"));
}

TEST(DecodeMemories, Limits) {
  WasmBuilder b;
  b.memory(1, 2);
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  ASSERT_EQ(r->memories.size(), 1u);
  EXPECT_FALSE(r->memories[0].imported);
  EXPECT_EQ(r->memories[0].type.limits.min, 1u);
  EXPECT_EQ(r->memories[0].type.limits.max, std::optional<uint64_t>(2));
  EXPECT_FALSE(r->memories[0].type.limits.shared);
  EXPECT_FALSE(r->memories[0].type.limits.is64);

  // Sizes are checked by validation, not decoding.
  WasmBuilder big;
  big.memory(65537, 0xffffffff);
  Result<Module> rb = decode(big.build());
  ASSERT_TRUE(Succeeded(rb));
  EXPECT_EQ(rb->memories[0].type.limits.min, 65537u);
  EXPECT_EQ(rb->memories[0].type.limits.max, std::optional<uint64_t>(0xffffffff));

  WasmBuilder none;
  none.memory(0);
  Result<Module> rn = decode(none.build());
  ASSERT_TRUE(Succeeded(rn));
  EXPECT_FALSE(rn->memories[0].type.limits.max.has_value());
}

TEST(DecodeMemories, MalformedLimitsFlags) {
  EXPECT_TRUE(
      Malformed(module_bytes(section(SectionId::kMemory, {0x01, 0x02})), "integer too large"));
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kMemory, {0x01, 0x02, 0x00})),
                        "integer too large"));
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kMemory, {0x01, 0x81, 0x00, 0x00, 0x00})),
                        "integer representation too long"));
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kMemory, {0x01, 0x81, 0x01, 0x00, 0x00})),
                        "integer representation too long"));
}

TEST(DecodeGlobals, TypesAndInitialisers) {
  WasmBuilder b;
  b.import_global("env", "g", ValType::kI32, false);
  b.global(ValType::kI32, false, expr(i32_const(42)));
  b.global(ValType::kF64, true, expr(f64_const()));
  b.global(ValType::kFuncRef, false, expr(ref_null(ValType::kFuncRef)));
  b.global(ValType::kI32, true, expr(global_get(0)));
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  const Module& m = *r;
  ASSERT_EQ(m.globals.size(), 5u);
  EXPECT_TRUE(m.globals[0].imported);
  EXPECT_EQ(m.globals[0].init.bytes.size, 0u);
  EXPECT_FALSE(m.globals[1].imported);
  EXPECT_EQ(m.globals[1].type.type, ValType::kI32);
  EXPECT_FALSE(m.globals[1].type.is_mutable);
  EXPECT_EQ(bytes_of(m.bytes(m.globals[1].init.bytes)), (Bytes{0x41, 0x2a, 0x0b}));
  EXPECT_EQ(m.globals[2].type.type, ValType::kF64);
  EXPECT_TRUE(m.globals[2].type.is_mutable);
  EXPECT_EQ(bytes_of(m.bytes(m.globals[2].init.bytes)), expr(f64_const()));
  EXPECT_EQ(m.globals[3].type.type, ValType::kFuncRef);
  EXPECT_EQ(bytes_of(m.bytes(m.globals[3].init.bytes)), (Bytes{0xd0, 0x70, 0x0b}));
  EXPECT_EQ(bytes_of(m.bytes(m.globals[4].init.bytes)), (Bytes{0x23, 0x00, 0x0b}));
}

TEST(DecodeGlobals, MalformedMutability) {
  for (uint8_t mut : {0x02, 0xff}) {
    EXPECT_TRUE(Malformed(
        module_bytes(section(SectionId::kGlobal, cat(0x01, 0x7f, mut, expr(i32_const(0))))),
        "malformed mutability"));
  }
}

TEST(DecodeGlobals, InitialiserWithoutEnd) {
  // The constant expression runs off the end of the section.
  EXPECT_TRUE(MalformedAnyMessage(
      module_bytes(section(SectionId::kGlobal, cat(0x01, 0x7f, 0x00, i32_const(0))))));
}

// ---- Export and start sections
// --------------------------------------------------------------------------

TEST(DecodeExports, AllKinds) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, {});
  b.func(t, {});
  b.table(ValType::kFuncRef, 1);
  b.memory(1);
  b.global(ValType::kI32, false, expr(i32_const(0)));
  b.export_("f", ExternKind::kFunc, 1);
  b.export_("tab", ExternKind::kTable, 0);
  b.export_("mem", ExternKind::kMemory, 0);
  b.export_("\xe2\x82\xac", ExternKind::kGlobal, 0);
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  ASSERT_EQ(r->exports.size(), 4u);
  EXPECT_EQ(r->exports[0].name, "f");
  EXPECT_EQ(r->exports[0].kind, ExternKind::kFunc);
  EXPECT_EQ(r->exports[0].index, 1u);
  EXPECT_EQ(r->exports[1].name, "tab");
  EXPECT_EQ(r->exports[1].kind, ExternKind::kTable);
  EXPECT_EQ(r->exports[2].name, "mem");
  EXPECT_EQ(r->exports[2].kind, ExternKind::kMemory);
  EXPECT_EQ(r->exports[3].name, "\xe2\x82\xac");
  EXPECT_EQ(r->exports[3].kind, ExternKind::kGlobal);
}

TEST(DecodeExports, Malformed) {
  EXPECT_TRUE(
      Malformed(module_bytes(section(SectionId::kExport, cat(0x01, name("\xc0\x80"), 0x00, 0x00))),
                "malformed UTF-8 encoding"));
  // Export kind 4 (tag) needs exceptions; 5 never exists.
  EXPECT_TRUE(MalformedAnyMessage(
      module_bytes(section(SectionId::kExport, cat(0x01, name("x"), 0x05, 0x00)))));
  EXPECT_TRUE(MalformedAnyMessage(
      module_bytes(section(SectionId::kExport, cat(0x01, name("x"), 0x04, 0x00)))));
}

TEST(DecodeStart, StartFunction) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, {});
  b.func(t, {});
  b.start(1);
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(r->start, std::optional<uint32_t>(1));
}

// ---- Element section
// ------------------------------------------------------------------------------------

TEST(DecodeElems, AllEightEncodings) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, {});
  b.func(t, {});
  b.func(t, {});
  b.table(ValType::kFuncRef, 10);
  b.table(ValType::kFuncRef, 10);
  Bytes e0 = cat(0x00, expr(i32_const(1)), vec_u32({0, 1}));
  Bytes e1 = cat(0x01, 0x00, vec_u32({2}));
  Bytes e2 = cat(0x02, u32(1), expr(i32_const(2)), 0x00, vec_u32({1, 2}));
  Bytes e3 = cat(0x03, 0x00, vec_u32({0}));
  Bytes e4 =
      cat(0x04, expr(i32_const(3)), vec({expr(ref_func(0)), expr(ref_null(ValType::kFuncRef))}));
  Bytes e5 = cat(0x05, ValType::kExternRef, vec({expr(ref_null(ValType::kExternRef))}));
  Bytes e6 = cat(0x06, u32(1), expr(i32_const(4)), ValType::kFuncRef, vec({expr(ref_func(2))}));
  Bytes e7 = cat(0x07, ValType::kFuncRef, vec({expr(ref_func(1)), expr(ref_func(0))}));
  for (const Bytes& e : {e0, e1, e2, e3, e4, e5, e6, e7}) b.elem_raw(e);
  Bytes bytes = b.build();
  Result<Module> r = decode(bytes);
  ASSERT_TRUE(Succeeded(r));
  const Module& m = *r;
  ASSERT_EQ(m.elems.size(), 8u);

  for (uint32_t i = 0; i < 8; ++i) {
    SCOPED_TRACE(i);
    ASSERT_LT(m.elems[i].section_offset, bytes.size());
    EXPECT_EQ(bytes[m.elems[i].section_offset], i);  // the segment starts at its flags
    EXPECT_EQ(m.elems[i].uses_expressions, i >= 4);
  }

  const ElemSegment& s0 = m.elems[0];
  EXPECT_EQ(s0.mode, SegmentMode::kActive);
  EXPECT_EQ(s0.table_index, 0u);
  EXPECT_EQ(s0.element_type, ValType::kFuncRef);
  EXPECT_EQ(bytes_of(m.bytes(s0.offset.bytes)), expr(i32_const(1)));
  EXPECT_EQ(s0.functions, (std::vector<uint32_t>{0, 1}));

  const ElemSegment& s1 = m.elems[1];
  EXPECT_EQ(s1.mode, SegmentMode::kPassive);
  EXPECT_EQ(s1.element_type, ValType::kFuncRef);
  EXPECT_EQ(s1.functions, (std::vector<uint32_t>{2}));

  const ElemSegment& s2 = m.elems[2];
  EXPECT_EQ(s2.mode, SegmentMode::kActive);
  EXPECT_EQ(s2.table_index, 1u);
  EXPECT_EQ(bytes_of(m.bytes(s2.offset.bytes)), expr(i32_const(2)));
  EXPECT_EQ(s2.functions, (std::vector<uint32_t>{1, 2}));

  const ElemSegment& s3 = m.elems[3];
  EXPECT_EQ(s3.mode, SegmentMode::kDeclarative);
  EXPECT_EQ(s3.functions, (std::vector<uint32_t>{0}));

  const ElemSegment& s4 = m.elems[4];
  EXPECT_EQ(s4.mode, SegmentMode::kActive);
  EXPECT_EQ(s4.table_index, 0u);
  EXPECT_EQ(s4.element_type, ValType::kFuncRef);
  EXPECT_EQ(bytes_of(m.bytes(s4.offset.bytes)), expr(i32_const(3)));
  ASSERT_EQ(s4.expressions.size(), 2u);
  EXPECT_EQ(bytes_of(m.bytes(s4.expressions[0].bytes)), expr(ref_func(0)));
  EXPECT_EQ(bytes_of(m.bytes(s4.expressions[1].bytes)), expr(ref_null(ValType::kFuncRef)));

  const ElemSegment& s5 = m.elems[5];
  EXPECT_EQ(s5.mode, SegmentMode::kPassive);
  EXPECT_EQ(s5.element_type, ValType::kExternRef);
  ASSERT_EQ(s5.expressions.size(), 1u);
  EXPECT_EQ(bytes_of(m.bytes(s5.expressions[0].bytes)), expr(ref_null(ValType::kExternRef)));

  const ElemSegment& s6 = m.elems[6];
  EXPECT_EQ(s6.mode, SegmentMode::kActive);
  EXPECT_EQ(s6.table_index, 1u);
  EXPECT_EQ(bytes_of(m.bytes(s6.offset.bytes)), expr(i32_const(4)));
  ASSERT_EQ(s6.expressions.size(), 1u);
  EXPECT_EQ(bytes_of(m.bytes(s6.expressions[0].bytes)), expr(ref_func(2)));

  const ElemSegment& s7 = m.elems[7];
  EXPECT_EQ(s7.mode, SegmentMode::kDeclarative);
  EXPECT_EQ(s7.element_type, ValType::kFuncRef);
  ASSERT_EQ(s7.expressions.size(), 2u);
  EXPECT_EQ(bytes_of(m.bytes(s7.expressions[1].bytes)), expr(ref_func(0)));
}

TEST(DecodeElems, MalformedSegments) {
  Bytes type = section(SectionId::kType, {0x01, 0x60, 0x00, 0x00});
  Bytes table = section(SectionId::kTable, {0x01, 0x70, 0x00, 0x00});
  // Flags beyond 7.
  EXPECT_TRUE(MalformedAnyMessage(
      module_bytes(type, table, section(SectionId::kElement, cat(0x01, 0x08, 0x00, 0x00)))));
  // Element kind other than 0x00 (funcref).
  EXPECT_TRUE(MalformedAnyMessage(
      module_bytes(type, table, section(SectionId::kElement, cat(0x01, 0x01, 0x01, 0x00)))));
  // Expression segments take a reference type.
  EXPECT_TRUE(Malformed(
      module_bytes(type, section(SectionId::kFunction, {0x01, 0x00}), table,
                   section(SectionId::kMemory, {0x01, 0x00, 0x00}),
                   section(SectionId::kElement, {0x01, 0x05, 0x7f, 0x01, 0xd2, 0x00, 0x0b}),
                   section(SectionId::kCode, {0x01, 0x02, 0x00, 0x0b})),
      "malformed reference type"));
  // Two segments declared, one given.
  EXPECT_TRUE(Malformed(
      module_bytes(type, section(SectionId::kFunction, {0x01, 0x00}),
                   section(SectionId::kTable, {0x01, 0x70, 0x00, 0x01}),
                   section(SectionId::kElement, cat(0x02, 0x00, expr(i32_const(0)), 0x01, 0x00))),
      "unexpected end"));
}

// ---- Data and data count sections
// ---------------------------------------------------------------------

TEST(DecodeData, AllThreeEncodings) {
  WasmBuilder b;
  b.memory(1);
  b.data_active(expr(i32_const(16)), {'a', 'b', 'c'});
  b.data_passive({'x', 'y', 'z', '!'});
  b.data_raw(cat(0x02, u32(0), expr(i32_const(0)), name("q")));
  b.data_passive({});
  Bytes bytes = b.build();
  Result<Module> r = decode(bytes);
  ASSERT_TRUE(Succeeded(r));
  const Module& m = *r;
  ASSERT_EQ(m.datas.size(), 4u);
  EXPECT_EQ(m.datas[0].mode, SegmentMode::kActive);
  EXPECT_EQ(m.datas[0].memory_index, 0u);
  EXPECT_EQ(bytes_of(m.bytes(m.datas[0].offset.bytes)), expr(i32_const(16)));
  EXPECT_EQ(str(m.bytes(m.datas[0].bytes)), "abc");
  EXPECT_EQ(m.datas[1].mode, SegmentMode::kPassive);
  EXPECT_EQ(str(m.bytes(m.datas[1].bytes)), "xyz!");
  EXPECT_EQ(m.datas[2].mode, SegmentMode::kActive);
  EXPECT_EQ(m.datas[2].memory_index, 0u);
  EXPECT_EQ(bytes_of(m.bytes(m.datas[2].offset.bytes)), expr(i32_const(0)));
  EXPECT_EQ(str(m.bytes(m.datas[2].bytes)), "q");
  EXPECT_EQ(m.datas[3].mode, SegmentMode::kPassive);
  EXPECT_EQ(m.datas[3].bytes.size, 0u);
  for (uint32_t i = 0; i < 4; ++i) {
    ASSERT_LT(m.datas[i].section_offset, bytes.size());
    EXPECT_EQ(bytes[m.datas[i].section_offset], i == 3 ? 1 : i);
  }
  EXPECT_FALSE(m.data_count.has_value());
}

TEST(DecodeData, MalformedFlags) {
  EXPECT_TRUE(MalformedAnyMessage(module_bytes(section(SectionId::kMemory, {0x01, 0x00, 0x01}),
                                               section(SectionId::kData, {0x01, 0x03, 0x00}))));
}

TEST(DecodeData, DataCount) {
  WasmBuilder b;
  b.memory(1);
  b.data_count(2);
  b.data_passive({1});
  b.data_active(expr(i32_const(0)), {2});
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(r->data_count, std::optional<uint32_t>(2));

  WasmBuilder zero;
  zero.data_count(0);
  Result<Module> rz = decode(zero.build());
  ASSERT_TRUE(Succeeded(rz));
  EXPECT_EQ(rz->data_count, std::optional<uint32_t>(0));
}

TEST(DecodeData, DataCountMustMatchDataSection) {
  const char* kInconsistent = "data count and data section have inconsistent lengths";
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kDataCount, {0x03}),
                                     section(SectionId::kData, {0x02, 0x01, 0x00, 0x01, 0x00})),
                        kInconsistent));
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kDataCount, {0x01}),
                                     section(SectionId::kData, {0x02, 0x01, 0x00, 0x01, 0x00})),
                        kInconsistent));
  EXPECT_TRUE(
      Malformed(module_bytes(section(SectionId::kMemory, {0x01, 0x00, 0x01}),
                             section(SectionId::kDataCount, {0x02}),
                             section(SectionId::kData, cat(0x01, 0x00, expr(i32_const(0)), 0x00))),
                kInconsistent));
  // A data count with no data section at all.
  EXPECT_TRUE(Malformed(module_bytes(section(SectionId::kDataCount, {0x01})), kInconsistent));
}

// ---- Custom and name sections
// ---------------------------------------------------------------------------

TEST(DecodeCustom, SectionsAnywhere) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, {});
  b.custom("first", {1, 2, 3}, SectionId::kCustom);
  b.custom("middle", {}, SectionId::kFunction);
  b.custom("last", {'p', 'a', 'y'}, SectionId::kData);
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  ASSERT_EQ(r->customs.size(), 3u);
  EXPECT_EQ(r->customs[0].name, "first");
  EXPECT_EQ(bytes_of(r->bytes(r->customs[0].contents)), (Bytes{1, 2, 3}));
  EXPECT_EQ(r->customs[1].name, "middle");
  EXPECT_EQ(r->customs[1].contents.size, 0u);
  EXPECT_EQ(r->customs[2].name, "last");
  EXPECT_EQ(str(r->bytes(r->customs[2].contents)), "pay");
  EXPECT_EQ(r->functions.size(), 1u);
}

TEST(DecodeCustom, Malformed) {
  // No room for the name's length.
  EXPECT_TRUE(Malformed(module_bytes(cat(0x00)), "unexpected end"));
  EXPECT_TRUE(Malformed(module_bytes(cat(0x00, 0x00)), "unexpected end"));
  // An empty custom section followed by bytes that would read as a name.
  EXPECT_TRUE(Malformed(module_bytes(cat(0x00, 0x00, 0x00, 0x05, 0x01, 0x00, 0x07, 0x00, 0x00)),
                        "unexpected end"));
  EXPECT_TRUE(Malformed(module_bytes(custom_section("\xff", {})), "malformed UTF-8 encoding"));
  EXPECT_TRUE(
      Malformed(module_bytes(custom_section("a\xe0\x80\x80", {1})), "malformed UTF-8 encoding"));
}

Bytes subsection(uint8_t id, const Bytes& contents) {
  return cat(id, u32(static_cast<uint32_t>(contents.size())), contents);
}

TEST(DecodeNames, ModuleFunctionAndLocalNames) {
  WasmBuilder b;
  uint32_t t = b.type({ValType::kI32}, {});
  b.func(t, {}, {{1, ValType::kI64}});
  b.func(t, {});
  b.custom(
      "name",
      cat(subsection(0, name("mod")),
          subsection(1, vec({cat(u32(0), name("main")), cat(u32(1), name("helper"))})),
          subsection(2, vec({cat(u32(0), vec({cat(u32(0), name("x")), cat(u32(1), name("y"))})),
                             cat(u32(1), vec({cat(u32(0), name("p"))}))}))));
  Result<Module> r = decode(b.build());
  ASSERT_TRUE(Succeeded(r));
  const Module& m = *r;
  EXPECT_TRUE(m.names_error.empty()) << m.names_error;
  EXPECT_EQ(m.names.module_name, "mod");
  ASSERT_EQ(m.names.functions.size(), 2u);
  EXPECT_EQ(m.names.functions.at(0), "main");
  EXPECT_EQ(m.names.functions.at(1), "helper");
  ASSERT_EQ(m.names.locals.size(), 2u);
  EXPECT_EQ(m.names.locals.at(0).at(0), "x");
  EXPECT_EQ(m.names.locals.at(0).at(1), "y");
  EXPECT_EQ(m.names.locals.at(1).at(0), "p");
  EXPECT_EQ(m.function_name(0), "$main");
  EXPECT_EQ(m.function_name(1), "$helper");
  EXPECT_EQ(m.function_name(7), "#7");
}

TEST(DecodeNames, MalformedNameSectionDoesNotFailDecoding) {
  const std::vector<Bytes> payloads = {
      // A subsection longer than the section.
      cat(0x01, 0x10, 0x01, 0x00),
      // A function name with invalid UTF-8.
      subsection(1, vec({cat(u32(0), name("\xc0\x80"))})),
      // A name length running off the subsection.
      subsection(1, cat(0x01, 0x00, 0x09, 'a')),
      // A LEB128 too long for a u32.
      subsection(1, cat(0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00)),
      // A truncated module-name subsection.
      cat(0x00),
  };
  for (const Bytes& payload : payloads) {
    SCOPED_TRACE(hex(payload));
    WasmBuilder b;
    uint32_t t = b.type({}, {});
    b.func(t, {});
    b.memory(1);
    b.custom("name", payload);
    Result<Module> r = decode(b.build());
    ASSERT_TRUE(Succeeded(r));
    EXPECT_FALSE(r->names_error.empty());
    EXPECT_EQ(r->functions.size(), 1u);
    EXPECT_EQ(r->memories.size(), 1u);
  }
}

}  // namespace
}  // namespace keel

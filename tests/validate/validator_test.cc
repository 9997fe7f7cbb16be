#include "validate/validator.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "decode/module_decoder.h"
#include "support/expect.h"
#include "support/wasm_builder.h"
#include "validate/function_body_decoder.h"

namespace keel {
namespace {

using namespace keel::test;  // NOLINT: builder vocabulary

constexpr ValType I = ValType::kI32, L = ValType::kI64, F = ValType::kF32, D = ValType::kF64,
                  V = ValType::kV128, FR = ValType::kFuncRef, ER = ValType::kExternRef;

Result<Module> load(const Bytes& bytes, const Features& features = {}, unsigned threads = 0) {
  return load_module(buffer_of(bytes), features, ValidateOptions{threads});
}

::testing::AssertionResult Valid(const Bytes& bytes, const Features& features = {}) {
  auto check = Succeeded(load(bytes, features));
  if (!check) check << " for bytes " << hex(bytes);
  return check;
}

::testing::AssertionResult Invalid(const Bytes& bytes, std::string_view message,
                                   const Features& features = {}) {
  auto check = FailedWith(load(bytes, features), ErrorKind::kInvalid, message);
  if (!check) check << " for bytes " << hex(bytes);
  return check;
}

::testing::AssertionResult Malformed(const Bytes& bytes, std::string_view message,
                                     const Features& features = {}) {
  auto check = FailedWith(load(bytes, features), ErrorKind::kMalformed, message);
  if (!check) check << " for bytes " << hex(bytes);
  return check;
}

// A module with one function of type params -> results and the given code (`end` appended).
Bytes func_module(std::vector<ValType> params, std::vector<ValType> results, const Bytes& code,
                  const WasmBuilder::Locals& locals = {}) {
  WasmBuilder b;
  b.func(b.type(std::move(params), std::move(results)), code, locals);
  return b.build();
}
Bytes void_func(const Bytes& code) {
  return func_module({}, {}, code);
}

// The same, with one memory (for memory instructions).
Bytes func_module_with_memory(std::vector<ValType> params, std::vector<ValType> results,
                              const Bytes& code) {
  WasmBuilder b;
  uint32_t t = b.type(std::move(params), std::move(results));
  b.memory(1);
  b.func(t, code);
  return b.build();
}

Bytes block(uint8_t block_type, const Bytes& body) {
  return cat(op::kBlock, block_type, body, op::kEnd);
}

// ---- Operand types
// ------------------------------------------------------------------------------------

TEST(ValidateTypes, OperandTypes) {
  EXPECT_TRUE(Valid(func_module({}, {I}, i32_const(0))));
  EXPECT_TRUE(Invalid(func_module({}, {I}, i64_const(0)), "type mismatch"));
  EXPECT_TRUE(Valid(void_func(cat(i32_const(0), i32_const(1), op::kI32Add, op::kDrop))));
  EXPECT_TRUE(
      Invalid(void_func(cat(i32_const(0), i64_const(1), op::kI32Add, op::kDrop)), "type mismatch"));
  EXPECT_TRUE(Invalid(void_func(cat(f32_const(), op::kI32Eqz, op::kDrop)), "type mismatch"));
  // Too few operands.
  EXPECT_TRUE(Invalid(void_func(cat(i32_const(0), op::kI32Add, op::kDrop)), "type mismatch"));
  EXPECT_TRUE(Invalid(void_func({op::kDrop}), "type mismatch"));
  // Parameters are locals of their declared types.
  EXPECT_TRUE(Valid(func_module({I, L}, {L}, local_get(1))));
  EXPECT_TRUE(Invalid(func_module({I, L}, {L}, local_get(0)), "type mismatch"));
  EXPECT_TRUE(Valid(func_module({}, {D}, local_get(0), {{1, D}})));
}

TEST(ValidateTypes, FunctionResults) {
  EXPECT_TRUE(Invalid(func_module({}, {I}, {}), "type mismatch"));  // nothing left
  EXPECT_TRUE(Invalid(void_func(i32_const(0)), "type mismatch"));   // one too many
  EXPECT_TRUE(Invalid(func_module({}, {I}, cat(i32_const(0), i32_const(0))), "type mismatch"));
  EXPECT_TRUE(Valid(func_module({}, {I, L}, cat(i32_const(1), i64_const(2)))));
  EXPECT_TRUE(Invalid(func_module({}, {I, L}, cat(i64_const(2), i32_const(1))), "type mismatch"));
  EXPECT_TRUE(Valid(func_module({}, {I}, cat(i32_const(1), op::kReturn))));
  EXPECT_TRUE(Invalid(func_module({}, {I}, cat(i64_const(1), op::kReturn)), "type mismatch"));
}

TEST(ValidateTypes, BlockResults) {
  EXPECT_TRUE(Valid(void_func(cat(block(0x7f, i32_const(1)), op::kDrop))));
  EXPECT_TRUE(Invalid(void_func(cat(block(0x7f, i64_const(1)), op::kDrop)), "type mismatch"));
  EXPECT_TRUE(Invalid(void_func(cat(block(0x7f, {}), op::kDrop)), "type mismatch"));
  EXPECT_TRUE(Invalid(void_func(block(op::kBlockEmpty, i32_const(1))), "type mismatch"));
  // A block cannot reach the operands outside it.
  EXPECT_TRUE(Invalid(func_module({}, {I}, cat(i32_const(1), block(0x7f, {}))), "type mismatch"));
  EXPECT_TRUE(
      Invalid(void_func(cat(i32_const(1), block(op::kBlockEmpty, {op::kDrop}))), "type mismatch"));
}

TEST(ValidateTypes, BranchValues) {
  EXPECT_TRUE(Valid(func_module({}, {I}, block(0x7f, cat(i32_const(1), br(0))))));
  EXPECT_TRUE(
      Invalid(func_module({}, {I}, block(0x7f, cat(i64_const(1), br(0)))), "type mismatch"));
  EXPECT_TRUE(Invalid(func_module({}, {I}, block(0x7f, br(0))), "type mismatch"));
  // br_if leaves its operands when not taken.
  EXPECT_TRUE(
      Valid(func_module({}, {I}, block(0x7f, cat(i32_const(1), i32_const(0), op::kBrIf, 0x00)))));
  EXPECT_TRUE(Invalid(func_module({}, {I},
                                  block(0x7f, cat(i64_const(1), i32_const(0), op::kBrIf, 0x00,
                                                  op::kDrop, i32_const(0)))),
                      "type mismatch"));
  // br to the function label carries the function's results.
  EXPECT_TRUE(Valid(func_module({}, {L}, cat(i64_const(1), br(0)))));
  EXPECT_TRUE(Invalid(func_module({}, {L}, cat(i32_const(1), br(0))), "type mismatch"));
}

TEST(ValidateTypes, IfElse) {
  // if without else must not produce results it lacks.
  EXPECT_TRUE(
      Invalid(void_func(cat(i32_const(1), op::kIf, 0x7f, i32_const(1), op::kEnd, op::kDrop)),
              "type mismatch"));
  EXPECT_TRUE(Valid(void_func(cat(i32_const(1), op::kIf, 0x7f, i32_const(1), op::kElse,
                                  i32_const(2), op::kEnd, op::kDrop))));
  EXPECT_TRUE(Invalid(void_func(cat(i32_const(1), op::kIf, 0x7f, i32_const(1), op::kElse,
                                    i64_const(2), op::kEnd, op::kDrop)),
                      "type mismatch"));
  // The condition is an i32.
  EXPECT_TRUE(
      Invalid(void_func(cat(i64_const(1), op::kIf, op::kBlockEmpty, op::kEnd)), "type mismatch"));
  EXPECT_TRUE(Invalid(void_func(cat(op::kIf, op::kBlockEmpty, op::kEnd)), "type mismatch"));
  // An if without else whose parameters equal its results is valid: the values pass through.
  WasmBuilder b;
  uint32_t f = b.type({}, {I});
  uint32_t pass = b.type({I}, {I});
  b.func(f, cat(i32_const(5), i32_const(1), op::kIf, u32(pass), op::kEnd));
  EXPECT_TRUE(Valid(b.build()));
  WasmBuilder c;
  f = c.type({}, {I});
  uint32_t convert = c.type({L}, {I});
  c.func(f, cat(i64_const(5), i32_const(1), op::kIf, u32(convert), 0x50 /* i64.eqz */, op::kEnd));
  EXPECT_TRUE(Invalid(c.build(), "type mismatch"));
}

TEST(ValidateTypes, Select) {
  EXPECT_TRUE(
      Valid(func_module({}, {I}, cat(i32_const(1), i32_const(2), i32_const(0), op::kSelect))));
  EXPECT_TRUE(
      Invalid(void_func(cat(i32_const(1), i64_const(2), i32_const(0), op::kSelect, op::kDrop)),
              "type mismatch"));
  EXPECT_TRUE(
      Invalid(void_func(cat(i32_const(1), i32_const(2), i64_const(0), op::kSelect, op::kDrop)),
              "type mismatch"));
  // Untyped select is for numeric and vector types only.
  EXPECT_TRUE(
      Valid(void_func(cat(v128_const(), v128_const(), i32_const(0), op::kSelect, op::kDrop))));
  EXPECT_TRUE(
      Invalid(void_func(cat(ref_null(FR), ref_null(FR), i32_const(0), op::kSelect, op::kDrop)),
              "type mismatch"));
  EXPECT_TRUE(Valid(
      void_func(cat(ref_null(FR), ref_null(FR), i32_const(0), op::kSelectT, 0x01, FR, op::kDrop))));
  EXPECT_TRUE(Invalid(
      void_func(cat(ref_null(ER), ref_null(FR), i32_const(0), op::kSelectT, 0x01, FR, op::kDrop)),
      "type mismatch"));
  EXPECT_TRUE(Invalid(
      void_func(cat(i32_const(1), i32_const(2), i32_const(0), op::kSelectT, 0x01, L, op::kDrop)),
      "type mismatch"));
}

TEST(ValidateTypes, SelectResultArity) {
  EXPECT_TRUE(Invalid(
      void_func(cat(i32_const(1), i32_const(2), i32_const(0), op::kSelectT, 0x02, I, I, op::kDrop)),
      "invalid result arity"));
  EXPECT_TRUE(Invalid(void_func(cat(op::kNop, op::kNop, i32_const(1), op::kSelectT, 0x00)),
                      "invalid result arity"));
}

TEST(ValidateTypes, CallsAndIndirectCalls) {
  WasmBuilder b;
  uint32_t t = b.type({I, L}, {F});
  uint32_t v = b.type({}, {});
  b.func(t, f32_const());
  b.table(FR, 1);
  b.func(v, cat(i32_const(1), i64_const(2), call(0), op::kDrop));
  b.func(v,
         cat(i32_const(1), i64_const(2), i32_const(0), op::kCallIndirect, u32(t), 0x00, op::kDrop));
  EXPECT_TRUE(Valid(b.build()));

  WasmBuilder bad;
  t = bad.type({I, L}, {F});
  v = bad.type({}, {});
  bad.func(t, f32_const());
  bad.func(v, cat(i64_const(2), i32_const(1), call(0), op::kDrop));
  EXPECT_TRUE(Invalid(bad.build(), "type mismatch"));

  // call_indirect needs a funcref table.
  WasmBuilder ext;
  v = ext.type({}, {});
  ext.table(ER, 1);
  ext.func(v, cat(i32_const(0), op::kCallIndirect, u32(v), 0x00));
  EXPECT_TRUE(Invalid(ext.build(), "type mismatch"));
}

// ---- Unreachable code
// -----------------------------------------------------------------------------------

TEST(ValidatePolymorphicStack, AfterUnreachable) {
  EXPECT_TRUE(Valid(func_module({}, {I}, cat(op::kUnreachable, op::kI32Add))));
  EXPECT_TRUE(Valid(void_func(cat(op::kUnreachable, op::kI32Add, op::kDrop))));
  EXPECT_TRUE(Invalid(void_func(cat(op::kUnreachable, i64_const(0), op::kI32Add, op::kDrop)),
                      "type mismatch"));
  EXPECT_TRUE(Invalid(void_func(cat(op::kUnreachable, i32_const(0), op::kI64Add, op::kDrop)),
                      "type mismatch"));
  EXPECT_TRUE(Valid(func_module({}, {I}, {op::kUnreachable})));
  EXPECT_TRUE(Valid(func_module({}, {I, L, F}, {op::kUnreachable})));
  EXPECT_TRUE(Valid(void_func(cat(block(0x7f, {op::kUnreachable}), op::kDrop))));
  // The known values above the polymorphic base still count.
  EXPECT_TRUE(Invalid(func_module({}, {I}, cat(op::kUnreachable, i64_const(0))), "type mismatch"));
  EXPECT_TRUE(Invalid(void_func(cat(op::kUnreachable, i32_const(0))), "type mismatch"));
  // Polymorphism ends with the block.
  EXPECT_TRUE(
      Invalid(void_func(cat(block(op::kBlockEmpty, {op::kUnreachable}), op::kI32Add, op::kDrop)),
              "type mismatch"));
}

TEST(ValidatePolymorphicStack, AfterBranchesAndReturn) {
  EXPECT_TRUE(Valid(func_module({}, {I}, cat(i32_const(0), br(0), op::kI32Add))));
  EXPECT_TRUE(Valid(void_func(cat(op::kReturn, op::kI64Add, op::kDrop))));
  EXPECT_TRUE(Valid(void_func(block(op::kBlockEmpty, cat(br(0), op::kF32Neg, op::kDrop)))));
  EXPECT_TRUE(
      Invalid(void_func(block(op::kBlockEmpty, cat(br(0), i32_const(0), op::kF32Neg, op::kDrop))),
              "type mismatch"));
  EXPECT_TRUE(Valid(void_func(cat(block(
      op::kBlockEmpty, cat(i32_const(0), op::kBrTable, 0x00, 0x00, op::kI32Add, op::kDrop))))));
}

TEST(ValidatePolymorphicStack, SelectAndBrTableOnBottom) {
  // From the spec's unreached-valid.wast.
  EXPECT_TRUE(Valid(void_func(cat(op::kUnreachable, op::kSelect, op::kDrop))));
  EXPECT_TRUE(Valid(void_func(cat(op::kUnreachable, op::kSelect, op::kI32Eqz, op::kDrop))));
  EXPECT_TRUE(Valid(void_func(cat(op::kUnreachable, op::kSelect, op::kRefIsNull, op::kDrop))));
  EXPECT_TRUE(Valid(func_module(
      {}, {L}, cat(op::kUnreachable, i64_const(0), i32_const(0), op::kSelect, op::kI64Add))));
  // meet-bottom: br_table to an f32 and an f64 label after unreachable.
  EXPECT_TRUE(Valid(void_func(
      cat(op::kBlock, 0x7c,
          block(0x7d, cat(op::kUnreachable, i32_const(1), op::kBrTable, 0x02, 0x00, 0x01, 0x01)),
          op::kDrop, f64_const(), op::kEnd, op::kDrop))));
}

// ---- Multi-value blocks
// ----------------------------------------------------------------------------------

TEST(ValidateMultiValue, BlocksWithParametersByTypeIndex) {
  auto module = [](const Bytes& code) {
    WasmBuilder b;
    uint32_t f = b.type({}, {I});
    b.type({I, I}, {I});  // 1
    b.type({I}, {I});     // 2
    b.type({}, {I, L});   // 3
    b.func(f, code);
    return b.build();
  };
  EXPECT_TRUE(
      Valid(module(cat(i32_const(1), i32_const(2), op::kBlock, 0x01, op::kI32Add, op::kEnd))));
  EXPECT_TRUE(
      Invalid(module(cat(i32_const(1), i64_const(2), op::kBlock, 0x01, op::kI32Add, op::kEnd)),
              "type mismatch"));
  EXPECT_TRUE(Invalid(module(cat(op::kBlock, 0x01, op::kI32Add, op::kEnd)), "type mismatch"));
  EXPECT_TRUE(
      Valid(module(cat(op::kBlock, 0x03, i32_const(1), i64_const(2), op::kEnd, op::kDrop))));
  EXPECT_TRUE(
      Invalid(module(cat(op::kBlock, 0x03, i32_const(1), op::kEnd, op::kDrop)), "type mismatch"));
  // A loop's label takes its parameters.
  EXPECT_TRUE(Valid(module(cat(i32_const(1), op::kLoop, 0x02, op::kEnd))));
  EXPECT_TRUE(
      Valid(module(cat(i32_const(1), op::kLoop, 0x02, i32_const(0), op::kBrIf, 0x00, op::kEnd))));
  EXPECT_TRUE(
      Invalid(module(cat(i32_const(1), op::kLoop, 0x02, op::kDrop, i64_const(0), br(0), op::kEnd)),
              "type mismatch"));
  EXPECT_TRUE(Invalid(module(cat(op::kBlock, 0x09, op::kEnd, i32_const(0))), "unknown type"));
  EXPECT_TRUE(
      Invalid(module(cat(i32_const(0), op::kIf, 0x09, op::kEnd, i32_const(0))), "unknown type"));
}

// ---- br_table
// ---------------------------------------------------------------------------------------------

TEST(ValidateBrTable, LabelsMustAgree) {
  EXPECT_TRUE(Valid(
      void_func(block(op::kBlockEmpty,
                      block(op::kBlockEmpty, cat(i32_const(0), op::kBrTable, 0x01, 0x00, 0x01))))));
  // Different result types.
  EXPECT_TRUE(Invalid(
      void_func(cat(op::kBlock, 0x7f,
                    block(0x7e, cat(i32_const(0), i32_const(0), op::kBrTable, 0x01, 0x00, 0x01)),
                    op::kDrop, i32_const(0), op::kEnd, op::kDrop)),
      "type mismatch"));
  // Different arities.
  EXPECT_TRUE(Invalid(func_module({}, {I},
                                  cat(op::kBlock, 0x7f,
                                      block(op::kBlockEmpty, cat(i32_const(0), i32_const(0),
                                                                 op::kBrTable, 0x01, 0x00, 0x01)),
                                      i32_const(1), op::kEnd)),
                      "type mismatch"));
  // The value does not fit the labels.
  EXPECT_TRUE(Invalid(func_module({}, {I},
                                  block(0x7f, cat(i64_const(1), i32_const(1), op::kBrTable, 0x00,
                                                  0x00, i32_const(1)))),
                      "type mismatch"));
  // The index is an i32.
  EXPECT_TRUE(
      Invalid(void_func(block(op::kBlockEmpty, cat(i64_const(0), op::kBrTable, 0x00, 0x00))),
              "type mismatch"));
  EXPECT_TRUE(
      Invalid(void_func(block(op::kBlockEmpty, cat(i32_const(0), op::kBrTable, 0x01, 0x00, 0x02))),
              "unknown label"));
  EXPECT_TRUE(
      Invalid(void_func(block(op::kBlockEmpty, cat(i32_const(0), op::kBrTable, 0x01, 0x05, 0x00))),
              "unknown label"));
}

// ---- Unknown indices
// ---------------------------------------------------------------------------------------

TEST(ValidateIndices, UnknownLocal) {
  EXPECT_TRUE(Invalid(func_module({I}, {I}, local_get(1)), "unknown local"));
  EXPECT_TRUE(Valid(func_module({I}, {I}, local_get(1), {{1, I}})));
  EXPECT_TRUE(
      Invalid(func_module({}, {}, cat(i32_const(0), op::kLocalSet, 0x00)), "unknown local"));
  EXPECT_TRUE(Invalid(func_module({}, {I}, cat(i32_const(0), op::kLocalTee, 0x03), {{3, I}}),
                      "unknown local"));
}

TEST(ValidateIndices, UnknownGlobal) {
  EXPECT_TRUE(Invalid(func_module({}, {I}, global_get(0)), "unknown global"));
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.import_global("env", "g", I, true);
  b.global(I, true, expr(i32_const(0)));
  b.func(t, cat(global_get(1), global_set(0), i32_const(0), global_set(2)));
  EXPECT_TRUE(Invalid(b.build(), "unknown global"));
  WasmBuilder e;
  e.global(I, false, expr(i32_const(0)));
  e.export_("g", ExternKind::kGlobal, 1);
  EXPECT_TRUE(Invalid(e.build(), "unknown global"));
}

TEST(ValidateIndices, UnknownFunction) {
  EXPECT_TRUE(Invalid(void_func(call(5)), "unknown function"));
  EXPECT_TRUE(Invalid(void_func(cat(ref_func(1), op::kDrop)), "unknown function"));
  WasmBuilder e;
  e.func(e.type({}, {}), {});
  e.export_("f", ExternKind::kFunc, 1);
  EXPECT_TRUE(Invalid(e.build(), "unknown function"));
  WasmBuilder s;
  s.func(s.type({}, {}), {});
  s.start(3);
  EXPECT_TRUE(Invalid(s.build(), "unknown function"));
  WasmBuilder el;
  el.func(el.type({}, {}), {});
  el.table(FR, 2);
  el.elem_active(expr(i32_const(0)), {0, 9});
  EXPECT_TRUE(Invalid(el.build(), "unknown function"));
}

TEST(ValidateIndices, UnknownType) {
  // Function section entry.
  EXPECT_TRUE(Invalid(module_bytes(section(SectionId::kType, {0x01, 0x60, 0x00, 0x00}),
                                   section(SectionId::kFunction, {0x01, 0x01}),
                                   section(SectionId::kCode, {0x01, 0x02, 0x00, 0x0b})),
                      "unknown type"));
  // Imported function.
  WasmBuilder imp;
  imp.import_func("env", "f", 4);
  EXPECT_TRUE(Invalid(imp.build(), "unknown type"));
  // call_indirect.
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.table(FR, 1);
  b.func(t, cat(i32_const(0), op::kCallIndirect, 0x05, 0x00));
  EXPECT_TRUE(Invalid(b.build(), "unknown type"));
}

TEST(ValidateIndices, UnknownTable) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, cat(i32_const(0), op::kCallIndirect, u32(t), 0x00));
  EXPECT_TRUE(Invalid(b.build(), "unknown table"));
  EXPECT_TRUE(
      Invalid(void_func(cat(i32_const(0), op::kTableGet, 0x00, op::kDrop)), "unknown table"));
  EXPECT_TRUE(Invalid(void_func(cat(fc(0x10, 0x00), op::kDrop)), "unknown table"));  // table.size
  WasmBuilder el;
  el.func(el.type({}, {}), {});
  el.table(FR, 1);
  el.elem_raw(cat(0x02, u32(1), expr(i32_const(0)), 0x00, vec_u32({0})));
  EXPECT_TRUE(Invalid(el.build(), "unknown table"));
}

TEST(ValidateIndices, UnknownMemory) {
  EXPECT_TRUE(
      Invalid(func_module({}, {I}, cat(i32_const(0), op::kI32Load, memarg(2))), "unknown memory"));
  EXPECT_TRUE(Invalid(func_module({}, {I}, cat(op::kMemorySize, 0x00)), "unknown memory"));
  EXPECT_TRUE(Invalid(
      void_func(cat(i32_const(0), i32_const(0), i32_const(0), fc(0x0b, 0x00))),  // memory.fill
      "unknown memory"));
  WasmBuilder d;
  d.data_active(expr(i32_const(0)), {1});
  EXPECT_TRUE(Invalid(d.build(), "unknown memory"));
  WasmBuilder d2;
  d2.memory(1);
  d2.data_raw(cat(0x02, u32(1), expr(i32_const(0)), name("x")));
  EXPECT_TRUE(Invalid(d2.build(), "unknown memory"));
  EXPECT_TRUE(Valid(func_module_with_memory({}, {I}, cat(i32_const(0), op::kI32Load, memarg(2)))));
}

TEST(ValidateIndices, UnknownLabel) {
  EXPECT_TRUE(Invalid(void_func(br(1)), "unknown label"));
  EXPECT_TRUE(Valid(void_func(br(0))));
  EXPECT_TRUE(Invalid(void_func(block(op::kBlockEmpty, br(2))), "unknown label"));
  EXPECT_TRUE(Valid(void_func(block(op::kBlockEmpty, br(1)))));
  EXPECT_TRUE(Invalid(void_func(cat(i32_const(0), op::kBrIf, 0x01)), "unknown label"));
}

TEST(ValidateIndices, UnknownDataSegment) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.memory(1);
  b.data_count(1);
  b.func(t, cat(i32_const(0), i32_const(0), i32_const(0), fc(0x08, 0x01, 0x00)));  // memory.init 1
  b.data_passive({1});
  EXPECT_TRUE(Invalid(b.build(), "unknown data segment"));

  WasmBuilder ok;
  t = ok.type({}, {});
  ok.memory(1);
  ok.data_count(1);
  ok.func(t, cat(i32_const(0), i32_const(0), i32_const(0), fc(0x08, 0x00, 0x00), fc(0x09, 0x00)));
  ok.data_passive({1});
  EXPECT_TRUE(Valid(ok.build()));

  WasmBuilder drop;
  t = drop.type({}, {});
  drop.data_count(0);
  drop.func(t, fc(0x09, 0x00));  // data.drop 0
  EXPECT_TRUE(Invalid(drop.build(), "unknown data segment"));
}

TEST(ValidateIndices, UnknownElemSegment) {
  EXPECT_TRUE(Invalid(void_func(fc(0x0d, 0x00)), "unknown elem segment"));  // elem.drop 0
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.table(FR, 1);
  b.func(t, cat(i32_const(0), i32_const(0), i32_const(0), fc(0x0c, 0x00, 0x00)));  // table.init
  EXPECT_TRUE(Invalid(b.build(), "unknown elem segment"));
  WasmBuilder ok;
  t = ok.type({}, {});
  ok.table(FR, 1);
  ok.func(t, cat(i32_const(0), i32_const(0), i32_const(0), fc(0x0c, 0x00, 0x00), fc(0x0d, 0x00)));
  ok.elem_raw(cat(0x01, 0x00, vec_u32({0})));
  EXPECT_TRUE(Valid(ok.build()));
}

// ---- Globals
// ---------------------------------------------------------------------------------------------

TEST(ValidateGlobals, GlobalIsImmutable) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.global(I, false, expr(i32_const(0)));
  b.func(t, cat(i32_const(1), global_set(0)));
  EXPECT_TRUE(Invalid(b.build(), "global is immutable"));

  WasmBuilder imp;
  t = imp.type({}, {});
  imp.import_global("env", "g", I, false);
  imp.func(t, cat(i32_const(1), global_set(0)));
  EXPECT_TRUE(Invalid(imp.build(), "global is immutable"));

  WasmBuilder ok;
  t = ok.type({}, {});
  ok.global(I, true, expr(i32_const(0)));
  ok.func(t, cat(i32_const(1), global_set(0)));
  EXPECT_TRUE(Valid(ok.build()));

  WasmBuilder wrong;
  t = wrong.type({}, {});
  wrong.global(I, true, expr(i32_const(0)));
  wrong.func(t, cat(i64_const(1), global_set(0)));
  EXPECT_TRUE(Invalid(wrong.build(), "type mismatch"));
}

TEST(ValidateConstExprs, ConstantExpressionRequired) {
  const char* kConst = "constant expression required";
  auto global_with = [](ValType type, const Bytes& init) {
    WasmBuilder b;
    b.global(type, false, init);
    return b.build();
  };
  EXPECT_TRUE(Valid(global_with(I, expr(i32_const(7)))));
  EXPECT_TRUE(Invalid(global_with(I, expr(i32_const(0), i32_const(1), op::kI32Add)), kConst));
  EXPECT_TRUE(Invalid(global_with(I, expr(i32_const(0), op::kI32Ctz)), kConst));
  EXPECT_TRUE(Invalid(global_with(F, expr(f32_const(), op::kF32Neg)), kConst));
  EXPECT_TRUE(Invalid(global_with(I, expr(op::kNop)), kConst));
  EXPECT_TRUE(Invalid(global_with(I, expr(i32_const(0), op::kNop)), kConst));
  EXPECT_TRUE(Invalid(global_with(F, expr(local_get(0))), kConst));
  EXPECT_TRUE(Invalid(global_with(I, expr(op::kUnreachable)), kConst));
  // Extended constant expressions allow i32.add.
  Features extended;
  extended.extended_const = true;
  EXPECT_TRUE(Valid(global_with(I, expr(i32_const(0), i32_const(1), op::kI32Add)), extended));

  // Data and element offsets too.
  WasmBuilder d;
  d.memory(1);
  d.data_active(expr(op::kNop, i32_const(0)), {1});
  EXPECT_TRUE(Invalid(d.build(), kConst));
  WasmBuilder e;
  e.table(FR, 1);
  e.elem_active(expr(i32_const(0), op::kNop), {});
  EXPECT_TRUE(Invalid(e.build(), kConst));
}

TEST(ValidateConstExprs, GlobalGetInConstantExpressions) {
  // Only imported globals may be read (Wasm 2.0).
  WasmBuilder own;
  own.global(I, false, expr(i32_const(0)));
  own.global(I, false, expr(global_get(0)));
  EXPECT_TRUE(Invalid(own.build(), "unknown global"));
  WasmBuilder self;
  self.global(I, false, expr(global_get(0)));
  EXPECT_TRUE(Invalid(self.build(), "unknown global"));
  WasmBuilder later;
  later.global(I, false, expr(global_get(1)));
  later.global(I, false, expr(i32_const(0)));
  EXPECT_TRUE(Invalid(later.build(), "unknown global"));

  WasmBuilder imported;
  imported.import_global("env", "g", I, false);
  imported.global(I, false, expr(global_get(0)));
  EXPECT_TRUE(Valid(imported.build()));

  WasmBuilder mut;
  mut.import_global("env", "g", I, true);
  mut.global(I, false, expr(global_get(0)));
  EXPECT_TRUE(Invalid(mut.build(), "constant expression required"));

  WasmBuilder data;
  data.import_global("env", "g", I, true);
  data.memory(1);
  data.data_active(expr(global_get(0)), {1});
  EXPECT_TRUE(Invalid(data.build(), "constant expression required"));
}

TEST(ValidateConstExprs, Types) {
  WasmBuilder b;
  b.global(I, false, expr(i64_const(0)));
  EXPECT_TRUE(Invalid(b.build(), "type mismatch"));
  WasmBuilder empty;
  empty.global(I, false, expr());
  EXPECT_TRUE(Invalid(empty.build(), "type mismatch"));
  WasmBuilder two;
  two.global(I, false, expr(i32_const(0), i32_const(0)));
  EXPECT_TRUE(Invalid(two.build(), "type mismatch"));
  WasmBuilder imported;
  imported.import_global("env", "g", L, false);
  imported.global(I, false, expr(global_get(0)));
  EXPECT_TRUE(Invalid(imported.build(), "type mismatch"));
  WasmBuilder ref;
  ref.global(ER, false, expr(ref_null(FR)));
  EXPECT_TRUE(Invalid(ref.build(), "type mismatch"));
  WasmBuilder offset;
  offset.memory(1);
  offset.data_active(expr(i64_const(0)), {1});
  EXPECT_TRUE(Invalid(offset.build(), "type mismatch"));
  WasmBuilder elem;
  elem.table(FR, 1);
  elem.elem_raw(cat(0x04, expr(i32_const(0)), vec({expr(ref_null(ER))})));
  EXPECT_TRUE(Invalid(elem.build(), "type mismatch"));
  // Element segments must match their table's type.
  WasmBuilder table;
  table.table(FR, 1);
  table.elem_raw(cat(0x06, u32(0), expr(i32_const(0)), ER, vec({expr(ref_null(ER))})));
  EXPECT_TRUE(Invalid(table.build(), "type mismatch"));
}

// ---- Decoder look-ahead -------------------------------------------------------------------------

// Records, at each instruction and end hook, what the decoder says comes next.
struct PeekProbe : NullInterface {
  FunctionBodyDecoder<PeekProbe>* decoder = nullptr;
  std::vector<Op> next;
  void instr(Op, const InstrImm&) { next.push_back(decoder->peek_opcode()); }
  void end(const ControlFrame&) { next.push_back(decoder->peek_opcode()); }
};

// Decodes function 0 of `bytes` (not validated beforehand, so bodies may be broken) and returns
// the peeks.
std::vector<Op> peeks_in_function(const Bytes& bytes, const Features& features = {}) {
  auto module = decode_module(buffer_of(bytes), features);
  EXPECT_TRUE(Succeeded(module));
  if (!module) return {};
  ValidationContext ctx(*module);
  PeekProbe probe;
  FunctionBodyDecoder<PeekProbe> decoder(ctx, probe);
  probe.decoder = &decoder;
  decoder.decode_function(0);
  return probe.next;
}

TEST(DecoderPeek, SeesTheNextOpcodeThroughPrefixesWithoutConsumingIt) {
  Bytes code = cat(v128_const(), fd(0x80),     // i16x8.abs: a two-byte code after the prefix
                   fd(0x53),                   // v128.any_true
                   op::kI32Eqz, f32_const(),   //
                   op::kPrefixFC, 0x80, 0x00,  // i32.trunc_sat_f32_s, its code padded
                   op::kI32Add);
  EXPECT_TRUE(Valid(func_module({}, {I}, code)));
  EXPECT_EQ(peeks_in_function(func_module({}, {I}, code)),
            (std::vector<Op>{Op::kI16x8Abs, Op::kV128AnyTrue, Op::kI32Eqz, Op::kF32Const,
                             Op::kI32TruncSatF32S, Op::kI32Add, Op::kEnd,
                             Op::kInvalid}));  // the function's end: nothing follows
}

TEST(DecoderPeek, InvalidWhereDecodingWouldFail) {
  // A disabled instruction (relaxed SIMD, 0xfd 0x100), an unknown one, a prefix cut off by the
  // end of the body: each peeks as kInvalid, and decoding then fails on it as usual.
  EXPECT_EQ(peeks_in_function(void_func(cat(v128_const(), fd(0x100), op::kDrop))),
            (std::vector<Op>{Op::kInvalid}));
  EXPECT_EQ(peeks_in_function(void_func(cat(i32_const(0), 0xff))), (std::vector<Op>{Op::kInvalid}));
  WasmBuilder cut;
  cut.func_raw(cut.type({}, {}), cat(0x00, i32_const(0), op::kPrefixFD));
  EXPECT_EQ(peeks_in_function(cut.build()), (std::vector<Op>{Op::kInvalid}));
  WasmBuilder cut_code;
  cut_code.func_raw(cut_code.type({}, {}), cat(0x00, i32_const(0), op::kPrefixFD, 0x80));
  EXPECT_EQ(peeks_in_function(cut_code.build()), (std::vector<Op>{Op::kInvalid}));
  // The same relaxed instruction with its feature on.
  Features relaxed;
  relaxed.relaxed_simd = true;
  EXPECT_EQ(
      peeks_in_function(void_func(cat(v128_const(), v128_const(), fd(0x100), op::kDrop)), relaxed),
      (std::vector<Op>{Op::kV128Const, Op::kI8x16RelaxedSwizzle, Op::kDrop, Op::kInvalid}));
}

// ---- Module-level rules
// ------------------------------------------------------------------------------------

TEST(ValidateModule, DuplicateExportName) {
  WasmBuilder b;
  b.func(b.type({}, {}), {});
  b.memory(1);
  b.export_("a", ExternKind::kFunc, 0);
  b.export_("a", ExternKind::kMemory, 0);
  EXPECT_TRUE(Invalid(b.build(), "duplicate export name"));
  WasmBuilder ok;
  ok.func(ok.type({}, {}), {});
  ok.export_("a", ExternKind::kFunc, 0);
  ok.export_("b", ExternKind::kFunc, 0);
  EXPECT_TRUE(Valid(ok.build()));
}

TEST(ValidateModule, MultipleMemories) {
  WasmBuilder two;
  two.memory(1);
  two.memory(1);
  EXPECT_TRUE(Invalid(two.build(), "multiple memories"));
  WasmBuilder imported;
  imported.import_memory("env", "m", 1);
  imported.memory(1);
  EXPECT_TRUE(Invalid(imported.build(), "multiple memories"));
  Features multi;
  multi.multi_memory = true;
  EXPECT_TRUE(Valid(two.build(), multi));
}

TEST(ValidateModule, MemorySize) {
  const char* kTooBig = "memory size must be at most 65536 pages (4GiB)";
  WasmBuilder max_ok;
  max_ok.memory(65536, 65536);
  EXPECT_TRUE(Valid(max_ok.build()));
  WasmBuilder min;
  min.memory(65537);
  EXPECT_TRUE(Invalid(min.build(), kTooBig));
  WasmBuilder max;
  max.memory(0, 65537);
  EXPECT_TRUE(Invalid(max.build(), kTooBig));
  WasmBuilder huge;
  huge.memory(0xffffffff);
  EXPECT_TRUE(Invalid(huge.build(), kTooBig));
  WasmBuilder imported;
  imported.import_memory("env", "m", 0, 65537);
  EXPECT_TRUE(Invalid(imported.build(), kTooBig));
}

TEST(ValidateModule, LimitsMinimumAboveMaximum) {
  const char* kMinMax = "size minimum must not be greater than maximum";
  WasmBuilder mem;
  mem.memory(2, 1);
  EXPECT_TRUE(Invalid(mem.build(), kMinMax));
  WasmBuilder table;
  table.table(FR, 10, 9);
  EXPECT_TRUE(Invalid(table.build(), kMinMax));
  WasmBuilder imported;
  imported.import_table("env", "t", FR, 1, 0);
  EXPECT_TRUE(Invalid(imported.build(), kMinMax));
  WasmBuilder equal;
  equal.memory(1, 1);
  equal.table(FR, 0xffffffff, 0xffffffff);
  EXPECT_TRUE(Valid(equal.build()));
}

TEST(ValidateModule, StartFunction) {
  WasmBuilder params;
  params.func(params.type({I}, {}), {});
  params.start(0);
  EXPECT_TRUE(Invalid(params.build(), "start function"));
  WasmBuilder results;
  results.func(results.type({}, {I}), i32_const(0));
  results.start(0);
  EXPECT_TRUE(Invalid(results.build(), "start function"));
  WasmBuilder ok;
  uint32_t t = ok.type({}, {});
  ok.import_func("env", "f", t);
  ok.func(t, {});
  ok.start(1);
  EXPECT_TRUE(Valid(ok.build()));
  WasmBuilder imported;
  imported.import_func("env", "f", imported.type({F}, {}));
  imported.start(0);
  EXPECT_TRUE(Invalid(imported.build(), "start function"));
}

TEST(ValidateModule, UndeclaredFunctionReference) {
  const char* kUndeclared = "undeclared function reference";
  Bytes drop_self = cat(ref_func(0), op::kDrop);
  EXPECT_TRUE(Invalid(void_func(drop_self), kUndeclared));

  WasmBuilder start;  // the start section does not declare
  start.func(start.type({}, {}), drop_self);
  start.start(0);
  EXPECT_TRUE(Invalid(start.build(), kUndeclared));

  WasmBuilder exported;
  exported.func(exported.type({}, {}), drop_self);
  exported.export_("f", ExternKind::kFunc, 0);
  EXPECT_TRUE(Valid(exported.build()));

  WasmBuilder declared;
  declared.func(declared.type({}, {}), drop_self);
  declared.elem_declarative({0});
  EXPECT_TRUE(Valid(declared.build()));

  WasmBuilder in_global;  // ref.func in a global initialiser declares it
  in_global.global(FR, false, expr(ref_func(0)));
  in_global.func(in_global.type({}, {}), drop_self);
  EXPECT_TRUE(Valid(in_global.build()));

  WasmBuilder in_elem_expr;
  in_elem_expr.func(in_elem_expr.type({}, {}), drop_self);
  in_elem_expr.elem_raw(cat(0x05, FR, vec({expr(ref_func(0))})));
  EXPECT_TRUE(Valid(in_elem_expr.build()));

  WasmBuilder other;  // declaring function 1 does not declare function 0
  uint32_t t = other.type({}, {});
  other.func(t, drop_self);
  other.func(t, {});
  other.export_("g", ExternKind::kFunc, 1);
  EXPECT_TRUE(Invalid(other.build(), kUndeclared));
}

TEST(ValidateModule, ElementAndDataSegments) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.import_global("env", "base", I, false);
  b.func(t, {});
  b.table(FR, 10);
  b.table(ER, 10);
  b.memory(1);
  b.elem_active(expr(global_get(0)), {0, 0});
  b.elem_raw(cat(0x06, u32(1), expr(i32_const(0)), ER, vec({expr(ref_null(ER))})));
  b.elem_raw(cat(0x05, FR, vec({expr(ref_func(0)), expr(ref_null(FR))})));
  b.elem_declarative({0});
  b.import_global("env", "ref", FR, false);  // global 1
  b.elem_raw(cat(0x05, FR, vec({expr(global_get(1))})));
  b.data_active(expr(global_get(0)), {1, 2});
  b.data_passive({3});
  EXPECT_TRUE(Valid(b.build()));
}

// ---- Memory instructions
// ------------------------------------------------------------------------------------

TEST(ValidateMemory, AlignmentMustNotExceedNatural) {
  const char* kAlign = "alignment must not be larger than natural";
  EXPECT_TRUE(Valid(func_module_with_memory({}, {I}, cat(i32_const(0), op::kI32Load, memarg(2)))));
  EXPECT_TRUE(Valid(func_module_with_memory({}, {I}, cat(i32_const(0), op::kI32Load, memarg(0)))));
  EXPECT_TRUE(Invalid(func_module_with_memory({}, {I}, cat(i32_const(0), op::kI32Load, memarg(3))),
                      kAlign));
  EXPECT_TRUE(Invalid(
      func_module_with_memory({}, {L}, cat(i32_const(0), op::kI64Load8U, memarg(1))), kAlign));
  EXPECT_TRUE(Valid(func_module_with_memory({}, {L}, cat(i32_const(0), op::kI64Load, memarg(3)))));
  EXPECT_TRUE(Invalid(func_module_with_memory({}, {L}, cat(i32_const(0), op::kI64Load, memarg(4))),
                      kAlign));
  EXPECT_TRUE(Invalid(
      func_module_with_memory({}, {}, cat(i32_const(0), i32_const(0), op::kI32Store, memarg(3))),
      kAlign));
  EXPECT_TRUE(Valid(func_module_with_memory({}, {V}, cat(i32_const(0), fd(0x00, memarg(4))))));
  EXPECT_TRUE(
      Invalid(func_module_with_memory({}, {V}, cat(i32_const(0), fd(0x00, memarg(5)))), kAlign));
  EXPECT_TRUE(Invalid(func_module_with_memory({}, {V}, cat(i32_const(0), fd(0x07, memarg(1)))),
                      kAlign));  // v128.load8_splat
}

TEST(ValidateMemory, MemoryInstructionTypes) {
  EXPECT_TRUE(Invalid(func_module_with_memory({}, {I}, cat(i64_const(0), op::kI32Load, memarg(2))),
                      "type mismatch"));
  EXPECT_TRUE(Invalid(
      func_module_with_memory({}, {}, cat(i32_const(0), i32_const(0), op::kI64Store, memarg(3))),
      "type mismatch"));
  EXPECT_TRUE(Valid(func_module_with_memory({}, {I}, cat(i32_const(1), op::kMemoryGrow, 0x00))));
  EXPECT_TRUE(Invalid(func_module_with_memory({}, {I}, cat(i64_const(1), op::kMemoryGrow, 0x00)),
                      "type mismatch"));
}

TEST(ValidateMemory, DataCountSectionRequired) {
  WasmBuilder init;
  uint32_t t = init.type({}, {});
  init.memory(1);
  init.func(t, cat(i32_const(0), i32_const(0), i32_const(0), fc(0x08, 0x00, 0x00)));
  init.data_passive({1});
  EXPECT_TRUE(Malformed(init.build(), "data count section required"));

  WasmBuilder drop;
  t = drop.type({}, {});
  drop.memory(1);
  drop.func(t, fc(0x09, 0x00));
  drop.data_passive({1});
  EXPECT_TRUE(Malformed(drop.build(), "data count section required"));
}

TEST(ValidateMemory, ZeroByteExpected) {
  EXPECT_TRUE(Malformed(func_module_with_memory({}, {I}, cat(op::kMemorySize, 0x01)),
                        "zero byte expected"));
  EXPECT_TRUE(Malformed(func_module_with_memory({}, {I}, cat(i32_const(0), op::kMemoryGrow, 0x01)),
                        "zero byte expected"));
}

// ---- SIMD lanes
// ------------------------------------------------------------------------------------------------

TEST(ValidateSimd, LaneIndices) {
  const char* kLane = "invalid lane index";
  EXPECT_TRUE(
      Valid(func_module({}, {I}, cat(v128_const(), fd(0x15, 15)))));  // i8x16.extract_lane_s
  EXPECT_TRUE(Invalid(func_module({}, {I}, cat(v128_const(), fd(0x15, 16))), kLane));
  EXPECT_TRUE(Invalid(func_module({}, {I}, cat(v128_const(), fd(0x18, 8))), kLane));  // i16x8
  EXPECT_TRUE(Invalid(func_module({}, {F}, cat(v128_const(), fd(0x1f, 4))), kLane));  // f32x4
  EXPECT_TRUE(Valid(func_module({}, {V}, cat(v128_const(), i64_const(0), fd(0x1e, 1)))));
  EXPECT_TRUE(Invalid(func_module({}, {V}, cat(v128_const(), i64_const(0), fd(0x1e, 2))), kLane));
  EXPECT_TRUE(Invalid(func_module({}, {V}, cat(v128_const(), i64_const(0), fd(0x1e, 255))), kLane));
  // i8x16.shuffle lanes index two vectors: below 32.
  Bytes lanes_ok(16, 31), lanes_bad(16, 0);
  lanes_bad[15] = 32;
  EXPECT_TRUE(Valid(func_module({}, {V}, cat(v128_const(), v128_const(), fd(0x0d, lanes_ok)))));
  EXPECT_TRUE(
      Invalid(func_module({}, {V}, cat(v128_const(), v128_const(), fd(0x0d, lanes_bad))), kLane));
  // v128.load8_lane.
  EXPECT_TRUE(Valid(
      func_module_with_memory({}, {V}, cat(i32_const(0), v128_const(), fd(0x54, memarg(0), 15)))));
  EXPECT_TRUE(Invalid(
      func_module_with_memory({}, {V}, cat(i32_const(0), v128_const(), fd(0x54, memarg(0), 16))),
      kLane));
  EXPECT_TRUE(Invalid(
      func_module_with_memory({}, {V}, cat(i32_const(0), v128_const(), fd(0x57, memarg(3), 2))),
      kLane));  // v128.load64_lane
}

// ---- Malformed bodies
// ------------------------------------------------------------------------------------------

TEST(ValidateBodies, TooManyLocals) {
  // 0xffffffff i32 locals and 2 i64 locals.
  EXPECT_TRUE(
      Malformed(module_bytes(section(SectionId::kType, {0x01, 0x60, 0x00, 0x00}),
                             section(SectionId::kFunction, {0x01, 0x00}),
                             section(SectionId::kCode, {0x01, 0x0a, 0x02, 0xff, 0xff, 0xff, 0xff,
                                                        0x0f, 0x7f, 0x02, 0x7e, 0x0b})),
                "too many locals"));
  // 4 x 0x40000000 locals.
  WasmBuilder b;
  uint32_t t = b.type({I, I}, {});
  b.func_raw(t, cat(0x04, 0x80, 0x80, 0x80, 0x80, 0x04, I, 0x80, 0x80, 0x80, 0x80, 0x04, L, 0x80,
                    0x80, 0x80, 0x80, 0x04, F, 0x80, 0x80, 0x80, 0x80, 0x04, D, op::kEnd));
  EXPECT_TRUE(Malformed(b.build(), "too many locals"));
  // Many locals that fit are fine.
  EXPECT_TRUE(Valid(func_module({}, {}, {}, {{1000, I}, {1000, V}})));
}

TEST(ValidateBodies, LocalGroups) {
  // Groups of zero locals are allowed, and indices run across groups after the parameters.
  WasmBuilder b;
  b.func(b.type({I}, {F}), local_get(3), {{0, I}, {2, L}, {0, D}, {1, F}});
  EXPECT_TRUE(Valid(b.build()));
  WasmBuilder c;
  c.func(c.type({I}, {F}), local_get(2), {{0, I}, {2, L}, {0, D}, {1, F}});
  EXPECT_TRUE(Invalid(c.build(), "type mismatch"));
  // A malformed local type.
  WasmBuilder d;
  d.func_raw(d.type({}, {}), {0x01, 0x01, 0x40, 0x0b});
  Result<Module> r = load(d.build());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kMalformed) << r.error().to_string();
}

TEST(ValidateBodies, IllegalOpcode) {
  EXPECT_TRUE(Malformed(void_func({0xff}), "illegal opcode"));
  EXPECT_TRUE(Malformed(void_func({0x27}), "illegal opcode"));
  EXPECT_TRUE(Malformed(void_func(fc(0x12)), "illegal opcode"));
  EXPECT_TRUE(Malformed(void_func(fd(0x9a)), "illegal opcode"));
  // Proposals that are off by default.
  EXPECT_TRUE(
      Malformed(void_func(cat(op::kNop, 0x06, op::kBlockEmpty, op::kEnd)), "illegal opcode"));
  EXPECT_TRUE(Malformed(void_func(cat(0x12, 0x00)), "illegal opcode"));  // return_call
  Features tail;
  tail.tail_call = true;
  EXPECT_TRUE(Valid(void_func(cat(0x12, 0x00)), tail));
  // From binary.wast: an illegal opcode in an element expression.
  EXPECT_TRUE(Malformed(
      module_bytes(section(SectionId::kType, {0x01, 0x60, 0x00, 0x00}),
                   section(SectionId::kFunction, {0x01, 0x00}),
                   section(SectionId::kTable, {0x01, 0x70, 0x00, 0x00}),
                   section(SectionId::kMemory, {0x01, 0x00, 0x00}),
                   section(SectionId::kElement, {0x01, 0x05, 0x70, 0x01, 0xf3, 0x00, 0x0b}),
                   section(SectionId::kCode, {0x01, 0x02, 0x00, 0x0b})),
      "illegal opcode"));
}

TEST(ValidateBodies, MalformedImmediates) {
  EXPECT_TRUE(Malformed(void_func(cat(op::kRefNull, 0x7f, op::kDrop)), "malformed reference type"));
  // An i32.const whose LEB128 has unused bits set.
  EXPECT_TRUE(
      Malformed(func_module({}, {I}, {0x41, 0x80, 0x80, 0x80, 0x80, 0x70}), "integer too large"));
  EXPECT_TRUE(Malformed(
      func_module({}, {L}, {0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7e}),
      "integer too large"));
}

// A body without its final `end`: the spec suite says "END opcode expected" when another
// instruction byte follows, and "unexpected end" when the body simply stops.
::testing::AssertionResult MissingEnd(const Bytes& bytes) {
  Result<Module> r = load(bytes);
  if (r.ok()) return ::testing::AssertionFailure() << "expected malformed, got success";
  const Error& e = r.error();
  if (e.kind == ErrorKind::kMalformed &&
      (e.message.starts_with("END opcode expected") || e.message.starts_with("unexpected end")))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << e.to_string();
}

TEST(ValidateBodies, MissingEnd) {
  Bytes type = section(SectionId::kType, {0x01, 0x60, 0x00, 0x00});
  // One function: i32.const 1, drop, and no end.
  EXPECT_TRUE(
      MissingEnd(module_bytes(type, section(SectionId::kFunction, {0x01, 0x00}),
                              section(SectionId::kCode, {0x01, 0x04, 0x00, 0x41, 0x01, 0x1a}))));
  // The same followed by a second, complete function.
  EXPECT_TRUE(
      MissingEnd(module_bytes(type, section(SectionId::kFunction, {0x02, 0x00, 0x00}),
                              section(SectionId::kCode, {0x02, 0x04, 0x00, 0x41, 0x01, 0x1a, 0x05,
                                                         0x00, 0x41, 0x01, 0x1a, 0x0b}))));
  // A block left open.
  EXPECT_TRUE(MissingEnd(func_module({}, {}, cat(op::kBlock, op::kBlockEmpty))));
  // An empty body (not even the locals count is missing, but the end is).
  WasmBuilder b;
  b.func_raw(b.type({}, {}), {0x00});
  EXPECT_TRUE(MissingEnd(b.build()));
  // Instructions after the final end.
  WasmBuilder after;
  after.func_raw(after.type({}, {}), {0x00, 0x0b, 0x01});
  Result<Module> r = load(after.build());
  EXPECT_FALSE(r.ok());
  if (!r.ok()) {
    EXPECT_EQ(r.error().kind, ErrorKind::kMalformed) << r.error().to_string();
  }
}

TEST(ValidateBodies, ElseWithoutIf) {
  // The reference interpreter stops the instruction sequence at the 0x05 and wants an `end`.
  for (const Bytes& bytes :
       {void_func({op::kElse}), void_func(block(op::kBlockEmpty, {op::kElse}))}) {
    Result<Module> r = load(bytes);
    ASSERT_FALSE(r.ok()) << hex(bytes);
    EXPECT_EQ(r.error().kind, ErrorKind::kMalformed) << r.error().to_string();
  }
}

// ---- More control-flow corner cases
// ----------------------------------------------------------------------

TEST(ValidateControl, ElseSeesTheParametersAgain) {
  WasmBuilder b;
  uint32_t f = b.type({}, {I});
  uint32_t pass = b.type({I}, {I});
  b.func(f, cat(i32_const(5), i32_const(1), op::kIf, u32(pass), i32_const(1), op::kI32Add,
                op::kElse, i32_const(2), op::kI32Add, op::kEnd));
  EXPECT_TRUE(Valid(b.build()));
}

TEST(ValidateControl, ElseResetsUnreachability) {
  EXPECT_TRUE(Valid(void_func(cat(i32_const(1), op::kIf, 0x7f, op::kUnreachable, op::kElse,
                                  i32_const(0), op::kEnd, op::kDrop))));
  EXPECT_TRUE(Invalid(
      void_func(cat(i32_const(1), op::kIf, 0x7f, op::kUnreachable, op::kElse, op::kEnd, op::kDrop)),
      "type mismatch"));
}

TEST(ValidateControl, BranchToALoopCarriesItsParametersNotItsResults) {
  // br 0 inside `loop (result i32)` takes no value, so the i64 is simply discarded.
  EXPECT_TRUE(Valid(func_module({}, {I}, cat(op::kLoop, 0x7f, i64_const(0), br(0), op::kEnd))));
  EXPECT_TRUE(Invalid(
      func_module({}, {I},
                  cat(op::kLoop, 0x7f, i64_const(0), i32_const(0), op::kBrIf, 0x00, op::kEnd)),
      "type mismatch"));
}

TEST(ValidateControl, BlockTypeIndexNeedingTwoBytes) {
  // Type index 64 is the s33 0xc0 0x00: its first byte has bit 6 set, like a value type's, but
  // also the continuation bit.
  WasmBuilder b;
  for (int i = 0; i < 64; ++i) b.type({F}, {F});
  uint32_t t64 = b.type({}, {I});
  EXPECT_EQ(t64, 64u);
  EXPECT_EQ(s64(64), (Bytes{0xc0, 0x00}));
  b.func(b.type({}, {}), cat(op::kBlock, 0xc0, 0x00, i32_const(1), op::kEnd, op::kDrop));
  EXPECT_TRUE(Valid(b.build()));
}

TEST(ValidateControl, LargeBlockTypeIndex) {
  // s33 4294967295: a well-formed type index that does not exist.
  EXPECT_TRUE(
      Invalid(void_func(cat(op::kBlock, 0xff, 0xff, 0xff, 0xff, 0x0f, op::kEnd)), "unknown type"));
}

TEST(ValidateControl, BrTableTargetCountBeyondBody) {
  Result<Module> r =
      load(void_func(cat(i32_const(0), op::kBrTable, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kMalformed) << r.error().to_string();
}

// ---- Tables and reference instructions
// -------------------------------------------------------------------

TEST(ValidateTables, ReferenceTypesMustMatch) {
  auto two_tables = [](const Bytes& code) {
    WasmBuilder b;
    uint32_t t = b.type({}, {});
    b.table(FR, 1);
    b.table(ER, 1);
    b.func(t, code);
    b.elem_raw(cat(0x05, ER, vec({expr(ref_null(ER))})));
    return b.build();
  };
  // table.copy 0 1 (destination funcref, source externref).
  EXPECT_TRUE(
      Invalid(two_tables(cat(i32_const(0), i32_const(0), i32_const(0), fc(0x0e, 0x00, 0x01))),
              "type mismatch"));
  EXPECT_TRUE(
      Valid(two_tables(cat(i32_const(0), i32_const(0), i32_const(0), fc(0x0e, 0x01, 0x01)))));
  // table.init of an externref segment into the funcref table.
  EXPECT_TRUE(
      Invalid(two_tables(cat(i32_const(0), i32_const(0), i32_const(0), fc(0x0c, 0x00, 0x00))),
              "type mismatch"));
  EXPECT_TRUE(
      Valid(two_tables(cat(i32_const(0), i32_const(0), i32_const(0), fc(0x0c, 0x00, 0x01)))));
  // table.grow / table.set / table.fill take the table's reference type.
  EXPECT_TRUE(Invalid(two_tables(cat(ref_null(FR), i32_const(1), fc(0x0f, 0x01), op::kDrop)),
                      "type mismatch"));
  EXPECT_TRUE(Valid(two_tables(cat(ref_null(ER), i32_const(1), fc(0x0f, 0x01), op::kDrop))));
  EXPECT_TRUE(
      Invalid(two_tables(cat(i32_const(0), ref_null(ER), op::kTableSet, 0x00)), "type mismatch"));
  EXPECT_TRUE(Invalid(two_tables(cat(i32_const(0), ref_null(FR), i32_const(1), fc(0x11, 0x01))),
                      "type mismatch"));
  // ref.is_null needs a reference.
  EXPECT_TRUE(Invalid(two_tables(cat(i32_const(0), op::kRefIsNull, op::kDrop)), "type mismatch"));
}

TEST(ValidateTables, ElemFunctionIndicesDeclareReferences) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.table(FR, 1);
  b.func(t, cat(ref_func(0), op::kDrop));
  b.elem_active(expr(i32_const(0)), {0});
  EXPECT_TRUE(Valid(b.build()));
}

TEST(ValidateMemory, MemoryInitNeedsAMemory) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.data_count(1);
  b.func(t, cat(i32_const(0), i32_const(0), i32_const(0), fc(0x08, 0x00, 0x00)));
  b.data_passive({1});
  EXPECT_TRUE(Invalid(b.build(), "unknown memory"));
}

TEST(ValidateMemory, MemArgEncodings) {
  // An offset that does not fit in a u32.
  EXPECT_TRUE(
      Malformed(func_module_with_memory(
                    {}, {I}, cat(i32_const(0), op::kI32Load, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10)),
                "integer too large"));
  // Without multi-memory, 0x40 in the alignment field is just a (too large) alignment.
  EXPECT_TRUE(
      Invalid(func_module_with_memory({}, {I}, cat(i32_const(0), op::kI32Load, memarg(0x40))),
              "alignment must not be larger than natural"));
  EXPECT_TRUE(Valid(
      func_module_with_memory({}, {I}, cat(i32_const(0), op::kI32Load, memarg(2, 0xffffffff)))));
}

// ---- Error reporting
// ----------------------------------------------------------------------------------------------

TEST(ValidateErrors, BodyErrorsNameTheFunction) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.import_func("env", "f", t);
  b.func(t, {});
  b.func(t, cat(local_get(5), op::kDrop));
  Bytes bytes = b.build();
  Result<Module> r = load(bytes);
  ASSERT_TRUE(FailedWith(r, ErrorKind::kInvalid, "unknown local"));
  EXPECT_EQ(r.error().function, 2u);  // imports count in the function index space
  ASSERT_NE(r.error().offset, kNoOffset);
  EXPECT_LT(r.error().offset, bytes.size());
  // The offset points into the function's body.
  Result<Module> decoded = decode_module(buffer_of(bytes));
  ASSERT_TRUE(Succeeded(decoded));
  const ByteRange& body = decoded->functions[2].body;
  EXPECT_GE(r.error().offset, body.offset);
  EXPECT_LT(r.error().offset, body.offset + body.size);
  EXPECT_NE(r.error().to_string().find("function 2"), std::string::npos);
}

TEST(ValidateErrors, MalformedBodyErrorsNameTheFunctionToo) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  b.func(t, {});
  b.func(t, {0xff});
  Result<Module> r = load(b.build());
  ASSERT_TRUE(FailedWith(r, ErrorKind::kMalformed, "illegal opcode"));
  EXPECT_EQ(r.error().function, 1u);
}

TEST(ValidateErrors, FirstErrorByFunctionIndexWhateverTheThreads) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  for (int i = 0; i < 40; ++i) b.func(t, {});
  b.func(t, cat(i64_const(0), op::kI32Eqz, op::kDrop));  // 40: type mismatch
  for (int i = 0; i < 40; ++i) b.func(t, {});
  b.func(t, local_get(3));  // 81: unknown local
  Bytes bytes = b.build();
  for (unsigned threads : {0u, 1u, 2u, 8u}) {
    SCOPED_TRACE(threads);
    for (int round = 0; round < 5; ++round) {
      Result<Module> r = load(bytes, {}, threads);
      ASSERT_TRUE(FailedWith(r, ErrorKind::kInvalid, "type mismatch"));
      EXPECT_EQ(r.error().function, 40u);
    }
  }
}

TEST(ValidateErrors, ValidateModuleOnADecodedModule) {
  WasmBuilder b;
  uint32_t t = b.type({}, {I});
  b.func(t, i64_const(0));
  Result<Module> decoded = decode_module(buffer_of(b.build()));
  ASSERT_TRUE(Succeeded(decoded));
  Status s = validate_module(*decoded);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(ErrorIs(s.error(), ErrorKind::kInvalid, "type mismatch"));
  EXPECT_EQ(s.error().function, 0u);

  WasmBuilder ok;
  ok.func(ok.type({}, {I}), i32_const(0));
  Result<Module> good = decode_module(buffer_of(ok.build()));
  ASSERT_TRUE(Succeeded(good));
  EXPECT_TRUE(validate_module(*good, ValidateOptions{1}).ok());
}

TEST(ValidateErrors, DecodeErrorsComeFromLoadModuleUnchanged) {
  Result<Module> r = load({0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00});
  EXPECT_TRUE(FailedWith(r, ErrorKind::kMalformed, "unknown binary version"));
}

// A module touching most of Wasm 2.0 at once validates.
TEST(ValidateModule, KitchenSink) {
  WasmBuilder b;
  uint32_t v = b.type({}, {});
  uint32_t binop = b.type({I, I}, {I});
  uint32_t multi = b.type({I}, {I, I});
  b.import_func("env", "log", b.type({I}, {}));
  b.import_global("env", "base", I, false);
  b.table(FR, 4, 8);
  b.memory(1, 2);
  b.global(I, true, expr(global_get(0)));
  b.global(FR, false, expr(ref_func(1)));
  b.global(V, false, expr(v128_const()));
  uint32_t add = b.func(binop, cat(local_get(0), local_get(1), op::kI32Add));
  uint32_t dup = b.func(multi, cat(local_get(0), local_get(0)));
  b.func(v, cat(i32_const(1), call(dup), call(add), op::kDrop,                                  //
                i32_const(2), i32_const(3), i32_const(0), op::kCallIndirect, u32(binop), 0x00,  //
                op::kDrop,                                                                      //
                i32_const(0), i32_const(7), op::kI32Store, memarg(2, 4),                        //
                i32_const(0), op::kI32Load8U, memarg(0), op::kDrop,                             //
                i32_const(0), op::kTableGet, 0x00, op::kRefIsNull, op::kDrop,                   //
                ref_func(add), i32_const(1), fc(0x0f, 0x00), op::kDrop,          // table.grow
                i32_const(0), i32_const(0), i32_const(1), fc(0x0a, 0x00, 0x00),  // memory.copy
                global_get(1), global_set(1),                                    //
                i32_const(1), op::kLoop, op::kBlockEmpty, op::kBlock, op::kBlockEmpty,        //
                i32_const(0), op::kBrTable, 0x01, 0x00, 0x01, op::kEnd, op::kEnd, op::kDrop,  //
                global_get(3), fd(0x53), op::kDrop));  // v128.any_true
  b.export_("add", ExternKind::kFunc, add);
  b.export_("mem", ExternKind::kMemory, 0);
  b.elem_active(expr(i32_const(0)), {add});
  b.data_count(1);
  b.data_passive({'h', 'i'});
  EXPECT_TRUE(Valid(b.build()));
}

}  // namespace
}  // namespace keel

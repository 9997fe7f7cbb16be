#include "ir/opcodes.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "decode/immediates.h"
#include "support/expect.h"
#include "support/wasm_builder.h"

namespace keel {
namespace {

using test::Bytes;

std::vector<Op> all_ops() {
  std::vector<Op> ops;
  for (size_t i = 0; i < kOpCount; ++i) ops.push_back(static_cast<Op>(i));
  return ops;
}

std::string text_of(Op op) {
  return std::string(op_text(op));
}

ValType type_of_prefix(std::string_view text) {
  if (text.starts_with("i32")) return ValType::kI32;
  if (text.starts_with("i64")) return ValType::kI64;
  if (text.starts_with("f32")) return ValType::kF32;
  if (text.starts_with("f64")) return ValType::kF64;
  return ValType::kBottom;
}

TEST(Opcodes, EveryOpRoundTripsThroughLookup) {
  for (Op op : all_ops()) {
    const OpInfo& info = op_info(op);
    SCOPED_TRACE(text_of(op));
    EXPECT_EQ(lookup_op(info.prefix, info.code), op);
    if (info.prefix == 0) {
      EXPECT_LT(info.code, 0x100u);
      EXPECT_FALSE(is_prefix_byte(static_cast<uint8_t>(info.code)));
    } else {
      EXPECT_TRUE(is_prefix_byte(info.prefix));
    }
  }
}

TEST(Opcodes, LookupRejectsUnusedEncodings) {
  EXPECT_EQ(lookup_op(0, 0x17), Op::kInvalid);
  EXPECT_EQ(lookup_op(0, 0x27), Op::kInvalid);
  EXPECT_EQ(lookup_op(0, 0xc5), Op::kInvalid);
  EXPECT_EQ(lookup_op(0, 0xff), Op::kInvalid);
  EXPECT_EQ(lookup_op(0, 0x100), Op::kInvalid);
  EXPECT_EQ(lookup_op(kPrefixFB, 0x1f), Op::kInvalid);  // past i31.get_u
  EXPECT_EQ(lookup_op(kPrefixFC, 0x12), Op::kInvalid);
  EXPECT_EQ(lookup_op(kPrefixFC, 0xffffffff), Op::kInvalid);
  EXPECT_EQ(lookup_op(kPrefixFD, 0x9a), Op::kInvalid);  // gap in the SIMD space
  EXPECT_EQ(lookup_op(kPrefixFD, 0x114), Op::kInvalid);
  EXPECT_EQ(lookup_op(kPrefixFE, 0x04), Op::kInvalid);
  EXPECT_EQ(lookup_op(kPrefixFE, 0x4f), Op::kInvalid);
  EXPECT_EQ(lookup_op(0x01, 0x00), Op::kInvalid);  // not a prefix
}

TEST(Opcodes, PrefixedTablesAreSizedToTheirLargestCode) {
  EXPECT_EQ(kSingleByteOps.size(), 256u);
  EXPECT_EQ(kFbOps.size(), 0x1fu);   // i31.get_u = 0xfb 30
  EXPECT_EQ(kFcOps.size(), 0x12u);   // table.fill = 0xfc 17
  EXPECT_EQ(kFdOps.size(), 0x114u);  // i32x4.relaxed_dot_i8x16_i7x16_add_s = 0xfd 0x113
  EXPECT_EQ(kFeOps.size(), 0x4fu);   // i64.atomic.rmw32.cmpxchg_u = 0xfe 0x4e
  size_t single = 0, fb = 0, fc = 0, fd = 0, fe = 0;
  for (Op op : kSingleByteOps) single += op != Op::kInvalid;
  for (Op op : kFbOps) fb += op != Op::kInvalid;
  for (Op op : kFcOps) fc += op != Op::kInvalid;
  for (Op op : kFdOps) fd += op != Op::kInvalid;
  for (Op op : kFeOps) fe += op != Op::kInvalid;
  EXPECT_EQ(single + fb + fc + fd + fe, kOpCount);
  EXPECT_EQ(fb, 31u);        // GC: struct, array, i31, casts, conversions
  EXPECT_EQ(fc, 18u);        // 8 saturating conversions, 7 bulk memory, 3 table
  EXPECT_EQ(fd, 236u + 20);  // fixed-width SIMD + relaxed SIMD
  EXPECT_EQ(fe, 67u);        // threads: 4 + 7 loads + 7 stores + 7 x 7 read-modify-writes
}

TEST(Opcodes, SpecEncodingsOfSelectedInstructions) {
  struct Row {
    uint8_t prefix;
    uint32_t code;
    const char* text;
  };
  const Row rows[] = {
      {0, 0x00, "unreachable"},
      {0, 0x0b, "end"},
      {0, 0x0e, "br_table"},
      {0, 0x11, "call_indirect"},
      {0, 0x1c, "select"},
      {0, 0x25, "table.get"},
      {0, 0x3f, "memory.size"},
      {0, 0x45, "i32.eqz"},
      {0, 0x6a, "i32.add"},
      {0, 0xa7, "i32.wrap_i64"},
      {0, 0xbf, "f64.reinterpret_i64"},
      {0, 0xc4, "i64.extend32_s"},
      {0, 0xd2, "ref.func"},
      {kPrefixFC, 0x00, "i32.trunc_sat_f32_s"},
      {kPrefixFC, 0x07, "i64.trunc_sat_f64_u"},
      {kPrefixFC, 0x08, "memory.init"},
      {kPrefixFC, 0x0b, "memory.fill"},
      {kPrefixFC, 0x0e, "table.copy"},
      {kPrefixFC, 0x11, "table.fill"},
      {kPrefixFD, 0x00, "v128.load"},
      {kPrefixFD, 0x0c, "v128.const"},
      {kPrefixFD, 0x0d, "i8x16.shuffle"},
      {kPrefixFD, 0x52, "v128.bitselect"},
      {kPrefixFD, 0x53, "v128.any_true"},
      {kPrefixFD, 0x54, "v128.load8_lane"},
      {kPrefixFD, 0x5c, "v128.load32_zero"},
      {kPrefixFD, 0x60, "i8x16.abs"},
      {kPrefixFD, 0x80, "i16x8.abs"},
      {kPrefixFD, 0xa0, "i32x4.abs"},
      {kPrefixFD, 0xba, "i32x4.dot_i16x8_s"},
      {kPrefixFD, 0xc0, "i64x2.abs"},
      {kPrefixFD, 0xff, "f64x2.convert_low_i32x4_u"},
      {kPrefixFD, 0x100, "i8x16.relaxed_swizzle"},
      {kPrefixFE, 0x00, "memory.atomic.notify"},
      {kPrefixFE, 0x03, "atomic.fence"},
      {kPrefixFE, 0x4e, "i64.atomic.rmw32.cmpxchg_u"},
      {0, 0x14, "call_ref"},
      {0, 0x1f, "try_table"},
      {0, 0xd6, "br_on_non_null"},
      {kPrefixFB, 0x00, "struct.new"},
      {kPrefixFB, 0x15, "ref.test"},
      {kPrefixFB, 0x1e, "i31.get_u"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.text);
    Op op = lookup_op(row.prefix, row.code);
    ASSERT_NE(op, Op::kInvalid);
    EXPECT_EQ(op_text(op), row.text);
  }
}

TEST(Opcodes, TextNamesAreUniqueExceptSelectAndTheCasts) {
  std::map<std::string, std::vector<Op>> by_name;
  for (Op op : all_ops()) by_name[text_of(op)].push_back(op);
  for (auto& [name, ops] : by_name) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(name.empty());
    if (name == "select") {
      // `select` and `select t*` share their text name (0x1b and 0x1c).
      EXPECT_EQ(ops, (std::vector<Op>{Op::kSelect, Op::kSelectT}));
    } else if (name == "ref.test") {
      // The second for a nullable target type: `ref.test (ref null $t)`.
      EXPECT_EQ(ops, (std::vector<Op>{Op::kRefTest, Op::kRefTestNull}));
    } else if (name == "ref.cast") {
      EXPECT_EQ(ops, (std::vector<Op>{Op::kRefCast, Op::kRefCastNull}));
    } else {
      EXPECT_EQ(ops.size(), 1u);
    }
  }
  EXPECT_EQ(by_name.size(), kOpCount - 3);
}

TEST(Opcodes, SimdRows) {
  size_t simd = 0, relaxed = 0;
  for (Op op : all_ops()) {
    const OpInfo& info = op_info(op);
    if (info.feature == Feature::kSimd) {
      ++simd;
      EXPECT_EQ(info.prefix, kPrefixFD) << text_of(op);
      EXPECT_LT(info.code, 0x100u) << text_of(op);
    }
    if (info.feature == Feature::kRelaxedSimd) {
      ++relaxed;
      EXPECT_EQ(info.prefix, kPrefixFD) << text_of(op);
      EXPECT_GE(info.code, 0x100u) << text_of(op);
    }
    if (info.prefix == kPrefixFD) {
      EXPECT_TRUE(info.feature == Feature::kSimd || info.feature == Feature::kRelaxedSimd)
          << text_of(op);
    }
    if (info.prefix == kPrefixFE) {
      EXPECT_EQ(info.feature, Feature::kThreads) << text_of(op);
    }
  }
  EXPECT_EQ(simd, 236u);
  EXPECT_EQ(relaxed, 20u);
}

TEST(Opcodes, FeatureColumn) {
  EXPECT_EQ(op_info(Op::kReturnCall).feature, Feature::kTailCall);
  EXPECT_EQ(op_info(Op::kReturnCallIndirect).feature, Feature::kTailCall);
  EXPECT_EQ(op_info(Op::kTry).feature, Feature::kExceptions);
  EXPECT_EQ(op_info(Op::kI32Extend8S).feature, Feature::kSignExtension);
  EXPECT_EQ(op_info(Op::kI32TruncSatF32S).feature, Feature::kSaturatingConversions);
  EXPECT_EQ(op_info(Op::kMemoryInit).feature, Feature::kBulkMemory);
  EXPECT_EQ(op_info(Op::kTableGrow).feature, Feature::kReferenceTypes);
  EXPECT_EQ(op_info(Op::kSelectT).feature, Feature::kReferenceTypes);
  EXPECT_EQ(op_info(Op::kI32Add).feature, Feature::kMvp);
  EXPECT_EQ(op_info(Op::kAtomicFence).feature, Feature::kThreads);

  Features defaults;
  EXPECT_TRUE(feature_enabled(defaults, Feature::kMvp));
  EXPECT_TRUE(feature_enabled(defaults, Feature::kSimd));
  EXPECT_TRUE(feature_enabled(defaults, Feature::kBulkMemory));
  EXPECT_TRUE(feature_enabled(defaults, Feature::kReferenceTypes));
  EXPECT_FALSE(feature_enabled(defaults, Feature::kTailCall));
  EXPECT_FALSE(feature_enabled(defaults, Feature::kExceptions));
  EXPECT_FALSE(feature_enabled(defaults, Feature::kThreads));
  EXPECT_FALSE(feature_enabled(defaults, Feature::kRelaxedSimd));
  Features all = Features::all();
  EXPECT_TRUE(feature_enabled(all, Feature::kTailCall));
  EXPECT_TRUE(feature_enabled(all, Feature::kRelaxedSimd));
  // Wasm 3.0's rows are for the text format: no flag enables them yet.
  EXPECT_FALSE(feature_enabled(all, Feature::kGc));
  EXPECT_FALSE(feature_enabled(all, Feature::kFunctionReferences));
  EXPECT_FALSE(feature_enabled(all, Feature::kExnref));
  Features no_simd;
  no_simd.simd = false;
  EXPECT_FALSE(feature_enabled(no_simd, Feature::kSimd));
}

// ---- Constant expressions --------------------------------------------------------------------

// The spec's constant instructions: t.const (v128.const with SIMD), ref.null, ref.func and
// global.get, closed by end; the extended-const proposal adds i32 and i64 add, sub and mul.
TEST(OpcodeConstExprs, TheSpecsConstantInstructions) {
  const std::set<std::string> constant = {"i32.const", "i64.const",  "f32.const",
                                          "f64.const", "v128.const", "ref.null",
                                          "ref.func",  "global.get", "end"};
  const std::set<std::string> extended = {"i32.add", "i32.sub", "i32.mul",
                                          "i64.add", "i64.sub", "i64.mul"};
  Features plain;
  Features with_extended;
  with_extended.extended_const = true;
  size_t allowed = 0;
  for (Op op : all_ops()) {
    std::string text = text_of(op);
    SCOPED_TRACE(text);
    bool is_constant = constant.contains(text), is_extended = extended.contains(text);
    EXPECT_EQ(allowed_in_const_expr(op, plain), is_constant);
    EXPECT_EQ(allowed_in_const_expr(op, with_extended), is_constant || is_extended);
    EXPECT_EQ(allowed_in_const_expr(op, Features::all()), is_constant || is_extended);
    const ConstExprGate& gate = op_info(op).const_expr;
    EXPECT_EQ(gate.allowed, is_constant || is_extended);
    EXPECT_EQ(gate.feature, is_extended ? Feature::kExtendedConst : Feature::kMvp);
    // Extended-const adds no instruction of its own.
    EXPECT_NE(op_info(op).feature, Feature::kExtendedConst);
    allowed += gate.allowed;
  }
  EXPECT_EQ(allowed, constant.size() + extended.size());
  EXPECT_FALSE(feature_enabled(plain, Feature::kExtendedConst));
  EXPECT_TRUE(feature_enabled(with_extended, Feature::kExtendedConst));
}

// ---- Comparisons and lane shapes ----------------------------------------------------------------

// The predicate a comparison's name spells after its type or shape ("i32.lt_s", "f64x2.ge").
Cmp cmp_from_name(std::string_view text) {
  static const std::map<std::string_view, Cmp> kNames = {
      {"eqz", Cmp::kEqz},  {"eq", Cmp::kEq},    {"ne", Cmp::kNe},    {"lt_s", Cmp::kLtS},
      {"lt_u", Cmp::kLtU}, {"gt_s", Cmp::kGtS}, {"gt_u", Cmp::kGtU}, {"le_s", Cmp::kLeS},
      {"le_u", Cmp::kLeU}, {"ge_s", Cmp::kGeS}, {"ge_u", Cmp::kGeU}, {"lt", Cmp::kLt},
      {"gt", Cmp::kGt},    {"le", Cmp::kLe},    {"ge", Cmp::kGe}};
  size_t dot = text.find('.');
  if (dot == std::string_view::npos || text.find('.', dot + 1) != std::string_view::npos)
    return Cmp::kNone;
  if (text.starts_with("ref.")) return Cmp::kNone;  // ref.eq compares references, not numbers
  auto it = kNames.find(text.substr(dot + 1));
  return it == kNames.end() ? Cmp::kNone : it->second;
}

bool is_integer_predicate(Cmp c) {
  switch (c) {
    case Cmp::kEqz:
    case Cmp::kLtS:
    case Cmp::kLtU:
    case Cmp::kGtS:
    case Cmp::kGtU:
    case Cmp::kLeS:
    case Cmp::kLeU:
    case Cmp::kGeS:
    case Cmp::kGeU:
      return true;
    default:
      return false;
  }
}
bool is_float_predicate(Cmp c) {
  return c == Cmp::kLt || c == Cmp::kGt || c == Cmp::kLe || c == Cmp::kGe;
}

TEST(OpcodeComparisons, PredicatesMatchTheirNames) {
  size_t scalar_int = 0, scalar_float = 0, simd_int = 0, simd_float = 0;
  for (Op op : all_ops()) {
    std::string text = text_of(op);
    SCOPED_TRACE(text);
    const OpInfo& info = op_info(op);
    EXPECT_EQ(info.cmp, cmp_from_name(text));
    if (info.cmp == Cmp::kNone) continue;
    const OpSig& sig = info.sig;
    ASSERT_FALSE(sig.polymorphic);
    ASSERT_EQ(sig.num_params, info.cmp == Cmp::kEqz ? 1 : 2);
    ValType operand = sig.params[0];
    for (int k = 1; k < sig.num_params; ++k) EXPECT_EQ(sig.params[k], operand);
    if (operand == ValType::kV128) {
      EXPECT_EQ(sig.result, ValType::kV128);
      LaneShape shape = lane_shape(op);
      ASSERT_NE(shape, LaneShape::kNone);
      if (is_integer_shape(shape)) {
        EXPECT_FALSE(is_float_predicate(info.cmp));
        EXPECT_NE(info.cmp, Cmp::kEqz);
        // i64x2 has only eq, ne and the signed orderings (the JIT has no unsigned form).
        if (shape == LaneShape::kI64x2) {
          EXPECT_TRUE(info.cmp == Cmp::kEq || info.cmp == Cmp::kNe || info.cmp == Cmp::kLtS ||
                      info.cmp == Cmp::kGtS || info.cmp == Cmp::kLeS || info.cmp == Cmp::kGeS);
        }
        ++simd_int;
      } else {
        EXPECT_FALSE(is_integer_predicate(info.cmp));
        ++simd_float;
      }
    } else {
      EXPECT_EQ(sig.result, ValType::kI32);
      if (operand == ValType::kI32 || operand == ValType::kI64) {
        EXPECT_FALSE(is_float_predicate(info.cmp));
        ++scalar_int;
      } else {
        ASSERT_TRUE(operand == ValType::kF32 || operand == ValType::kF64);
        EXPECT_FALSE(is_integer_predicate(info.cmp));
        ++scalar_float;
      }
    }
  }
  EXPECT_EQ(scalar_int, 2u * 11);    // eqz, eq, ne and 8 orderings, for i32 and i64
  EXPECT_EQ(scalar_float, 2u * 6);   // eq, ne, lt, gt, le, ge for f32 and f64
  EXPECT_EQ(simd_int, 3u * 10 + 6);  // i8x16, i16x8, i32x4 with all ten; i64x2 with six
  EXPECT_EQ(simd_float, 2u * 6);     // f32x4 and f64x2
}

TEST(OpcodeComparisons, SelectedPredicates) {
  EXPECT_EQ(op_info(Op::kI32Eqz).cmp, Cmp::kEqz);
  EXPECT_EQ(op_info(Op::kI64Eqz).cmp, Cmp::kEqz);
  EXPECT_EQ(op_info(Op::kI32LtU).cmp, Cmp::kLtU);
  EXPECT_EQ(op_info(Op::kI64GeS).cmp, Cmp::kGeS);
  EXPECT_EQ(op_info(Op::kF32Le).cmp, Cmp::kLe);
  EXPECT_EQ(op_info(Op::kF64Ne).cmp, Cmp::kNe);
  EXPECT_EQ(op_info(Op::kI8x16GtU).cmp, Cmp::kGtU);
  EXPECT_EQ(op_info(Op::kI64x2LeS).cmp, Cmp::kLeS);
  EXPECT_EQ(op_info(Op::kF64x2Lt).cmp, Cmp::kLt);
  EXPECT_EQ(op_info(Op::kI32Add).cmp, Cmp::kNone);
  EXPECT_EQ(op_info(Op::kV128AnyTrue).cmp, Cmp::kNone);
  EXPECT_EQ(op_info(Op::kI32x4AllTrue).cmp, Cmp::kNone);
  EXPECT_EQ(op_info(Op::kI32AtomicRmwCmpxchg).cmp, Cmp::kNone);
}

TEST(OpcodeLaneShapes, ShapesFromNames) {
  EXPECT_EQ(lane_shape(Op::kI8x16Eq), LaneShape::kI8x16);
  EXPECT_EQ(lane_shape(Op::kI16x8ExtendLowI8x16S), LaneShape::kI16x8);
  EXPECT_EQ(lane_shape(Op::kI32x4DotI16x8S), LaneShape::kI32x4);
  EXPECT_EQ(lane_shape(Op::kI64x2Neg), LaneShape::kI64x2);
  EXPECT_EQ(lane_shape(Op::kF32x4RelaxedMadd), LaneShape::kF32x4);
  EXPECT_EQ(lane_shape(Op::kF64x2ConvertLowI32x4U), LaneShape::kF64x2);
  EXPECT_EQ(lane_shape(Op::kV128And), LaneShape::kNone);
  EXPECT_EQ(lane_shape(Op::kV128Load8x8S), LaneShape::kNone);
  EXPECT_EQ(lane_shape(Op::kI32Add), LaneShape::kNone);
  EXPECT_EQ(lane_size_log2(LaneShape::kI8x16), 0u);
  EXPECT_EQ(lane_size_log2(LaneShape::kI16x8), 1u);
  EXPECT_EQ(lane_size_log2(LaneShape::kF32x4), 2u);
  EXPECT_EQ(lane_size_log2(LaneShape::kI64x2), 3u);
  EXPECT_TRUE(is_integer_shape(LaneShape::kI64x2));
  EXPECT_FALSE(is_integer_shape(LaneShape::kF64x2));
  EXPECT_FALSE(is_integer_shape(LaneShape::kNone));
}

// The shape agrees with the independent lane-count column of every lane-indexed instruction.
TEST(OpcodeLaneShapes, AgreeWithLaneImmediates) {
  int checked = 0;
  for (Op op : all_ops()) {
    ImmKind imm = op_info(op).imm;
    if (lane_count(imm) == 0 || is_memarg(imm)) continue;
    SCOPED_TRACE(text_of(op));
    LaneShape shape = lane_shape(op);
    ASSERT_NE(shape, LaneShape::kNone);
    EXPECT_EQ(lane_count(imm), 16u >> lane_size_log2(shape));
    ++checked;
  }
  EXPECT_EQ(checked, 8 + 6);  // extract and replace lanes
}

Op read_op(const Bytes& bytes, const Features& f, Error* error = nullptr) {
  Reader r(bytes);
  Op op = read_opcode(r, f);
  if (error && !r.ok()) *error = r.error();
  return op;
}

TEST(Opcodes, ReadOpcodeGatesOnFeatures) {
  Error e;
  EXPECT_EQ(read_op({0x12, 0x00}, Features{}, &e), Op::kInvalid);
  EXPECT_TRUE(test::ErrorIs(e, ErrorKind::kMalformed, "illegal opcode"));
  EXPECT_EQ(e.offset, 0u);
  Features tail;
  tail.tail_call = true;
  EXPECT_EQ(read_op({0x12, 0x00}, tail), Op::kReturnCall);

  EXPECT_EQ(read_op({0x06}, Features{}), Op::kInvalid);
  EXPECT_EQ(read_op({0x06}, Features::all()), Op::kTry);

  Features no_simd;
  no_simd.simd = false;
  EXPECT_EQ(read_op({0xfd, 0x0c}, no_simd), Op::kInvalid);
  EXPECT_EQ(read_op({0xfd, 0x0c}, Features{}), Op::kV128Const);

  // Relaxed SIMD codes need two LEB bytes and the relaxed-simd flag.
  EXPECT_EQ(read_op({0xfd, 0x80, 0x02}, Features{}), Op::kInvalid);
  EXPECT_EQ(read_op({0xfd, 0x80, 0x02}, Features::all()), Op::kI8x16RelaxedSwizzle);
  EXPECT_EQ(read_op({0xfe, 0x03}, Features{}), Op::kInvalid);
  EXPECT_EQ(read_op({0xfe, 0x03}, Features::all()), Op::kAtomicFence);

  // Wasm 3.0's instructions are illegal opcodes to the decoder, as before they had rows.
  Error e3;
  EXPECT_EQ(read_op({0x14, 0x00}, Features::all(), &e3), Op::kInvalid);  // call_ref
  EXPECT_TRUE(test::ErrorIs(e3, ErrorKind::kMalformed, "illegal opcode"));
  EXPECT_EQ(read_op({0xfb, 0x00, 0x00}, Features::all(), &e3), Op::kInvalid);  // struct.new
  EXPECT_TRUE(test::ErrorIs(e3, ErrorKind::kMalformed, "illegal opcode"));
  EXPECT_EQ(e3.offset, 0u);
}

TEST(Opcodes, ReadOpcodeDecodesPrefixedLeb) {
  EXPECT_EQ(read_op({0xfd, 0x80, 0x01}, Features{}), Op::kI16x8Abs);
  // The code after a prefix is a u32: a padded encoding is legal.
  EXPECT_EQ(read_op({0xfc, 0x80, 0x00}, Features{}), Op::kI32TruncSatF32S);
  EXPECT_EQ(read_op({0xfc, 0x88, 0x80, 0x80, 0x80, 0x00}, Features{}), Op::kMemoryInit);

  Error e;
  EXPECT_EQ(read_op({0xfc, 0x12}, Features{}, &e), Op::kInvalid);
  EXPECT_TRUE(test::ErrorIs(e, ErrorKind::kMalformed, "illegal opcode"));
  EXPECT_EQ(read_op({0xfc}, Features{}, &e), Op::kInvalid);
  EXPECT_TRUE(test::ErrorIs(e, ErrorKind::kMalformed, "unexpected end"));
  EXPECT_EQ(read_op({0xff}, Features{}, &e), Op::kInvalid);
  EXPECT_TRUE(test::ErrorIs(e, ErrorKind::kMalformed, "illegal opcode"));
}

// ---- Signatures ---------------------------------------------------------------------------------

void expect_sig(Op op, std::vector<ValType> params, std::vector<ValType> results) {
  SCOPED_TRACE(text_of(op));
  const OpSig& sig = op_info(op).sig;
  EXPECT_FALSE(sig.polymorphic);
  ASSERT_EQ(sig.num_params, params.size());
  for (size_t i = 0; i < params.size(); ++i) EXPECT_EQ(sig.params[i], params[i]) << i;
  ASSERT_EQ(sig.num_results, results.size());
  if (!results.empty()) {
    EXPECT_EQ(sig.result, results[0]);
  }
}

TEST(OpcodeSignatures, SelectedInstructions) {
  constexpr ValType i = ValType::kI32, l = ValType::kI64, f = ValType::kF32, d = ValType::kF64,
                    v = ValType::kV128;
  expect_sig(Op::kI32Add, {i, i}, {i});
  expect_sig(Op::kI64Store, {i, l}, {});
  expect_sig(Op::kF64Store, {i, d}, {});
  expect_sig(Op::kI64Load32U, {i}, {l});
  expect_sig(Op::kNop, {}, {});
  expect_sig(Op::kI32Eqz, {i}, {i});
  expect_sig(Op::kI64Eqz, {l}, {i});
  expect_sig(Op::kF32Lt, {f, f}, {i});
  expect_sig(Op::kI32WrapI64, {l}, {i});
  expect_sig(Op::kF64ConvertI64U, {l}, {d});
  expect_sig(Op::kF32DemoteF64, {d}, {f});
  expect_sig(Op::kI32Const, {}, {i});
  expect_sig(Op::kF64Const, {}, {d});
  expect_sig(Op::kI64TruncSatF64U, {d}, {l});
  expect_sig(Op::kTableSize, {}, {i});
  expect_sig(Op::kTableInit, {i, i, i}, {});
  expect_sig(Op::kDataDrop, {}, {});
  expect_sig(Op::kV128Bitselect, {v, v, v}, {v});
  expect_sig(Op::kV128AnyTrue, {v}, {i});
  expect_sig(Op::kI64x2Shl, {v, i}, {v});
  expect_sig(Op::kV128Store, {i, v}, {});
  expect_sig(Op::kV128Load8Lane, {i, v}, {v});
  expect_sig(Op::kI64x2ExtractLane, {v}, {l});
  expect_sig(Op::kF64x2ReplaceLane, {v, d}, {v});
  expect_sig(Op::kMemoryAtomicWait32, {i, i, l}, {i});
  expect_sig(Op::kI64AtomicRmwCmpxchg, {i, l, l}, {l});
}

TEST(OpcodeSignatures, PolymorphicInstructionsAreMarked) {
  for (Op op :
       {Op::kUnreachable, Op::kBlock,        Op::kBr,       Op::kBrTable,    Op::kReturn,
        Op::kCall,        Op::kCallIndirect, Op::kDrop,     Op::kSelect,     Op::kSelectT,
        Op::kLocalGet,    Op::kGlobalSet,    Op::kTableGet, Op::kMemorySize, Op::kMemoryGrow,
        Op::kRefNull,     Op::kRefIsNull,    Op::kRefFunc,  Op::kMemoryInit, Op::kMemoryCopy,
        Op::kTableGrow}) {
    EXPECT_TRUE(op_info(op).sig.polymorphic) << text_of(op);
  }
}

// Every MVP numeric instruction (0x45..0xc4) follows the naming convention: comparisons yield
// i32; otherwise the result has the type of the name's prefix; conversions take the type named
// in their suffix ("i32.wrap_i64"), the rest take their prefix type.
TEST(OpcodeSignatures, NumericInstructionsFollowTheirNames) {
  for (uint32_t code = 0x45; code <= 0xc4; ++code) {
    Op op = lookup_op(0, code);
    ASSERT_NE(op, Op::kInvalid) << code;
    std::string text = text_of(op);
    SCOPED_TRACE(text);
    const OpSig& sig = op_info(op).sig;
    ASSERT_FALSE(sig.polymorphic);
    ValType prefix = type_of_prefix(text);
    ASSERT_NE(prefix, ValType::kBottom);
    std::string_view rest = std::string_view(text).substr(4);
    bool compare = code <= 0x66;
    bool conversion = code >= 0xa7 && code <= 0xbf;
    EXPECT_EQ(sig.num_results, 1);
    EXPECT_EQ(sig.result, compare ? ValType::kI32 : prefix);
    ValType param = prefix;
    if (conversion) {
      size_t at = rest.find('_');
      ASSERT_NE(at, std::string_view::npos);
      param = type_of_prefix(rest.substr(at + 1));
      ASSERT_NE(param, ValType::kBottom);
    }
    bool unary = rest == "eqz" || rest == "clz" || rest == "ctz" || rest == "popcnt" ||
                 rest == "abs" || rest == "neg" || rest == "ceil" || rest == "floor" ||
                 rest == "trunc" || rest == "nearest" || rest == "sqrt" || conversion ||
                 rest.starts_with("extend");
    ASSERT_EQ(sig.num_params, unary ? 1 : 2);
    for (int k = 0; k < sig.num_params; ++k) EXPECT_EQ(sig.params[k], param);
  }
}

// SIMD lane and splat instructions: the scalar side is the lane type of the shape.
TEST(OpcodeSignatures, SimdLaneInstructionsUseTheShapesLaneType) {
  auto lane_type = [](std::string_view text) {
    if (text.starts_with("i8x16") || text.starts_with("i16x8") || text.starts_with("i32x4"))
      return ValType::kI32;
    if (text.starts_with("i64x2")) return ValType::kI64;
    if (text.starts_with("f32x4")) return ValType::kF32;
    if (text.starts_with("f64x2")) return ValType::kF64;
    return ValType::kBottom;
  };
  int checked = 0;
  for (Op op : all_ops()) {
    std::string text = text_of(op);
    const OpSig& sig = op_info(op).sig;
    SCOPED_TRACE(text);
    if (text.find(".extract_lane") != std::string::npos) {
      ASSERT_EQ(sig.num_params, 1);
      EXPECT_EQ(sig.params[0], ValType::kV128);
      EXPECT_EQ(sig.result, lane_type(text));
      uint32_t lane_bits = text.starts_with("i8x16")                                  ? 8
                           : text.starts_with("i16x8")                                ? 16
                           : (text.starts_with("i32x4") || text.starts_with("f32x4")) ? 32
                                                                                      : 64;
      EXPECT_EQ(lane_count(op_info(op).imm), 128 / lane_bits);
      ++checked;
    } else if (text.find(".replace_lane") != std::string::npos) {
      ASSERT_EQ(sig.num_params, 2);
      EXPECT_EQ(sig.params[0], ValType::kV128);
      EXPECT_EQ(sig.params[1], lane_type(text));
      EXPECT_EQ(sig.result, ValType::kV128);
      ++checked;
    } else if (text.ends_with(".splat") && !text.starts_with("v128")) {
      ASSERT_EQ(sig.num_params, 1);
      EXPECT_EQ(sig.params[0], lane_type(text));
      EXPECT_EQ(sig.result, ValType::kV128);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8 + 6 + 6);  // 8 extracts, 6 replaces, 6 splats
}

// ---- Memory immediates
// ----------------------------------------------------------------------------

// The natural alignment from the instruction's name: the access width is the number after
// "load"/"store"/"rmw" (NxM for the extending SIMD loads), else the width of the value type.
uint32_t alignment_from_name(std::string_view text) {
  if (text == "memory.atomic.wait64") return 3;
  if (text == "memory.atomic.wait32" || text == "memory.atomic.notify") return 2;
  uint32_t bits = 0;
  for (std::string_view key : {"load", "store", "rmw"}) {
    size_t at = text.rfind(key);
    if (at == std::string_view::npos) continue;
    size_t k = at + key.size();
    uint32_t n = 0;
    while (k < text.size() && text[k] >= '0' && text[k] <= '9') n = n * 10 + (text[k++] - '0');
    if (n && k < text.size() && text[k] == 'x') {
      uint32_t m = 0;
      for (++k; k < text.size() && text[k] >= '0' && text[k] <= '9'; ++k)
        m = m * 10 + (text[k] - '0');
      n *= m;
    }
    if (n) bits = n;
    break;
  }
  if (!bits) bits = text.starts_with("v128") ? 128 : (text[1] == '3' ? 32 : 64);
  uint32_t log2 = 0;
  while ((8u << log2) < bits) ++log2;
  return log2;
}

TEST(OpcodeMemArgs, NaturalAlignmentMatchesAccessWidth) {
  int memory_ops = 0;
  for (Op op : all_ops()) {
    ImmKind imm = op_info(op).imm;
    if (!is_memarg(imm)) continue;
    ++memory_ops;
    std::string text = text_of(op);
    EXPECT_EQ(natural_alignment_log2(imm), alignment_from_name(text)) << text;
    bool lane = text.ends_with("_lane");
    EXPECT_EQ(is_mem_lane(imm), lane) << text;
  }
  // 23 MVP loads/stores, 22 SIMD memory instructions, 66 atomics (all but atomic.fence).
  EXPECT_EQ(memory_ops, 23 + 22 + 66);
}

TEST(OpcodeMemArgs, SelectedNaturalAlignments) {
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kI32Load8S).imm), 0u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kI64Load16U).imm), 1u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kI32Load).imm), 2u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kI64Load32S).imm), 2u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kF64Store).imm), 3u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kV128Load).imm), 4u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kV128Load8x8S).imm), 3u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kV128Load8Splat).imm), 0u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kV128Load32Zero).imm), 2u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kV128Store64Lane).imm), 3u);
  EXPECT_EQ(natural_alignment_log2(op_info(Op::kI64AtomicRmw8AddU).imm), 0u);
  EXPECT_EQ(natural_alignment_log2(ImmKind::None), 0u);
  EXPECT_EQ(lane_count(op_info(Op::kV128Load16Lane).imm), 8u);
  EXPECT_EQ(lane_count(op_info(Op::kI8x16ExtractLaneU).imm), 16u);
  EXPECT_EQ(lane_count(ImmKind::None), 0u);
  EXPECT_FALSE(is_memarg(op_info(Op::kMemorySize).imm));
  EXPECT_FALSE(is_memarg(op_info(Op::kI8x16Shuffle).imm));
}

// The immediate column drives skip_immediates: each instruction below, followed by a marker byte,
// must leave the reader exactly at the marker.
TEST(OpcodeImmediates, SkipImmediatesConsumesExactlyTheImmediates) {
  struct Case {
    Op op;
    Bytes imm;
  };
  const Case cases[] = {
      {Op::kBlock, {0x40}},
      {Op::kBlock, {0x7f}},
      {Op::kBlock, test::s64(300)},  // type index as s33
      {Op::kBr, test::u32(1000)},
      {Op::kBrTable, {0x02, 0x00, 0x01, 0x02}},
      {Op::kCallIndirect, {0x05, 0x00}},
      {Op::kI32Load, {0x02, 0x80, 0x80, 0x04}},
      {Op::kV128Load8Lane, {0x00, 0x10, 0x0f}},
      {Op::kI32Const, test::s32(-123456)},
      {Op::kI64Const, test::s64(INT64_MIN)},
      {Op::kF32Const, {1, 2, 3, 4}},
      {Op::kF64Const, {1, 2, 3, 4, 5, 6, 7, 8}},
      {Op::kV128Const, Bytes(16, 0xaa)},
      {Op::kI8x16Shuffle, Bytes(16, 0x01)},
      {Op::kSelectT, {0x01, 0x7f}},
      {Op::kRefNull, {0x6f}},
      {Op::kMemorySize, {0x00}},
      {Op::kMemoryInit, {0x03, 0x00}},
      {Op::kMemoryCopy, {0x00, 0x00}},
      {Op::kTableInit, {0x01, 0x00}},
      {Op::kI16x8ExtractLaneS, {0x07}},
      {Op::kNop, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(text_of(c.op));
    Bytes bytes = test::cat(c.imm, 0xee);
    Reader r(bytes);
    skip_immediates(r, c.op, Features{});
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r.read_u8(), 0xee);
    EXPECT_TRUE(r.at_end());
  }
}

TEST(OpcodeImmediates, ReservedZeroBytes) {
  Bytes bytes = {0x01};
  Reader r(bytes);
  skip_immediates(r, Op::kMemorySize, Features{});
  EXPECT_TRUE(test::ErrorIs(r.error(), ErrorKind::kMalformed, "zero byte expected"));
}

}  // namespace
}  // namespace keel

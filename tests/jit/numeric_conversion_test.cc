#include <cmath>
#include <string_view>

#include "jit/numeric_harness.h"
#include "jit/numeric_values.h"

namespace keel::jit::testing {
namespace {

bool is_canonical_or_number(ValType t, uint64_t b) {
  if (t == ValType::kF32) {
    const uint32_t m = uint32_t(b) & 0x7fffffffu;
    return m <= 0x7f800000u || m == 0x7fc00000u;
  }
  if (t != ValType::kF64) return true;
  const uint64_t m = b & ~(1ull << 63);
  return m <= 0x7ff0000000000000ull || m == 0x7ff8000000000000ull;
}

uint64_t width_mask(ValType t) {
  return t == ValType::kI32 || t == ValType::kF32 ? 0xffffffffull : ~0ull;
}

Outcome reference(Op op, uint64_t a) {
  const OpSig& sig = op_info(op).sig;
  const ValType from = sig.params[0], to = sig.result;
  const std::string_view name = op_text(op);
  auto has = [&](std::string_view s) { return name.find(s) != std::string_view::npos; };
  auto val = [&](uint64_t v) { return Outcome{v & width_mask(to)}; };
  if (has("reinterpret")) return val(a);
  if (has("wrap") || has("extend_i32_u")) return val(uint32_t(a));
  if (has("extend_i32_s") || has("extend32_s")) return val(uint64_t(int64_t(int32_t(a))));
  if (has("extend8_s")) return val(uint64_t(int64_t(int8_t(a))));
  if (has("extend16_s")) return val(uint64_t(int64_t(int16_t(a))));
  if (has("trunc")) {
    const double x = from == ValType::kF32 ? double(as_f32(a)) : as_f64(a);
    const bool sat = has("sat"), is_signed = name.ends_with("_s");
    const int bits = to == ValType::kI32 ? 32 : 64;
    const double lo = is_signed ? -std::ldexp(1.0, bits - 1) : 0.0;
    const double hi = std::ldexp(1.0, is_signed ? bits - 1 : bits);
    const uint64_t min = is_signed ? uint64_t(1) << (bits - 1) : 0;
    const uint64_t max = is_signed ? min - 1 : width_mask(to);
    if (std::isnan(x)) return sat ? val(0) : Outcome{0, TrapCode::kInvalidConversion};
    const double t = std::trunc(x);
    if (t < lo) return sat ? val(min) : Outcome{0, TrapCode::kIntegerOverflow};
    if (t >= hi) return sat ? val(max) : Outcome{0, TrapCode::kIntegerOverflow};
    return val(is_signed ? uint64_t(int64_t(t)) : uint64_t(t));
  }
  if (has("convert")) {
    auto out = [&](auto v) {
      return to == ValType::kF32 ? val(f32_bits(float(v))) : val(f64_bits(double(v)));
    };
    if (has("i32_s")) return out(int32_t(a));
    if (has("i32_u")) return out(uint32_t(a));
    if (has("i64_s")) return out(int64_t(a));
    return out(a);
  }
  if (has("demote")) return val(f32_bits(float(as_f64(a))));
  if (has("promote")) return val(f64_bits(double(as_f32(a))));
  ADD_FAILURE() << "no reference for " << name;
  return {};
}

const Op kConversionOps[] = {
    Op::kI32WrapI64,        Op::kI32TruncF32S,      Op::kI32TruncF32U,      Op::kI32TruncF64S,
    Op::kI32TruncF64U,      Op::kI64ExtendI32S,     Op::kI64ExtendI32U,     Op::kI64TruncF32S,
    Op::kI64TruncF32U,      Op::kI64TruncF64S,      Op::kI64TruncF64U,      Op::kF32ConvertI32S,
    Op::kF32ConvertI32U,    Op::kF32ConvertI64S,    Op::kF32ConvertI64U,    Op::kF32DemoteF64,
    Op::kF64ConvertI32S,    Op::kF64ConvertI32U,    Op::kF64ConvertI64S,    Op::kF64ConvertI64U,
    Op::kF64PromoteF32,     Op::kI32ReinterpretF32, Op::kI64ReinterpretF64, Op::kF32ReinterpretI32,
    Op::kF64ReinterpretI64, Op::kI32Extend8S,       Op::kI32Extend16S,      Op::kI64Extend8S,
    Op::kI64Extend16S,      Op::kI64Extend32S,      Op::kI32TruncSatF32S,   Op::kI32TruncSatF32U,
    Op::kI32TruncSatF64S,   Op::kI32TruncSatF64U,   Op::kI64TruncSatF32S,   Op::kI64TruncSatF32U,
    Op::kI64TruncSatF64S,   Op::kI64TruncSatF64U,
};

std::vector<uint64_t> values_of(ValType t) {
  switch (t) {
    case ValType::kI32:
      return i32_values();
    case ValType::kI64: {
      std::vector<uint64_t> v = i64_values();
      // Around the f64 and f32 rounding points of large u64 values.
      for (uint64_t b : std::initializer_list<uint64_t>{
               0x8000000000000401ull, 0xfffffffffffff401ull, 0x8000008000000001ull,
               0xfffffe8000000001ull, 0x0020000000000001ull, 0xfffffffffffffbffull,
               0x8000000000000400ull, 0x8000000000000c00ull, 0x7fffffffffffffffull}) {
        v.push_back(b);
      }
      return v;
    }
    case ValType::kF32:
      return f32_values();
    default:
      return f64_values();
  }
}

class ConversionOp : public ::testing::TestWithParam<OpParam> {};

TEST_P(ConversionOp, MatchesReference) {
  const Op op = GetParam().op;
  const platform::CpuFeatures cpu = cpu_for(GetParam().baseline);
  ASSERT_TRUE(is_numeric_op(op));
  ASSERT_FALSE(numeric_accepts_imm(op));
  const OpSig& sig = op_info(op).sig;
  const bool exact_bits =
      !is_float(sig.result) || op_text(op).find("reinterpret") != std::string_view::npos;
  for (Shape shape : {Shape::kDstIsLhs, Shape::kDstOther}) {
    Compiled fn(op, shape, cpu);
    ASSERT_TRUE(fn.ok()) << fn.error();
    for (uint64_t a : values_of(sig.params[0])) {
      const Outcome want = reference(op, a);
      const Outcome got = fn.run(a, 0);
      ASSERT_EQ(got.trap, want.trap) << op_text(op) << " " << hex(a);
      if (got.trap != TrapCode::kNone) continue;
      if (exact_bits) {
        ASSERT_EQ(got.bits, want.bits) << op_text(op) << " " << hex(a) << " " << shape_name(shape);
      } else {
        ASSERT_TRUE(float_matches(sig.result, got.bits, want.bits,
                                  is_canonical_or_number(sig.params[0], a)))
            << op_text(op) << " " << hex(a) << " " << shape_name(shape) << " got " << hex(got.bits)
            << " want " << hex(want.bits);
      }
    }
  }
}

// Values from the spec test suite (conversions.wast), independent of the C++ reference.
TEST(NumericConversion, UnsignedToFloatRoundsOnce) {
  for (bool baseline : {false, true}) {
    const platform::CpuFeatures cpu = cpu_for(baseline);
    Compiled f32(Op::kF32ConvertI64U, Shape::kDstOther, cpu);
    Compiled f64(Op::kF64ConvertI64U, Shape::kDstOther, cpu);
    EXPECT_EQ(f32.run(0x8000008000000001, 0).bits, 0x5f000001u);
    EXPECT_EQ(f32.run(0xfffffe8000000001, 0).bits, 0x5f7fffffu);
    EXPECT_EQ(f32.run(0xffffffffffffffff, 0).bits, 0x5f800000u);
    EXPECT_EQ(f64.run(0x8000000000000401, 0).bits, 0x43e0000000000001u);
    EXPECT_EQ(f64.run(0xfffffffffffff401, 0).bits, 0x43efffffffffffffu);
    EXPECT_EQ(f64.run(0xffffffffffffffff, 0).bits, 0x43f0000000000000u);
  }
}

TEST(NumericConversion, TruncationTrapsAndSaturates) {
  const platform::CpuFeatures cpu = platform::CpuFeatures::detect();
  Compiled s(Op::kI32TruncF64S, Shape::kDstOther, cpu);
  EXPECT_EQ(s.run(f64_bits(-2147483648.9), 0).bits, 0x80000000u);
  EXPECT_EQ(s.run(f64_bits(-2147483649.0), 0).trap, TrapCode::kIntegerOverflow);
  EXPECT_EQ(s.run(f64_bits(2147483647.9), 0).bits, 0x7fffffffu);
  EXPECT_EQ(s.run(f64_bits(2147483648.0), 0).trap, TrapCode::kIntegerOverflow);
  EXPECT_EQ(s.run(f64_bits(NAN), 0).trap, TrapCode::kInvalidConversion);
  Compiled u(Op::kI64TruncF32U, Shape::kDstOther, cpu);
  EXPECT_EQ(u.run(f32_bits(-0.9f), 0).bits, 0u);
  EXPECT_EQ(u.run(f32_bits(-1.0f), 0).trap, TrapCode::kIntegerOverflow);
  EXPECT_EQ(u.run(f32_bits(1.8446743e19f), 0).bits, 0xffffff0000000000u);
  EXPECT_EQ(u.run(f32_bits(1.8446744e19f), 0).trap, TrapCode::kIntegerOverflow);
  Compiled sat(Op::kI64TruncSatF64U, Shape::kDstOther, cpu);
  EXPECT_EQ(sat.run(f64_bits(1e30), 0).bits, ~0ull);
  EXPECT_EQ(sat.run(f64_bits(-1e30), 0).bits, 0u);
  EXPECT_EQ(sat.run(f64_bits(-NAN), 0).bits, 0u);
  EXPECT_EQ(sat.run(f64_bits(9223372036854775808.0), 0).bits, 0x8000000000000000u);
}

INSTANTIATE_TEST_SUITE_P(NumericConversion, ConversionOp,
                         ::testing::ValuesIn(op_params(kConversionOps)), op_param_name);

}  // namespace
}  // namespace keel::jit::testing

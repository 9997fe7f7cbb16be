#include <algorithm>
#include <cmath>

#include "jit/numeric_harness.h"
#include "jit/numeric_values.h"

namespace keel::jit::testing {
namespace {

template <typename F>
bool is_nan_bits(uint64_t b) {
  if constexpr (sizeof(F) == 4) return (uint32_t(b) & 0x7fffffffu) > 0x7f800000u;
  return (b & ~(1ull << 63)) > 0x7ff0000000000000ull;
}

template <typename F>
bool canonical_or_number(uint64_t b) {
  if (!is_nan_bits<F>(b)) return true;
  if constexpr (sizeof(F) == 4) return (uint32_t(b) & 0x7fffffffu) == 0x7fc00000u;
  return (b & ~(1ull << 63)) == 0x7ff8000000000000ull;
}

template <typename F, typename U>
Outcome reference_t(Op op, uint64_t ab, uint64_t bb) {
  const F a = std::bit_cast<F>(U(ab)), b = std::bit_cast<F>(U(bb));
  constexpr int sign = sizeof(F) * 8 - 1;
  auto val = [](F x) { return Outcome{uint64_t(std::bit_cast<U>(x))}; };
  auto bits = [](U x) { return Outcome{uint64_t(x)}; };
  auto flag = [](bool x) { return Outcome{uint64_t(x ? 1 : 0)}; };
  const std::string_view name = op_text(op).substr(4);
  if (name == "add") return val(a + b);
  if (name == "sub") return val(a - b);
  if (name == "mul") return val(a * b);
  if (name == "div") return val(a / b);
  if (name == "sqrt") return val(std::sqrt(a));
  if (name == "min" || name == "max") {
    if (std::isnan(a) || std::isnan(b)) return val(a + b);
    if (a == 0 && b == 0) {
      const bool neg =
          name == "min" ? std::signbit(a) || std::signbit(b) : std::signbit(a) && std::signbit(b);
      return val(neg ? F(-0.0) : F(0.0));
    }
    return val(name == "min" ? std::min(a, b) : std::max(a, b));
  }
  const U s = U(1) << sign;
  if (name == "abs") return bits(U(ab) & ~s);
  if (name == "neg") return bits(U(ab) ^ s);
  if (name == "copysign") return bits((U(ab) & ~s) | (U(bb) & s));
  if (name == "ceil") return val(std::ceil(a));
  if (name == "floor") return val(std::floor(a));
  if (name == "trunc") return val(std::trunc(a));
  if (name == "nearest") return val(std::nearbyint(a));
  if (name == "eq") return flag(a == b);
  if (name == "ne") return flag(a != b);
  if (name == "lt") return flag(a < b);
  if (name == "gt") return flag(a > b);
  if (name == "le") return flag(a <= b);
  if (name == "ge") return flag(a >= b);
  ADD_FAILURE() << "no reference for " << op_text(op);
  return {};
}

const Op kFloatOps[] = {
    Op::kF32Eq,    Op::kF32Ne,       Op::kF32Lt,   Op::kF32Gt,       Op::kF32Le,    Op::kF32Ge,
    Op::kF64Eq,    Op::kF64Ne,       Op::kF64Lt,   Op::kF64Gt,       Op::kF64Le,    Op::kF64Ge,
    Op::kF32Abs,   Op::kF32Neg,      Op::kF32Ceil, Op::kF32Floor,    Op::kF32Trunc, Op::kF32Nearest,
    Op::kF32Sqrt,  Op::kF32Add,      Op::kF32Sub,  Op::kF32Mul,      Op::kF32Div,   Op::kF32Min,
    Op::kF32Max,   Op::kF32Copysign, Op::kF64Abs,  Op::kF64Neg,      Op::kF64Ceil,  Op::kF64Floor,
    Op::kF64Trunc, Op::kF64Nearest,  Op::kF64Sqrt, Op::kF64Add,      Op::kF64Sub,   Op::kF64Mul,
    Op::kF64Div,   Op::kF64Min,      Op::kF64Max,  Op::kF64Copysign,
};

class FloatOp : public ::testing::TestWithParam<OpParam> {};

TEST_P(FloatOp, MatchesReference) {
  const Op op = GetParam().op;
  const platform::CpuFeatures cpu = cpu_for(GetParam().baseline);
  ASSERT_TRUE(is_numeric_op(op));
  ASSERT_FALSE(numeric_accepts_imm(op));
  const OpSig& sig = op_info(op).sig;
  const bool wide = sig.params[0] == ValType::kF64;
  const std::vector<uint64_t> values = wide ? f64_values() : f32_values();
  const bool binary = sig.num_params == 2;
  const std::string_view name = op_text(op).substr(4);
  // Sign operations are bitwise: NaN payloads must come through unchanged.
  const bool bitwise = name == "abs" || name == "neg" || name == "copysign";
  for (Shape shape : {Shape::kDstIsLhs, Shape::kDstOther, Shape::kSameOperands}) {
    if (shape == Shape::kSameOperands && !binary) continue;
    Compiled fn(op, shape, cpu);
    ASSERT_TRUE(fn.ok()) << fn.error();
    for (uint64_t a : values) {
      for (uint64_t b : shape == Shape::kSameOperands ? std::vector<uint64_t>{a}
                        : binary                      ? values
                                                      : std::vector<uint64_t>{0}) {
        const Outcome want =
            wide ? reference_t<double, uint64_t>(op, a, b) : reference_t<float, uint32_t>(op, a, b);
        const Outcome got = fn.run(a, b);
        const bool canonical =
            wide ? canonical_or_number<double>(a) && (!binary || canonical_or_number<double>(b))
                 : canonical_or_number<float>(a) && (!binary || canonical_or_number<float>(b));
        ASSERT_EQ(got.trap, TrapCode::kNone);
        if (is_float(sig.result) && !bitwise) {
          ASSERT_TRUE(float_matches(sig.result, got.bits, want.bits, canonical))
              << op_text(op) << " " << hex(a) << " " << hex(b) << " " << shape_name(shape)
              << " got " << hex(got.bits) << " want " << hex(want.bits);
        } else {
          ASSERT_EQ(got.bits, want.bits)
              << op_text(op) << " " << hex(a) << " " << hex(b) << " " << shape_name(shape);
        }
      }
    }
  }
}

// Ties and the neighbours of ties, where an inexact fallback would go wrong first.
TEST(NumericFloat, NearestTiesToEvenWithoutSse41) {
  Compiled f32(Op::kF32Nearest, Shape::kDstOther, platform::CpuFeatures::baseline());
  Compiled f64(Op::kF64Nearest, Shape::kDstOther, platform::CpuFeatures::baseline());
  for (double x : {0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 4194304.5, 4194303.5, 8388607.5,
                   4503599627370495.5, 2251799813685247.5, 0.49999999999999994, -0.0}) {
    EXPECT_EQ(f64.run(f64_bits(x), 0).bits, f64_bits(std::nearbyint(x))) << x;
    const float y = float(x);
    EXPECT_EQ(f32.run(f32_bits(y), 0).bits, f32_bits(std::nearbyint(y))) << y;
  }
}

INSTANTIATE_TEST_SUITE_P(NumericFloat, FloatOp, ::testing::ValuesIn(op_params(kFloatOps)),
                         op_param_name);

}  // namespace
}  // namespace keel::jit::testing

#include <algorithm>
#include <cmath>

#include "jit/numeric_harness.h"

namespace keel::jit::testing {
namespace {

std::vector<uint64_t> f32_values() {
  std::vector<uint64_t> v = {0x00000000, 0x80000000, 0x3f800000,
                             0xbf800000, 0x3f000000, 0xbf000000,  // 0 -0 1 -1 .5 -.5
                             0x3fc00000, 0xbfc00000, 0x40200000,
                             0xc0200000, 0x40600000, 0xc0600000,  // 1.5 2.5 3.5
                             0x3effffff, 0xbeffffff, 0x3f7fffff,
                             0x3f800001, 0x00000001, 0x80000001,  // ~0.5 ~1 denormal
                             0x007fffff, 0x00800000, 0x7f7fffff,
                             0xff7fffff, 0x7f800000, 0xff800000,  // min normal, max, inf
                             0x4b000000, 0xcb000000, 0x4affffff,
                             0xcaffffff, 0x4b000001, 0x4a800001,  // 2^23 region
                             0x4effffff, 0x4f000000, 0xcf000000,
                             0xcf000001, 0x5f000000, 0xdf000000,  // 2^31, 2^63
                             0x7fc00000, 0xffc00000, 0x7fc12345,
                             0x7fa00000, 0xff812345, 0x7f800001,  // NaNs
                             0x40490fdb, 0xc2f6e979};
  uint64_t state = 3232;
  for (int i = 0; i < 8; ++i) v.push_back(uint32_t(mix(state)));
  return v;
}

std::vector<uint64_t> f64_values() {
  std::vector<uint64_t> v = {
      0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff0000000000000,
      0x3fe0000000000000, 0xbfe0000000000000, 0x3ff8000000000000, 0xbff8000000000000,
      0x4004000000000000, 0xc004000000000000, 0x400c000000000000, 0xc00c000000000000,
      0x3fdfffffffffffff, 0xbfdfffffffffffff, 0x3fefffffffffffff, 0x3ff0000000000001,
      0x0000000000000001, 0x8000000000000001, 0x000fffffffffffff, 0x0010000000000000,
      0x7fefffffffffffff, 0xffefffffffffffff, 0x7ff0000000000000, 0xfff0000000000000,
      0x4330000000000000, 0xc330000000000000, 0x432fffffffffffff, 0xc32fffffffffffff,
      0x4330000000000001, 0x4320000000000001, 0x41dfffffffc00000, 0x41e0000000000000,
      0xc1e0000000000000, 0xc1e0000000200000, 0x43e0000000000000, 0xc3e0000000000000,
      0x7ff8000000000000, 0xfff8000000000000, 0x7ff8000000012345, 0x7ff4000000000000,
      0xfff0000000012345, 0x7ff0000000000001, 0x400921fb54442d18, 0xc05edd2f1a9fbe77};
  uint64_t state = 6464;
  for (int i = 0; i < 8; ++i) v.push_back(mix(state));
  return v;
}

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

struct Param {
  Op op;
  bool baseline;
};

class FloatOp : public ::testing::TestWithParam<Param> {};

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
  for (Shape shape : {Shape::kDstIsLhs, Shape::kDstOther}) {
    Compiled fn(op, shape, cpu);
    ASSERT_TRUE(fn.ok()) << fn.error();
    for (uint64_t a : values) {
      for (uint64_t b : binary ? values : std::vector<uint64_t>{0}) {
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

std::vector<Param> params() {
  std::vector<Param> out;
  for (bool baseline : {false, true}) {
    for (Op op : kFloatOps) out.push_back({op, baseline});
  }
  return out;
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  std::string name(op_text(info.param.op));
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name + (info.param.baseline ? "_baseline" : "_detected");
}

INSTANTIATE_TEST_SUITE_P(NumericFloat, FloatOp, ::testing::ValuesIn(params()), param_name);

}  // namespace
}  // namespace keel::jit::testing

#include <limits>

#include "jit/numeric_harness.h"
#include "jit/numeric_values.h"

namespace keel::jit::testing {
namespace {

template <typename T>
T rotl(T x, unsigned n) {
  constexpr unsigned w = sizeof(T) * 8;
  n %= w;
  return n == 0 ? x : T(x << n) | T(x >> (w - n));
}

template <typename S, typename U>
Outcome reference_t(Op op, U a, U b) {
  constexpr unsigned w = sizeof(U) * 8;
  const S sa = S(a), sb = S(b);
  auto val = [](U x) { return Outcome{uint64_t(x)}; };
  auto flag = [](bool x) { return Outcome{uint64_t(x ? 1 : 0)}; };
  auto trap = [](TrapCode c) { return Outcome{0, c}; };
  const std::string_view name = op_text(op).substr(4);
  if (name == "add") return val(U(a + b));
  if (name == "sub") return val(U(a - b));
  if (name == "mul") return val(U(a * b));
  if (name == "and") return val(a & b);
  if (name == "or") return val(a | b);
  if (name == "xor") return val(a ^ b);
  if (name == "shl") return val(U(a << (b % w)));
  if (name == "shr_s") return val(U(sa >> (b % w)));
  if (name == "shr_u") return val(U(a >> (b % w)));
  if (name == "rotl") return val(rotl(a, unsigned(b % w)));
  if (name == "rotr") return val(rotl(a, unsigned((w - b % w) % w)));
  if (name == "div_s" || name == "rem_s") {
    if (b == 0) return trap(TrapCode::kIntegerDivideByZero);
    if (sa == std::numeric_limits<S>::min() && sb == -1) {
      return name == "div_s" ? trap(TrapCode::kIntegerOverflow) : val(0);
    }
    return val(U(name == "div_s" ? sa / sb : sa % sb));
  }
  if (name == "div_u" || name == "rem_u") {
    if (b == 0) return trap(TrapCode::kIntegerDivideByZero);
    return val(name == "div_u" ? a / b : a % b);
  }
  if (name == "eqz") return flag(a == 0);
  if (name == "eq") return flag(a == b);
  if (name == "ne") return flag(a != b);
  if (name == "lt_s") return flag(sa < sb);
  if (name == "lt_u") return flag(a < b);
  if (name == "gt_s") return flag(sa > sb);
  if (name == "gt_u") return flag(a > b);
  if (name == "le_s") return flag(sa <= sb);
  if (name == "le_u") return flag(a <= b);
  if (name == "ge_s") return flag(sa >= sb);
  if (name == "ge_u") return flag(a >= b);
  if (name == "clz") return val(U(std::countl_zero(a)));
  if (name == "ctz") return val(U(std::countr_zero(a)));
  if (name == "popcnt") return val(U(std::popcount(a)));
  ADD_FAILURE() << "no reference for " << op_text(op);
  return {};
}

Outcome reference(Op op, uint64_t a, uint64_t b) {
  if (op_info(op).sig.params[0] == ValType::kI32) {
    return reference_t<int32_t, uint32_t>(op, uint32_t(a), uint32_t(b));
  }
  return reference_t<int64_t, uint64_t>(op, a, b);
}

const Op kIntegerOps[] = {
    Op::kI32Eqz,    Op::kI32Eq,   Op::kI32Ne,   Op::kI32LtS,  Op::kI32LtU,  Op::kI32GtS,
    Op::kI32GtU,    Op::kI32LeS,  Op::kI32LeU,  Op::kI32GeS,  Op::kI32GeU,  Op::kI64Eqz,
    Op::kI64Eq,     Op::kI64Ne,   Op::kI64LtS,  Op::kI64LtU,  Op::kI64GtS,  Op::kI64GtU,
    Op::kI64LeS,    Op::kI64LeU,  Op::kI64GeS,  Op::kI64GeU,  Op::kI32Clz,  Op::kI32Ctz,
    Op::kI32Popcnt, Op::kI32Add,  Op::kI32Sub,  Op::kI32Mul,  Op::kI32DivS, Op::kI32DivU,
    Op::kI32RemS,   Op::kI32RemU, Op::kI32And,  Op::kI32Or,   Op::kI32Xor,  Op::kI32Shl,
    Op::kI32ShrS,   Op::kI32ShrU, Op::kI32Rotl, Op::kI32Rotr, Op::kI64Clz,  Op::kI64Ctz,
    Op::kI64Popcnt, Op::kI64Add,  Op::kI64Sub,  Op::kI64Mul,  Op::kI64DivS, Op::kI64DivU,
    Op::kI64RemS,   Op::kI64RemU, Op::kI64And,  Op::kI64Or,   Op::kI64Xor,  Op::kI64Shl,
    Op::kI64ShrS,   Op::kI64ShrU, Op::kI64Rotl, Op::kI64Rotr,
};

class IntegerOp : public ::testing::TestWithParam<OpParam> {};

TEST_P(IntegerOp, MatchesReference) {
  const Op op = GetParam().op;
  const platform::CpuFeatures cpu = cpu_for(GetParam().baseline);
  ASSERT_TRUE(is_numeric_op(op));
  const bool wide = op_info(op).sig.params[0] == ValType::kI64;
  const std::vector<uint64_t> values = wide ? i64_values() : i32_values();
  const bool binary = op_info(op).sig.num_params == 2;
  for (Shape shape : {Shape::kDstIsLhs, Shape::kDstOther}) {
    Compiled fn(op, shape, cpu);
    ASSERT_TRUE(fn.ok()) << fn.error();
    for (uint64_t a : values) {
      for (uint64_t b : binary ? values : std::vector<uint64_t>{0}) {
        const Outcome want = reference(op, a, b);
        const Outcome got = fn.run(a, b);
        ASSERT_EQ(got.trap, want.trap)
            << op_text(op) << " " << hex(a) << " " << hex(b) << " " << shape_name(shape);
        ASSERT_EQ(got.bits, want.bits)
            << op_text(op) << " " << hex(a) << " " << hex(b) << " " << shape_name(shape);
      }
    }
  }
  if (binary) {
    Compiled fn(op, Shape::kSameOperands, cpu);
    ASSERT_TRUE(fn.ok()) << fn.error();
    for (uint64_t a : values) {
      const Outcome want = reference(op, a, a);
      const Outcome got = fn.run(a, a);
      ASSERT_EQ(got.trap, want.trap) << op_text(op) << " " << hex(a) << " lhs==rhs";
      ASSERT_EQ(got.bits, want.bits) << op_text(op) << " " << hex(a) << " lhs==rhs";
    }
  }
  if (!binary || !numeric_accepts_imm(op)) return;
  for (uint64_t b : values) {
    // An immediate is a sign-extended int32; i64 operands outside that range stay in registers.
    const int32_t imm = int32_t(uint32_t(b));
    if (wide && uint64_t(int64_t(imm)) != b) continue;
    Compiled fn(op, Shape::kImm, cpu, imm);
    ASSERT_TRUE(fn.ok()) << fn.error();
    for (uint64_t a : values) {
      const Outcome want = reference(op, a, b);
      const Outcome got = fn.run(a, 0);
      ASSERT_EQ(got.trap, want.trap) << op_text(op) << " " << hex(a) << " imm " << imm;
      ASSERT_EQ(got.bits, want.bits) << op_text(op) << " " << hex(a) << " imm " << imm;
    }
  }
}

TEST(NumericInteger, ImmediatesOnlyWhereX86HasThem) {
  EXPECT_TRUE(numeric_accepts_imm(Op::kI32Add));
  EXPECT_TRUE(numeric_accepts_imm(Op::kI64Rotr));
  EXPECT_TRUE(numeric_accepts_imm(Op::kI64GeU));
  EXPECT_FALSE(numeric_accepts_imm(Op::kI32DivS));
  EXPECT_FALSE(numeric_accepts_imm(Op::kI64Popcnt));
  EXPECT_FALSE(numeric_accepts_imm(Op::kF64Add));
  EXPECT_FALSE(is_numeric_op(Op::kI32Load));
  EXPECT_FALSE(is_numeric_op(Op::kI32Const));
}

// Every scalar numeric instruction (no immediate, scalar operands and result) and nothing else.
TEST(NumericInteger, CoversEveryScalarNumericInstruction) {
  auto scalar = [](ValType t) {
    return t == ValType::kI32 || t == ValType::kI64 || t == ValType::kF32 || t == ValType::kF64;
  };
  int count = 0;
  for (size_t i = 0; i < kOpCount; ++i) {
    const Op op = static_cast<Op>(i);
    const OpInfo& info = op_info(op);
    bool numeric = !info.sig.polymorphic && info.imm == ImmKind::None &&
                   info.sig.num_results == 1 && info.sig.num_params > 0 && scalar(info.sig.result);
    for (int p = 0; p < info.sig.num_params; ++p) numeric = numeric && scalar(info.sig.params[p]);
    EXPECT_EQ(is_numeric_op(op), numeric) << op_text(op);
    count += numeric;
  }
  // 0x45..0xc4 of the MVP and sign-extension sets, and the eight saturating truncations.
  EXPECT_EQ(count, 0xc4 - 0x45 + 1 + 8);
}

INSTANTIATE_TEST_SUITE_P(NumericInteger, IntegerOp, ::testing::ValuesIn(op_params(kIntegerOps)),
                         op_param_name);

}  // namespace
}  // namespace keel::jit::testing

#include "jit/optimizing/wasm_semantics.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

namespace keel::jit::opt {
namespace {

std::optional<uint64_t> fold(Op op, std::initializer_list<uint64_t> args) {
  std::vector<uint64_t> v(args);
  return fold_wasm_op(op, v);
}

constexpr uint64_t kI32Min = 0x80000000;
constexpr uint64_t kI32MinusOne = 0xffffffff;
constexpr uint64_t kI64Min = uint64_t{1} << 63;
constexpr uint64_t kI64MinusOne = ~uint64_t{0};

TEST(WasmSemantics, IntegerArithmeticWrapsLikeWasm) {
  EXPECT_EQ(fold(Op::kI32Add, {0xffffffff, 2}), 1u);
  EXPECT_EQ(fold(Op::kI32Sub, {0, 1}), 0xffffffffu);
  EXPECT_EQ(fold(Op::kI32Mul, {0x10000, 0x10000}), 0u);
  EXPECT_EQ(fold(Op::kI64Add, {kI64MinusOne, 2}), 1u);
  EXPECT_EQ(fold(Op::kI64Mul, {kI64Min, 2}), 0u);
  EXPECT_EQ(fold(Op::kI32And, {0xf0f0, 0xff00}), 0xf000u);
  EXPECT_EQ(fold(Op::kI32Or, {0xf0, 0x0f}), 0xffu);
  EXPECT_EQ(fold(Op::kI64Xor, {0xff, 0x0f}), 0xf0u);
}

TEST(WasmSemantics, ShiftsAndRotatesMaskTheCount) {
  EXPECT_EQ(fold(Op::kI32Shl, {1, 33}), 2u);
  EXPECT_EQ(fold(Op::kI64Shl, {1, 65}), 2u);
  EXPECT_EQ(fold(Op::kI32ShrS, {kI32Min, 31}), 0xffffffffu);
  EXPECT_EQ(fold(Op::kI32ShrU, {kI32Min, 31}), 1u);
  EXPECT_EQ(fold(Op::kI64ShrS, {kI64Min, 63}), kI64MinusOne);
  EXPECT_EQ(fold(Op::kI64ShrU, {kI64Min, 127}), 1u);
  EXPECT_EQ(fold(Op::kI32Rotl, {0x80000001, 1}), 3u);
  EXPECT_EQ(fold(Op::kI32Rotr, {3, 1}), 0x80000001u);
  EXPECT_EQ(fold(Op::kI64Rotl, {kI64Min | 1, 65}), 3u);
  EXPECT_EQ(fold(Op::kI64Rotr, {1, 0}), 1u);
}

TEST(WasmSemantics, BitCountsOfZero) {
  EXPECT_EQ(fold(Op::kI32Clz, {0}), 32u);
  EXPECT_EQ(fold(Op::kI32Ctz, {0}), 32u);
  EXPECT_EQ(fold(Op::kI64Clz, {0}), 64u);
  EXPECT_EQ(fold(Op::kI64Ctz, {0}), 64u);
  EXPECT_EQ(fold(Op::kI32Clz, {1}), 31u);
  EXPECT_EQ(fold(Op::kI64Ctz, {kI64Min}), 63u);
  EXPECT_EQ(fold(Op::kI32Popcnt, {0xffffffff}), 32u);
  EXPECT_EQ(fold(Op::kI64Popcnt, {kI64MinusOne}), 64u);
}

TEST(WasmSemantics, ComparisonsAreSignedOrUnsigned) {
  EXPECT_EQ(fold(Op::kI32LtS, {kI32MinusOne, 0}), 1u);
  EXPECT_EQ(fold(Op::kI32LtU, {kI32MinusOne, 0}), 0u);
  EXPECT_EQ(fold(Op::kI32GeS, {0, kI32Min}), 1u);
  EXPECT_EQ(fold(Op::kI32GeU, {0, kI32Min}), 0u);
  EXPECT_EQ(fold(Op::kI64GtS, {1, kI64MinusOne}), 1u);
  EXPECT_EQ(fold(Op::kI64GtU, {1, kI64MinusOne}), 0u);
  EXPECT_EQ(fold(Op::kI64LeS, {kI64Min, kI64Min}), 1u);
  EXPECT_EQ(fold(Op::kI64LeU, {2, 1}), 0u);
  EXPECT_EQ(fold(Op::kI32Eq, {5, 5}), 1u);
  EXPECT_EQ(fold(Op::kI64Ne, {5, 5}), 0u);
  EXPECT_EQ(fold(Op::kI32Eqz, {0}), 1u);
  EXPECT_EQ(fold(Op::kI64Eqz, {kI64Min}), 0u);
}

TEST(WasmSemantics, DivisionFoldsOnlyWithoutTrap) {
  EXPECT_EQ(fold(Op::kI32DivS, {static_cast<uint32_t>(-7), 2}), static_cast<uint32_t>(-3));
  EXPECT_EQ(fold(Op::kI32RemS, {static_cast<uint32_t>(-7), 2}), static_cast<uint32_t>(-1));
  EXPECT_EQ(fold(Op::kI32DivU, {static_cast<uint32_t>(-7), 2}), 0x7ffffffcu);
  EXPECT_EQ(fold(Op::kI64RemU, {7, 4}), 3u);
  EXPECT_EQ(fold(Op::kI32DivS, {1, 0}), std::nullopt);
  EXPECT_EQ(fold(Op::kI32DivU, {1, 0}), std::nullopt);
  EXPECT_EQ(fold(Op::kI64RemS, {1, 0}), std::nullopt);
  EXPECT_EQ(fold(Op::kI64RemU, {1, 0}), std::nullopt);
  EXPECT_EQ(fold(Op::kI32DivS, {kI32Min, kI32MinusOne}), std::nullopt);  // overflow traps
  EXPECT_EQ(fold(Op::kI64DivS, {kI64Min, kI64MinusOne}), std::nullopt);
  EXPECT_EQ(fold(Op::kI32RemS, {kI32Min, kI32MinusOne}), 0u);  // rem_s does not
  EXPECT_EQ(fold(Op::kI64RemS, {kI64Min, kI64MinusOne}), 0u);
}

TEST(WasmSemantics, ExtensionsAndWraps) {
  EXPECT_EQ(fold(Op::kI32Extend8S, {0x80}), 0xffffff80u);
  EXPECT_EQ(fold(Op::kI32Extend16S, {0x17fff}), 0x7fffu);
  EXPECT_EQ(fold(Op::kI64Extend8S, {0x7f}), 0x7fu);
  EXPECT_EQ(fold(Op::kI64Extend16S, {0x8000}), 0xffffffffffff8000u);
  EXPECT_EQ(fold(Op::kI64Extend32S, {0x80000000}), 0xffffffff80000000u);
  EXPECT_EQ(fold(Op::kI64ExtendI32S, {0xffffffff}), kI64MinusOne);
  EXPECT_EQ(fold(Op::kI64ExtendI32U, {0xffffffff}), 0xffffffffu);
  EXPECT_EQ(fold(Op::kI32WrapI64, {0x123456789}), 0x23456789u);
}

TEST(WasmSemantics, FloatsOnlyAsBits) {
  EXPECT_EQ(fold(Op::kF32Neg, {0x7fc00001}), 0xffc00001u);  // NaN payload kept
  EXPECT_EQ(fold(Op::kF64Abs, {0xfff8000000000001}), 0x7ff8000000000001u);
  EXPECT_EQ(fold(Op::kF32Copysign, {0x3f800000, 0x80000000}), 0xbf800000u);
  EXPECT_EQ(fold(Op::kI32ReinterpretF32, {0x3f800000}), 0x3f800000u);
  EXPECT_EQ(fold(Op::kF64ReinterpretI64, {kI64Min}), kI64Min);
  EXPECT_EQ(fold(Op::kF32Add, {0x3f800000, 0x3f800000}), std::nullopt);
  EXPECT_EQ(fold(Op::kF64Sqrt, {0}), std::nullopt);
  EXPECT_EQ(fold(Op::kI32x4Add, {0, 0}), std::nullopt);
  EXPECT_EQ(fold(Op::kI32TruncF32S, {0}), std::nullopt);
}

TEST(WasmSemantics, TrapsLeftWithAConstantDivisor) {
  uint32_t zero = Effects::trap_bit(TrapCode::kIntegerDivideByZero);
  uint32_t overflow = Effects::trap_bit(TrapCode::kIntegerOverflow);
  EXPECT_EQ(traps_with_constant_divisor(Op::kI32DivS, 3), 0u);
  EXPECT_EQ(traps_with_constant_divisor(Op::kI32DivS, kI32MinusOne), overflow);
  EXPECT_EQ(traps_with_constant_divisor(Op::kI64DivS, kI32MinusOne), 0u);  // not -1 in i64
  EXPECT_EQ(traps_with_constant_divisor(Op::kI64DivS, kI64MinusOne), overflow);
  EXPECT_EQ(traps_with_constant_divisor(Op::kI64RemS, kI64MinusOne), 0u);
  EXPECT_EQ(traps_with_constant_divisor(Op::kI32DivU, 0), zero);
  EXPECT_EQ(traps_with_constant_divisor(Op::kI32DivS, 0), zero | overflow);
  EXPECT_EQ(traps_with_constant_divisor(Op::kI32Add, 0), 0u);
  EXPECT_EQ(traps_with_constant_divisor(Op::kI32TruncF32S, 0), wasm_op_traps(Op::kI32TruncF32S));
}

TEST(WasmSemantics, Commutativity) {
  for (Op op :
       {Op::kI32Add, Op::kI64Mul, Op::kI32And, Op::kI64Or, Op::kI32Xor, Op::kI64Eq, Op::kI32Ne})
    EXPECT_TRUE(is_commutative(op)) << op_text(op);
  for (Op op : {Op::kI32Sub, Op::kI64Shl, Op::kI32LtS, Op::kF32Add, Op::kI32x4Add, Op::kI32DivU})
    EXPECT_FALSE(is_commutative(op)) << op_text(op);
}

}  // namespace
}  // namespace keel::jit::opt

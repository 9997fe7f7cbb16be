#include "jit/optimizing/wasm_semantics.h"

#include <array>
#include <bit>
#include <string_view>
#include <type_traits>

namespace keel::jit::opt {

namespace {

// What an instruction computes, independent of its width. Which wasm instructions these are comes
// from their text names in opcodes.def ("i64.rotl" is kRotl on 64 bits).
// clang-format off
enum class Fold : uint8_t {
  kNone,
  kEqz, kEq, kNe, kLtS, kLtU, kGtS, kGtU, kLeS, kLeU, kGeS, kGeU,
  kClz, kCtz, kPopcnt,
  kAdd, kSub, kMul, kDivS, kDivU, kRemS, kRemU,
  kAnd, kOr, kXor, kShl, kShrS, kShrU, kRotl, kRotr,
  kExtend8S, kExtend16S, kExtend32S,
  kWrap, kExtendS, kExtendU,  // i32.wrap_i64, i64.extend_i32_s/u
  kFloatNeg, kFloatAbs, kFloatCopysign, kReinterpret,
};
// clang-format on

struct FoldRule {
  Fold fold = Fold::kNone;
  bool wide = false;  // 64-bit operands
};

constexpr FoldRule rule_for(std::string_view text) {
  struct Name {
    std::string_view name;
    Fold fold;
  };
  constexpr Name kIntegerNames[] = {
      {"eqz", Fold::kEqz},
      {"eq", Fold::kEq},
      {"ne", Fold::kNe},
      {"lt_s", Fold::kLtS},
      {"lt_u", Fold::kLtU},
      {"gt_s", Fold::kGtS},
      {"gt_u", Fold::kGtU},
      {"le_s", Fold::kLeS},
      {"le_u", Fold::kLeU},
      {"ge_s", Fold::kGeS},
      {"ge_u", Fold::kGeU},
      {"clz", Fold::kClz},
      {"ctz", Fold::kCtz},
      {"popcnt", Fold::kPopcnt},
      {"add", Fold::kAdd},
      {"sub", Fold::kSub},
      {"mul", Fold::kMul},
      {"div_s", Fold::kDivS},
      {"div_u", Fold::kDivU},
      {"rem_s", Fold::kRemS},
      {"rem_u", Fold::kRemU},
      {"and", Fold::kAnd},
      {"or", Fold::kOr},
      {"xor", Fold::kXor},
      {"shl", Fold::kShl},
      {"shr_s", Fold::kShrS},
      {"shr_u", Fold::kShrU},
      {"rotl", Fold::kRotl},
      {"rotr", Fold::kRotr},
      {"extend8_s", Fold::kExtend8S},
      {"extend16_s", Fold::kExtend16S},
      {"extend32_s", Fold::kExtend32S},
      {"wrap_i64", Fold::kWrap},
      {"extend_i32_s", Fold::kExtendS},
      {"extend_i32_u", Fold::kExtendU},
      {"reinterpret_f32", Fold::kReinterpret},
      {"reinterpret_f64", Fold::kReinterpret},
  };
  constexpr Name kFloatNames[] = {
      {"neg", Fold::kFloatNeg},
      {"abs", Fold::kFloatAbs},
      {"copysign", Fold::kFloatCopysign},
      {"reinterpret_i32", Fold::kReinterpret},
      {"reinterpret_i64", Fold::kReinterpret},
  };
  bool integer = text.starts_with("i32.") || text.starts_with("i64.");
  bool floating = text.starts_with("f32.") || text.starts_with("f64.");
  if (!integer && !floating) return {};
  bool wide = text[1] == '6';
  std::string_view name = text.substr(4);
  if (integer) {
    for (const Name& n : kIntegerNames)
      if (n.name == name)
        return {n.fold, wide && n.fold != Fold::kExtendS && n.fold != Fold::kExtendU};
  } else {
    for (const Name& n : kFloatNames)
      if (n.name == name) return {n.fold, wide};
  }
  return {};
}

constexpr std::array<FoldRule, kOpCount> make_rules() {
  std::array<FoldRule, kOpCount> rules{};
  for (size_t i = 0; i < kOpCount; ++i) rules[i] = rule_for(kOpInfo[i].text);
  return rules;
}
constexpr std::array<FoldRule, kOpCount> kRules = make_rules();

static_assert(kRules[static_cast<size_t>(Op::kI64Rotl)].fold == Fold::kRotl);
static_assert(kRules[static_cast<size_t>(Op::kI64Rotl)].wide);
static_assert(kRules[static_cast<size_t>(Op::kI32x4Add)].fold == Fold::kNone);
static_assert(kRules[static_cast<size_t>(Op::kI64ExtendI32U)].fold == Fold::kExtendU);
static_assert(kRules[static_cast<size_t>(Op::kI32Load)].fold == Fold::kNone);

template <class U>
std::optional<uint64_t> eval(Fold fold, U a, U b) {
  using S = std::make_signed_t<U>;
  constexpr U kShiftMask = sizeof(U) * 8 - 1;
  constexpr U kSignBit = U{1} << kShiftMask;
  switch (fold) {
    case Fold::kEqz:
      return a == 0;
    case Fold::kEq:
      return a == b;
    case Fold::kNe:
      return a != b;
    case Fold::kLtS:
      return static_cast<S>(a) < static_cast<S>(b);
    case Fold::kLtU:
      return a < b;
    case Fold::kGtS:
      return static_cast<S>(a) > static_cast<S>(b);
    case Fold::kGtU:
      return a > b;
    case Fold::kLeS:
      return static_cast<S>(a) <= static_cast<S>(b);
    case Fold::kLeU:
      return a <= b;
    case Fold::kGeS:
      return static_cast<S>(a) >= static_cast<S>(b);
    case Fold::kGeU:
      return a >= b;
    case Fold::kClz:
      return static_cast<U>(std::countl_zero(a));
    case Fold::kCtz:
      return static_cast<U>(std::countr_zero(a));
    case Fold::kPopcnt:
      return static_cast<U>(std::popcount(a));
    case Fold::kAdd:
      return static_cast<U>(a + b);
    case Fold::kSub:
      return static_cast<U>(a - b);
    case Fold::kMul:
      return static_cast<U>(a * b);
    case Fold::kDivS:
      if (b == 0 || (a == kSignBit && b == static_cast<U>(-1))) return std::nullopt;
      return static_cast<U>(static_cast<S>(a) / static_cast<S>(b));
    case Fold::kDivU:
      if (b == 0) return std::nullopt;
      return static_cast<U>(a / b);
    case Fold::kRemS:
      if (b == 0) return std::nullopt;
      if (b == static_cast<U>(-1)) return U{0};  // no overflow trap: the minimum's remainder is 0
      return static_cast<U>(static_cast<S>(a) % static_cast<S>(b));
    case Fold::kRemU:
      if (b == 0) return std::nullopt;
      return static_cast<U>(a % b);
    case Fold::kAnd:
      return static_cast<U>(a & b);
    case Fold::kOr:
      return static_cast<U>(a | b);
    case Fold::kXor:
      return static_cast<U>(a ^ b);
    case Fold::kShl:
      return static_cast<U>(a << (b & kShiftMask));
    case Fold::kShrS:
      return static_cast<U>(static_cast<S>(a) >> (b & kShiftMask));
    case Fold::kShrU:
      return static_cast<U>(a >> (b & kShiftMask));
    case Fold::kRotl:
      return std::rotl(a, static_cast<int>(b & kShiftMask));
    case Fold::kRotr:
      return std::rotr(a, static_cast<int>(b & kShiftMask));
    case Fold::kExtend8S:
      return static_cast<U>(static_cast<S>(static_cast<int8_t>(a)));
    case Fold::kExtend16S:
      return static_cast<U>(static_cast<S>(static_cast<int16_t>(a)));
    case Fold::kExtend32S:
      return static_cast<U>(static_cast<S>(static_cast<int32_t>(a)));
    case Fold::kFloatNeg:
      return static_cast<U>(a ^ kSignBit);
    case Fold::kFloatAbs:
      return static_cast<U>(a & ~kSignBit);
    case Fold::kFloatCopysign:
      return static_cast<U>((a & ~kSignBit) | (b & kSignBit));
    case Fold::kReinterpret:
      return a;
    case Fold::kWrap:
    case Fold::kExtendS:
    case Fold::kExtendU:
    case Fold::kNone:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> fold_wasm_op(Op op, std::span<const uint64_t> operands) {
  FoldRule rule = kRules[static_cast<size_t>(op)];
  if (rule.fold == Fold::kNone || operands.size() != op_info(op).sig.num_params) return {};
  uint64_t a = operands.empty() ? 0 : operands[0];
  uint64_t b = operands.size() > 1 ? operands[1] : 0;
  switch (rule.fold) {
    case Fold::kWrap:
      return a & 0xffffffff;
    case Fold::kExtendS:
      return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(a)));
    case Fold::kExtendU:
      return a & 0xffffffff;
    default:
      break;
  }
  if (rule.wide) return eval<uint64_t>(rule.fold, a, b);
  return eval<uint32_t>(rule.fold, static_cast<uint32_t>(a), static_cast<uint32_t>(b));
}

uint32_t traps_with_constant_divisor(Op op, uint64_t divisor) {
  FoldRule rule = kRules[static_cast<size_t>(op)];
  switch (rule.fold) {
    case Fold::kDivS:
    case Fold::kDivU:
    case Fold::kRemS:
    case Fold::kRemU:
      break;
    default:
      return wasm_op_traps(op);
  }
  uint64_t all_ones = rule.wide ? ~uint64_t{0} : uint64_t{0xffffffff};
  if (divisor == 0) return wasm_op_traps(op);
  if (rule.fold == Fold::kDivS && divisor == all_ones)
    return Effects::trap_bit(TrapCode::kIntegerOverflow);
  return 0;
}

bool is_commutative(Op op) {
  switch (kRules[static_cast<size_t>(op)].fold) {
    case Fold::kAdd:
    case Fold::kMul:
    case Fold::kAnd:
    case Fold::kOr:
    case Fold::kXor:
    case Fold::kEq:
    case Fold::kNe:
      return true;
    default:
      return false;
  }
}

}  // namespace keel::jit::opt

#include "jit/optimizing/passes/constant_folding.h"

#include <array>
#include <bit>
#include <limits>
#include <string_view>
#include <type_traits>
#include <vector>

#include "jit/optimizing/dominators.h"

namespace keel::jit::opt {

namespace {

// What an instruction computes, independent of its width. Which wasm instructions these are comes
// from their text names in opcodes.def ("i64.rotl" is kRotl on 64 bits).
enum class Fold : uint8_t {
  kNone,
  kEqz,
  kEq,
  kNe,
  kLtS,
  kLtU,
  kGtS,
  kGtU,
  kLeS,
  kLeU,
  kGeS,
  kGeU,
  kClz,
  kCtz,
  kPopcnt,
  kAdd,
  kSub,
  kMul,
  kDivS,
  kDivU,
  kRemS,
  kRemU,
  kAnd,
  kOr,
  kXor,
  kShl,
  kShrS,
  kShrU,
  kRotl,
  kRotr,
  kExtend8S,
  kExtend16S,
  kExtend32S,
  kWrap,
  kExtendS,
  kExtendU,  // i32.wrap_i64, i64.extend_i32_s/u
  kFloatNeg,
  kFloatAbs,
  kFloatCopysign,
  kReinterpret,
};

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

const Inst* constant_def(const Graph& graph, ValueId v) {
  const Value& value = graph.value(graph.resolve(v));
  if (value.is_param) return nullptr;
  const Inst& def = graph.inst(value.inst);
  return def.kind == InstKind::kConst && !def.dead ? &def : nullptr;
}

// The traps a division or remainder by this constant can still raise.
uint32_t remaining_division_traps(Op op, uint64_t divisor, bool wide) {
  FoldRule rule = kRules[static_cast<size_t>(op)];
  uint64_t all_ones = wide ? ~uint64_t{0} : uint64_t{0xffffffff};
  if (divisor == 0) return wasm_op_traps(op);
  if (rule.fold == Fold::kDivS && divisor == all_ones)
    return Effects::trap_bit(TrapCode::kIntegerOverflow);
  return 0;
}

class ConstantFolder {
 public:
  explicit ConstantFolder(Graph& graph) : graph_(graph) {}

  bool run() {
    DominatorTree dom(graph_);
    for (BlockId b : dom.reverse_postorder()) {
      propagate_into_params(b);
      fold_block(b);
    }
    graph_.remove_dead_insts();
    if (cfg_changed_) graph_.remove_unreachable_blocks();
    graph_.resolve_aliases();
    return changed_;
  }

 private:
  // A parameter that every incoming edge binds to the same constant becomes that constant.
  void propagate_into_params(BlockId b) {
    if (b == graph_.entry()) return;
    for (size_t i = graph_.block(b).params.size(); i-- > 0;) {
      const Block& block = graph_.block(b);
      if (block.preds.empty()) return;
      ValueId param = block.params[i];
      const Inst* first = nullptr;
      bool same = true;
      for (const Edge& e : block.preds) {
        const Inst* c = constant_def(graph_, graph_.inst(e.inst).targets[e.slot].args[i]);
        if (!c || (first && (c->imm[0] != first->imm[0] || c->imm[1] != first->imm[1]))) {
          same = false;
          break;
        }
        first = c;
      }
      if (!same) continue;
      Inst constant;
      constant.kind = InstKind::kConst;
      constant.type = first->type;
      constant.imm[0] = first->imm[0];
      constant.imm[1] = first->imm[1];
      ValueId replacement = graph_.result(graph_.insert(b, 0, std::move(constant)));
      graph_.remove_block_param(b, static_cast<uint32_t>(i));
      graph_.make_alias(param, replacement);
      changed_ = true;
    }
  }

  void become_constant(Inst& inst, uint64_t bits) {
    inst.kind = InstKind::kConst;
    inst.op = Op::kInvalid;
    inst.operands.clear();
    inst.imm[0] = bits;
    inst.imm[1] = 0;
    inst.effects = Effects{};
    changed_ = true;
  }

  void replace_terminator(InstId old, BlockCall target) {
    Inst jump;
    jump.kind = InstKind::kJump;
    jump.targets.push_back(std::move(target));
    jump.effects = default_effects(jump);
    BlockId b = graph_.inst(old).block;
    graph_.kill(old);
    graph_.append(b, std::move(jump));
    changed_ = cfg_changed_ = true;
  }

  void fold_block(BlockId b) {
    std::vector<InstId> insts = graph_.block(b).insts;
    for (size_t i = 0; i < insts.size(); ++i) {
      InstId id = insts[i];
      Inst& inst = graph_.inst(id);
      if (inst.dead) continue;
      switch (inst.kind) {
        case InstKind::kWasm:
          fold_wasm(inst);
          break;
        case InstKind::kSelect:
          if (const Inst* c = constant_def(graph_, inst.operands[0])) {
            graph_.make_alias(graph_.result(id), inst.operands[c->imm[0] ? 1 : 2]);
            graph_.kill(id);
            changed_ = true;
          }
          break;
        case InstKind::kRefIsNull: {
          const Value& ref = graph_.value(graph_.resolve(inst.operands[0]));
          if (ref.is_param) break;
          InstKind def = graph_.inst(ref.inst).kind;
          if (def == InstKind::kRefNull) become_constant(inst, 1);
          if (def == InstKind::kRefFunc) become_constant(inst, 0);
          break;
        }
        case InstKind::kTrapIf:
          if (const Inst* c = constant_def(graph_, inst.operands[0])) {
            if (c->imm[0] == 0) {
              graph_.kill(id);
              changed_ = true;
            } else {
              trap_from(b, insts, i);
              return;
            }
          }
          break;
        case InstKind::kBranch:
          if (const Inst* c = constant_def(graph_, inst.operands[0]))
            replace_terminator(id, inst.targets[c->imm[0] ? 0 : 1]);
          break;
        case InstKind::kSwitch:
          if (const Inst* c = constant_def(graph_, inst.operands[0])) {
            size_t n = inst.targets.size() - 1;
            replace_terminator(id, inst.targets[c->imm[0] < n ? c->imm[0] : n]);
          }
          break;
        default:
          break;
      }
    }
  }

  // A trap_if whose condition is a non-zero constant always traps: the rest of the block goes.
  void trap_from(BlockId b, const std::vector<InstId>& insts, size_t i) {
    TrapCode code = graph_.inst(insts[i]).trap_code;
    for (size_t j = i; j < insts.size(); ++j) graph_.kill(insts[j]);
    Inst trap;
    trap.kind = InstKind::kTrap;
    trap.trap_code = code;
    trap.effects = default_effects(trap);
    graph_.append(b, std::move(trap));
    changed_ = cfg_changed_ = true;
  }

  void fold_wasm(Inst& inst) {
    FoldRule rule = kRules[static_cast<size_t>(inst.op)];
    if (rule.fold == Fold::kNone || inst.operands.size() > 2) return;
    uint64_t bits[2] = {0, 0};
    bool all_constant = true;
    for (size_t k = 0; k < inst.operands.size(); ++k) {
      const Inst* c = constant_def(graph_, inst.operands[k]);
      if (c) bits[k] = c->imm[0];
      all_constant &= c != nullptr;
    }
    if (inst.effects.may_trap() && inst.operands.size() == 2) {
      if (const Inst* divisor = constant_def(graph_, inst.operands[1])) {
        uint32_t remaining = remaining_division_traps(inst.op, divisor->imm[0], rule.wide);
        if (remaining != inst.effects.traps) inst.effects.traps = remaining, changed_ = true;
      }
    }
    if (!all_constant) return;
    std::optional<uint64_t> result = fold_wasm_op(inst.op, {bits, inst.operands.size()});
    if (result) become_constant(inst, *result);
  }

  Graph& graph_;
  bool changed_ = false;
  bool cfg_changed_ = false;
};

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

bool run_constant_folding(Graph& graph) {
  return ConstantFolder(graph).run();
}

}  // namespace keel::jit::opt

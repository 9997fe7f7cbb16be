#include "jit/optimizing/passes/strength_reduction.h"

#include <bit>
#include <optional>
#include <utility>

namespace keel::jit::opt {

namespace {

using u128 = unsigned __int128;

// The instructions the rewrites are made of, at one width.
struct IntOps {
  ValType type;
  unsigned bits;
  Op add, sub, mul, and_, shl, shr_s, shr_u, ge_u;
};
constexpr IntOps kI32Ops{ValType::kI32, 32,          Op::kI32Add,  Op::kI32Sub,  Op::kI32Mul,
                         Op::kI32And,   Op::kI32Shl, Op::kI32ShrS, Op::kI32ShrU, Op::kI32GeU};
constexpr IntOps kI64Ops{ValType::kI64, 64,          Op::kI64Add,  Op::kI64Sub,  Op::kI64Mul,
                         Op::kI64And,   Op::kI64Shl, Op::kI64ShrS, Op::kI64ShrU, Op::kI64GeU};

enum class Rewrite : uint8_t { kNone, kMul, kDivS, kDivU, kRemS, kRemU };

struct Rule {
  Rewrite rewrite = Rewrite::kNone;
  const IntOps* ops = nullptr;
};

Rule rule_for(Op op) {
  switch (op) {
    case Op::kI32Mul:
      return {Rewrite::kMul, &kI32Ops};
    case Op::kI32DivS:
      return {Rewrite::kDivS, &kI32Ops};
    case Op::kI32DivU:
      return {Rewrite::kDivU, &kI32Ops};
    case Op::kI32RemS:
      return {Rewrite::kRemS, &kI32Ops};
    case Op::kI32RemU:
      return {Rewrite::kRemU, &kI32Ops};
    case Op::kI64Mul:
      return {Rewrite::kMul, &kI64Ops};
    case Op::kI64DivS:
      return {Rewrite::kDivS, &kI64Ops};
    case Op::kI64DivU:
      return {Rewrite::kDivU, &kI64Ops};
    case Op::kI64RemS:
      return {Rewrite::kRemS, &kI64Ops};
    case Op::kI64RemU:
      return {Rewrite::kRemU, &kI64Ops};
    default:
      return {};
  }
}

// A reciprocal of d: m = ceil(2^p / d), so that floor(m * n / 2^p) == floor(n / d) for every n in
// [0, max_n]. With e = m * d - 2^p and n = q * d + r, m * n / 2^p = q + (r + n * e / 2^p) / d,
// which floors to q while n * e / 2^p < d - r. That holds for the largest n with r = d - 1, nc,
// when nc * e < 2^p; larger n have remainders at most d - 2 and are below 2 * nc, so it holds for
// them too. For negative n (signed division), |n| up to max_n, the same bound makes
// floor(m * n / 2^p) + 1 the quotient rounded toward zero.
struct Reciprocal {
  u128 multiplier;  // at most W + 1 bits
  unsigned shift;   // p, at least W
};

// d is not a power of two and 2 < d <= max_n < 2^W; d < 2^(W-1) keeps p below 2W (it is at most
// W + ceil(log2 d)), so 2^p fits in 128 bits.
Reciprocal reciprocal(uint64_t d, uint64_t max_n, unsigned width) {
  u128 nc = u128{max_n} - (u128{max_n} + 1) % d;
  for (unsigned p = width;; ++p) {
    u128 two_p = u128{1} << p;
    u128 m = (two_p + d - 1) / d;
    if (nc * (m * d - two_p) < two_p) return {m, p};
  }
}

// Inserts the instructions of a rewrite before the instruction it replaces.
class Rewriter {
 public:
  Rewriter(Graph& graph, BlockId block, size_t position, uint32_t module_offset, const IntOps& ops)
      : graph_(graph),
        block_(block),
        position_(position),
        module_offset_(module_offset),
        ops_(ops) {}

  size_t position() const { return position_; }
  const IntOps& ops() const { return ops_; }
  uint64_t all_ones() const { return ops_.bits == 64 ? ~uint64_t{0} : uint64_t{0xffffffff}; }

  ValueId constant(uint64_t bits) {
    Inst inst;
    inst.kind = InstKind::kConst;
    inst.type = ops_.type;
    inst.imm[0] = bits & all_ones();
    return emit(std::move(inst));
  }
  ValueId wasm(Op op, ValueId a, ValueId b) {
    Inst inst;
    inst.kind = InstKind::kWasm;
    inst.op = op;
    inst.type = op_info(op).sig.result;
    inst.operands = {a, b};
    return emit(std::move(inst));
  }
  ValueId wasm(Op op, ValueId a, uint64_t b) { return wasm(op, a, constant(b)); }
  ValueId shift(Op op, ValueId a, unsigned count) {
    return count == 0 ? a : wasm(op, a, constant(count));
  }
  ValueId mul_high(bool is_signed, ValueId a, uint64_t b) {
    Inst inst;
    inst.kind = InstKind::kMulHigh;
    inst.type = ops_.type;
    inst.index = is_signed ? 1 : 0;
    inst.operands = {a, constant(b)};
    return emit(std::move(inst));
  }
  ValueId select(ValueId condition, ValueId if_true, ValueId if_false) {
    Inst inst;
    inst.kind = InstKind::kSelect;
    inst.type = ops_.type;
    inst.operands = {condition, if_true, if_false};
    return emit(std::move(inst));
  }

 private:
  ValueId emit(Inst inst) {
    inst.effects = default_effects(inst);
    inst.module_offset = module_offset_;
    return graph_.result(graph_.insert(block_, position_++, std::move(inst)));
  }

  Graph& graph_;
  BlockId block_;
  size_t position_;
  uint32_t module_offset_;
  const IntOps& ops_;
};

bool is_power_of_two(uint64_t v) {
  return std::has_single_bit(v);
}
unsigned log2_of(uint64_t power_of_two) {
  return static_cast<unsigned>(std::countr_zero(power_of_two));
}

// n / d rounded down, d > 1 and not a power of two.
ValueId unsigned_quotient(Rewriter& r, ValueId n, uint64_t d) {
  const IntOps& ops = r.ops();
  const unsigned w = ops.bits;
  if (d >> (w - 1)) {
    // Above 2^(W-1) the quotient is 0 or 1, and the reciprocal would need W + 2 bits.
    ValueId at_least = r.wasm(ops.ge_u, n, d);
    return w == 32 ? at_least : r.select(at_least, r.constant(1), r.constant(0));
  }
  Reciprocal rec = reciprocal(d, r.all_ones(), w);
  if (rec.multiplier >> w == 0)
    return r.shift(ops.shr_u, r.mul_high(false, n, static_cast<uint64_t>(rec.multiplier)),
                   rec.shift - w);
  if (unsigned z = static_cast<unsigned>(std::countr_zero(d)); z != 0) {
    // An even divisor: n / d = (n >> z) / (d >> z), whose smaller dividends may let the
    // reciprocal fit in W bits.
    Reciprocal odd = reciprocal(d >> z, r.all_ones() >> z, w);
    if (odd.multiplier >> w == 0) {
      ValueId shifted = r.shift(ops.shr_u, n, z);
      return r.shift(ops.shr_u, r.mul_high(false, shifted, static_cast<uint64_t>(odd.multiplier)),
                     odd.shift - w);
    }
  }
  // A W + 1-bit multiplier: its top bit adds n once more. (n - t) / 2 + t is (n + t) / 2 without
  // overflowing, as t = mul_high(n, m - 2^W) <= n; p > W here, so the halving is part of the shift.
  ValueId t = r.mul_high(false, n, static_cast<uint64_t>(rec.multiplier));
  ValueId half = r.shift(ops.shr_u, r.wasm(ops.sub, n, t), 1);
  return r.shift(ops.shr_u, r.wasm(ops.add, half, t), rec.shift - w - 1);
}

// n / d rounded toward zero, for d > 2 and not a power of two (the sign is the caller's).
ValueId signed_quotient(Rewriter& r, ValueId n, uint64_t d) {
  const IntOps& ops = r.ops();
  const unsigned w = ops.bits;
  Reciprocal rec = reciprocal(d, uint64_t{1} << (w - 1), w);
  // The multiplier has at most W bits; with the top one set mul_high_s reads it as m - 2^W, which
  // takes n off the product's high half, so n goes back on.
  uint64_t m = static_cast<uint64_t>(rec.multiplier);
  ValueId t = r.mul_high(true, n, m);
  if (m >> (w - 1)) t = r.wasm(ops.add, t, n);
  t = r.shift(ops.shr_s, t, rec.shift - w);
  // floor(m * n / 2^p) is one below the quotient for negative n (then t is negative).
  return r.wasm(ops.add, t, r.shift(ops.shr_u, t, w - 1));
}

// Returns the value that replaces `op lhs, rhs`, or nullopt to keep it. `divisor` is the
// constant operand's bits (the rhs; either side of a multiplication).
std::optional<ValueId> reduce(Rewriter& r, Rewrite rewrite, ValueId n, uint64_t divisor) {
  const IntOps& ops = r.ops();
  const unsigned w = ops.bits;
  const uint64_t c = divisor & r.all_ones();
  const uint64_t minus_one = r.all_ones();
  const bool negative = (c >> (w - 1)) != 0;
  const uint64_t magnitude = (negative ? uint64_t{0} - c : c) & r.all_ones();
  switch (rewrite) {
    case Rewrite::kMul:
      if (c == 0) return r.constant(0);
      if (c == 1) return n;
      if (is_power_of_two(c)) return r.wasm(ops.shl, n, log2_of(c));
      return std::nullopt;
    case Rewrite::kDivU:
    case Rewrite::kRemU: {
      if (c == 0) return std::nullopt;
      bool rem = rewrite == Rewrite::kRemU;
      if (is_power_of_two(c)) {
        if (rem) return c == 1 ? r.constant(0) : r.wasm(ops.and_, n, c - 1);
        return r.shift(ops.shr_u, n, log2_of(c));
      }
      if (rem && (c >> (w - 1))) {
        // n mod c is n or n - c: the quotient is 0 or 1.
        ValueId at_least = r.wasm(ops.ge_u, n, c);
        return r.select(at_least, r.wasm(ops.sub, n, c), n);
      }
      ValueId q = unsigned_quotient(r, n, c);
      if (!rem) return q;
      return r.wasm(ops.sub, n, r.wasm(ops.mul, q, c));
    }
    case Rewrite::kDivS:
    case Rewrite::kRemS: {
      bool rem = rewrite == Rewrite::kRemS;
      if (c == 0) return std::nullopt;
      if (c == minus_one) return rem ? std::optional(r.constant(0)) : std::nullopt;
      if (magnitude == 1) return rem ? r.constant(0) : n;
      if (is_power_of_two(magnitude)) {
        // An arithmetic shift rounds down; adding 2^k - 1 to a negative n first rounds it toward
        // zero. The bias is the sign spread over the low k bits.
        unsigned k = log2_of(magnitude);
        ValueId sign = k == 1 ? n : r.shift(ops.shr_s, n, w - 1);
        ValueId biased = r.wasm(ops.add, n, r.shift(ops.shr_u, sign, w - k));
        if (rem) return r.wasm(ops.sub, n, r.wasm(ops.and_, biased, uint64_t{0} - magnitude));
        ValueId q = r.shift(ops.shr_s, biased, k);
        return negative ? r.wasm(ops.sub, r.constant(0), q) : q;
      }
      // The remainder takes the dividend's sign whatever the divisor's: n - (n / |c|) * |c|.
      ValueId q = signed_quotient(r, n, magnitude);
      if (rem) return r.wasm(ops.sub, n, r.wasm(ops.mul, q, magnitude));
      return negative ? r.wasm(ops.sub, r.constant(0), q) : q;
    }
    case Rewrite::kNone:
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

}  // namespace

bool run_strength_reduction(Graph& graph) {
  bool changed = false;
  for (BlockId b : graph.layout()) {
    for (size_t i = 0; i < graph.block(b).insts.size(); ++i) {
      InstId id = graph.block(b).insts[i];
      const Inst& inst = graph.inst(id);
      if (inst.dead || inst.kind != InstKind::kWasm) continue;
      Rule rule = rule_for(inst.op);
      if (rule.rewrite == Rewrite::kNone) continue;
      ValueId n = inst.operands[0];
      const Inst* constant = constant_def(graph, inst.operands[1]);
      if (!constant && rule.rewrite == Rewrite::kMul) {
        constant = constant_def(graph, inst.operands[0]);
        n = inst.operands[1];
      }
      if (!constant) continue;
      // The rewrite inserts instructions, which may move `inst` in memory: copy what it needs.
      uint64_t bits = constant->imm[0];
      Rewriter rewriter(graph, b, i, inst.module_offset, *rule.ops);
      std::optional<ValueId> replacement = reduce(rewriter, rule.rewrite, n, bits);
      if (!replacement) continue;
      graph.make_alias(graph.result(id), *replacement);
      graph.kill(id);
      i = rewriter.position();
      changed = true;
    }
  }
  if (!changed) return false;
  graph.remove_dead_insts();
  graph.resolve_aliases();
  return true;
}

}  // namespace keel::jit::opt

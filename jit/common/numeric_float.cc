// Float arithmetic, sign operations, rounding and comparisons.
#include "jit/common/numeric_internal.h"

namespace keel::jit::numeric {
namespace {

using asmjit::Label;
using asmjit::x86::Assembler;
using asmjit::x86::Gp;
using asmjit::x86::Xmm;

enum class Kind {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMin,
  kMax,
  kCopysign,
  kAbs,
  kNeg,
  kSqrt,
  kCeil,
  kFloor,
  kTrunc,
  kNearest,
  kEq,
  kNe,
  kLt,
  kGt,
  kLe,
  kGe,
};

struct FloatInfo {
  Kind kind;
  bool wide;  // f64
};

bool classify(Op op, FloatInfo& info) {
  switch (op) {
#define KEEL_FLOAT(name, kind)  \
  case Op::kF32##name:          \
    info = {Kind::kind, false}; \
    return true;                \
  case Op::kF64##name:          \
    info = {Kind::kind, true};  \
    return true;
    KEEL_FLOAT(Add, kAdd)
    KEEL_FLOAT(Sub, kSub)
    KEEL_FLOAT(Mul, kMul)
    KEEL_FLOAT(Div, kDiv)
    KEEL_FLOAT(Min, kMin)
    KEEL_FLOAT(Max, kMax)
    KEEL_FLOAT(Copysign, kCopysign)
    KEEL_FLOAT(Abs, kAbs)
    KEEL_FLOAT(Neg, kNeg)
    KEEL_FLOAT(Sqrt, kSqrt)
    KEEL_FLOAT(Ceil, kCeil)
    KEEL_FLOAT(Floor, kFloor)
    KEEL_FLOAT(Trunc, kTrunc)
    KEEL_FLOAT(Nearest, kNearest)
    KEEL_FLOAT(Eq, kEq)
    KEEL_FLOAT(Ne, kNe)
    KEEL_FLOAT(Lt, kLt)
    KEEL_FLOAT(Gt, kGt)
    KEEL_FLOAT(Le, kLe)
    KEEL_FLOAT(Ge, kGe)
#undef KEEL_FLOAT
    default:
      return false;
  }
}

void copy(Assembler& a, const Xmm& dst, const Xmm& src) {
  if (dst.id() != src.id()) a.movaps(dst, src);
}

void ucomis(Assembler& a, bool wide, const Xmm& x, const Xmm& y) {
  if (wide) {
    a.ucomisd(x, y);
  } else {
    a.ucomiss(x, y);
  }
}

// The scalar SSE instruction of each arithmetic kind; src is an Xmm or a memory operand.
void arith(Assembler& a, Kind kind, bool wide, const Xmm& dst, const asmjit::Operand_& src) {
  namespace Inst = asmjit::x86::Inst;
  asmjit::InstId id;
  switch (kind) {
    case Kind::kAdd:
      id = wide ? Inst::kIdAddsd : Inst::kIdAddss;
      break;
    case Kind::kSub:
      id = wide ? Inst::kIdSubsd : Inst::kIdSubss;
      break;
    case Kind::kMul:
      id = wide ? Inst::kIdMulsd : Inst::kIdMulss;
      break;
    case Kind::kDiv:
      id = wide ? Inst::kIdDivsd : Inst::kIdDivss;
      break;
    case Kind::kMin:
      id = wide ? Inst::kIdMinsd : Inst::kIdMinss;
      break;
    case Kind::kMax:
      id = wide ? Inst::kIdMaxsd : Inst::kIdMaxss;
      break;
    default:
      return;
  }
  a.emit(id, dst, src);
}

// minss/maxss return the second operand for NaNs and for ±0 pairs; Wasm wants a NaN and -0 < +0.
// Equal operands are merged bitwise (or: -0 wins for min; and: +0 wins for max), NaNs by an add,
// which yields a quiet NaN.
void emit_min_max(Assembler& a, Kind kind, bool wide, const Xmm& dst, const Xmm& lhs,
                  const Xmm& rhs) {
  Label nan = a.newLabel(), differ = a.newLabel(), done = a.newLabel();
  ucomis(a, wide, lhs, rhs);
  copy(a, dst, lhs);  // leaves the flags alone
  a.jp(nan);
  a.jne(differ);
  if (kind == Kind::kMin) {
    a.orps(dst, rhs);
  } else {
    a.andps(dst, rhs);
  }
  a.jmp(done);
  a.bind(nan);
  arith(a, Kind::kAdd, wide, dst, rhs);
  a.jmp(done);
  a.bind(differ);
  arith(a, kind, wide, dst, rhs);
  a.bind(done);
}

// Sign operations work on the bits in a scratch Gp: they must keep NaN payloads exactly.
void emit_sign_op(Assembler& a, Kind kind, bool wide, const Xmm& dst, const Xmm& lhs,
                  const Xmm& rhs) {
  const Gp x = sized(kScratchGp0, wide);
  const int sign = wide ? 63 : 31;
  auto to_gp = [&](const Gp& g, const Xmm& v) { wide ? a.movq(g, v) : a.movd(g, v); };
  to_gp(x, lhs);
  switch (kind) {
    case Kind::kAbs:
      a.btr(x, sign);
      break;
    case Kind::kNeg:
      a.btc(x, sign);
      break;
    default: {
      const Gp s = sized(kScratchGp1, wide);
      to_gp(s, rhs);
      a.shr(s, sign);
      a.shl(s, sign);
      a.btr(x, sign);
      a.or_(x, s);
      break;
    }
  }
  wide ? a.movq(dst, x) : a.movd(dst, x);
}

// roundss/roundsd immediates: the rounding mode, with precision exceptions suppressed.
int round_mode(Kind kind) {
  switch (kind) {
    case Kind::kNearest:
      return 0x8;
    case Kind::kFloor:
      return 0x9;
    case Kind::kCeil:
      return 0xa;
    default:
      return 0xb;
  }
}

// Rounding without SSE4.1, exact for every input. Inputs of magnitude 2^mantissa or more
// (including infinities and NaNs) are already integers. Smaller magnitudes m round to even by
// (m + 2^p) - 2^p in the default rounding mode; one step of ±1 turns that into a round towards
// or away from zero, and the sign goes back on last, so -0.5 becomes -0.
void emit_round_fallback(Assembler& a, Kind kind, bool wide, const Xmm& dst, const Xmm& src) {
  const Gp bits = sized(kScratchGp0, wide);  // the input
  const Gp mag = sized(kScratchGp1, wide);   // its magnitude
  const Gp tmp = sized(kScratchGp2, wide);
  const int sign = wide ? 63 : 31;
  const uint64_t two_p = wide ? 0x4330000000000000 : 0x4b000000;  // 2^52, 2^23
  const uint64_t one = wide ? 0x3ff0000000000000 : 0x3f800000;
  const Xmm r = kScratchXmm0, t = kScratchXmm1;
  auto to_xmm = [&](const Xmm& v, const Gp& g) { wide ? a.movq(v, g) : a.movd(v, g); };
  auto imm = [&](const Gp& g, uint64_t v) {
    wide ? a.mov(g, v) : a.mov(g, static_cast<uint32_t>(v));
  };
  Label big = a.newLabel(), done = a.newLabel(), sign_back = a.newLabel();
  wide ? a.movq(bits, src) : a.movd(bits, src);
  a.mov(mag, bits);
  a.btr(mag, sign);
  imm(tmp, two_p);
  a.cmp(mag, tmp);
  a.jae(big);
  to_xmm(r, mag);
  to_xmm(t, tmp);
  arith(a, Kind::kAdd, wide, r, t);
  arith(a, Kind::kSub, wide, r, t);
  to_xmm(t, mag);
  // Which way the magnitude goes: down for trunc, and for floor of positives and ceil of
  // negatives; up for the other two.
  Label up = a.newLabel(), down = a.newLabel();
  switch (kind) {
    case Kind::kNearest:
      a.jmp(sign_back);
      break;
    case Kind::kTrunc:
      a.jmp(down);
      break;
    case Kind::kFloor:
      a.test(bits, bits);
      a.js(up);
      a.jmp(down);
      break;
    default:
      a.test(bits, bits);
      a.js(down);
      a.jmp(up);
      break;
  }
  if (kind != Kind::kNearest) {
    a.bind(up);
    ucomis(a, wide, r, t);
    a.jae(sign_back);
    imm(tmp, one);
    to_xmm(t, tmp);
    arith(a, Kind::kAdd, wide, r, t);
    a.jmp(sign_back);
    a.bind(down);
    ucomis(a, wide, r, t);
    a.jbe(sign_back);
    imm(tmp, one);
    to_xmm(t, tmp);
    arith(a, Kind::kSub, wide, r, t);
  }
  a.bind(sign_back);
  wide ? a.movq(tmp, r) : a.movd(tmp, r);
  a.shr(bits, sign);
  a.shl(bits, sign);
  a.or_(tmp, bits);
  to_xmm(dst, tmp);
  a.jmp(done);
  a.bind(big);
  copy(a, dst, src);
  ucomis(a, wide, src, src);
  a.jnp(done);
  arith(a, Kind::kAdd, wide, dst, dst);  // quiets a signalling NaN
  a.bind(done);
}

// ucomis flags: ZF, PF and CF all set when unordered. Each comparison picks the condition that
// is false for unordered operands, except ne, which is true.
void emit_compare(Assembler& a, Kind kind, bool wide, const Gp& dst, const Xmm& lhs,
                  const Xmm& rhs) {
  const Gp d = dst.r32();
  a.xor_(d, d);
  switch (kind) {
    case Kind::kEq:
      ucomis(a, wide, lhs, rhs);
      a.setnp(d.r8());
      a.mov(kScratchGp0.r32(), 0);
      a.cmovne(d, kScratchGp0.r32());
      break;
    case Kind::kNe:
      ucomis(a, wide, lhs, rhs);
      a.setne(d.r8());
      a.mov(kScratchGp0.r32(), 1);
      a.cmovp(d, kScratchGp0.r32());
      break;
    case Kind::kLt:
      ucomis(a, wide, rhs, lhs);
      a.seta(d.r8());
      break;
    case Kind::kGt:
      ucomis(a, wide, lhs, rhs);
      a.seta(d.r8());
      break;
    case Kind::kLe:
      ucomis(a, wide, rhs, lhs);
      a.setae(d.r8());
      break;
    default:
      ucomis(a, wide, lhs, rhs);
      a.setae(d.r8());
      break;
  }
}

}  // namespace

bool is_float_op(Op op) {
  FloatInfo info;
  return classify(op, info);
}

bool float_accepts_mem(Op op) {
  FloatInfo info;
  if (!classify(op, info)) return false;
  return info.kind == Kind::kAdd || info.kind == Kind::kSub || info.kind == Kind::kMul ||
         info.kind == Kind::kDiv;
}

bool emit_float(Assembler& a, Op op, const NumericOperands& o, const platform::CpuFeatures& cpu) {
  FloatInfo info;
  if (!classify(op, info)) return false;
  const bool wide = info.wide;
  const Xmm& lhs = o.lhs.as<Xmm>();
  switch (info.kind) {
    case Kind::kEq:
    case Kind::kNe:
    case Kind::kLt:
    case Kind::kGt:
    case Kind::kLe:
    case Kind::kGe:
      emit_compare(a, info.kind, wide, o.dst.as<Gp>(), lhs, o.rhs.as<Xmm>());
      return true;
    default:
      break;
  }
  const Xmm& dst = o.dst.as<Xmm>();
  switch (info.kind) {
    case Kind::kAdd:
    case Kind::kSub:
    case Kind::kMul:
    case Kind::kDiv:
      if (o.rhs_mem) {
        copy(a, dst, lhs);
        arith(a, info.kind, wide, dst, *o.rhs_mem);
        return true;
      }
      if ((info.kind == Kind::kAdd || info.kind == Kind::kMul) && dst.id() == o.rhs.id()) {
        arith(a, info.kind, wide, dst, lhs);  // commutative: numeric_dst_may_be_rhs
        return true;
      }
      copy(a, dst, lhs);
      arith(a, info.kind, wide, dst, o.rhs.as<Xmm>());
      return true;
    case Kind::kMin:
    case Kind::kMax:
      emit_min_max(a, info.kind, wide, dst, lhs, o.rhs.as<Xmm>());
      return true;
    case Kind::kAbs:
    case Kind::kNeg:
    case Kind::kCopysign:
      emit_sign_op(a, info.kind, wide, dst, lhs, o.rhs.isReg() ? o.rhs.as<Xmm>() : lhs);
      return true;
    case Kind::kSqrt:
      wide ? a.sqrtsd(dst, lhs) : a.sqrtss(dst, lhs);
      return true;
    default:
      break;
  }
  if (cpu.sse41) {
    wide ? a.roundsd(dst, lhs, round_mode(info.kind)) : a.roundss(dst, lhs, round_mode(info.kind));
  } else {
    emit_round_fallback(a, info.kind, wide, dst, lhs);
  }
  return true;
}

}  // namespace keel::jit::numeric

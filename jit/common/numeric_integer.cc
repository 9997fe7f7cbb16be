// Integer arithmetic, bit counting, shifts and comparisons.
#include <cstdlib>

#include "jit/common/numeric_internal.h"

namespace keel::jit::numeric {
namespace {

using asmjit::Imm;
using asmjit::Label;
using asmjit::x86::CondCode;
using asmjit::x86::Gp;
using vm::TrapCode;

enum class Kind {
  kAdd,
  kSub,
  kMul,
  kAnd,
  kOr,
  kXor,
  kShl,
  kShrS,
  kShrU,
  kRotl,
  kRotr,
  kDivS,
  kDivU,
  kRemS,
  kRemU,
  kCmp,
  kEqz,
  kClz,
  kCtz,
  kPopcnt,
};

struct IntInfo {
  Kind kind;
  bool wide;  // i64 operands
  CondCode cc = CondCode::kE;
};

bool classify(Op op, IntInfo& info) {
  const OpInfo& row = op_info(op);
  ValType operand = row.sig.num_params ? row.sig.params[0] : ValType::kBottom;
  if (row.cmp != Cmp::kNone && row.cmp != Cmp::kEqz &&
      (operand == ValType::kI32 || operand == ValType::kI64)) {
    info = {Kind::kCmp, operand == ValType::kI64, integer_condition(row.cmp)};
    return true;
  }
  switch (op) {
#define KEEL_INT(name, kind, wide) \
  case Op::k##name:                \
    info = {Kind::kind, wide};     \
    return true;
    KEEL_INT(I32Add, kAdd, false)
    KEEL_INT(I32Sub, kSub, false)
    KEEL_INT(I32Mul, kMul, false)
    KEEL_INT(I32And, kAnd, false)
    KEEL_INT(I32Or, kOr, false)
    KEEL_INT(I32Xor, kXor, false)
    KEEL_INT(I32Shl, kShl, false)
    KEEL_INT(I32ShrS, kShrS, false)
    KEEL_INT(I32ShrU, kShrU, false)
    KEEL_INT(I32Rotl, kRotl, false)
    KEEL_INT(I32Rotr, kRotr, false)
    KEEL_INT(I32DivS, kDivS, false)
    KEEL_INT(I32DivU, kDivU, false)
    KEEL_INT(I32RemS, kRemS, false)
    KEEL_INT(I32RemU, kRemU, false)
    KEEL_INT(I32Eqz, kEqz, false)
    KEEL_INT(I32Clz, kClz, false)
    KEEL_INT(I32Ctz, kCtz, false)
    KEEL_INT(I32Popcnt, kPopcnt, false)
    KEEL_INT(I64Add, kAdd, true)
    KEEL_INT(I64Sub, kSub, true)
    KEEL_INT(I64Mul, kMul, true)
    KEEL_INT(I64And, kAnd, true)
    KEEL_INT(I64Or, kOr, true)
    KEEL_INT(I64Xor, kXor, true)
    KEEL_INT(I64Shl, kShl, true)
    KEEL_INT(I64ShrS, kShrS, true)
    KEEL_INT(I64ShrU, kShrU, true)
    KEEL_INT(I64Rotl, kRotl, true)
    KEEL_INT(I64Rotr, kRotr, true)
    KEEL_INT(I64DivS, kDivS, true)
    KEEL_INT(I64DivU, kDivU, true)
    KEEL_INT(I64RemS, kRemS, true)
    KEEL_INT(I64RemU, kRemU, true)
    KEEL_INT(I64Eqz, kEqz, true)
    KEEL_INT(I64Clz, kClz, true)
    KEEL_INT(I64Ctz, kCtz, true)
    KEEL_INT(I64Popcnt, kPopcnt, true)
#undef KEEL_INT
    default:
      return false;
  }
}

// dst := lhs, unless they are one register. A 32-bit move also clears the upper half.
void copy(asmjit::x86::Assembler& a, const Gp& dst, const Gp& lhs) {
  if (dst.id() != lhs.id()) a.mov(dst, lhs);
}

// The two-operand x86 instruction of each ALU kind (mul is imul).
asmjit::InstId alu_inst(Kind kind) {
  namespace Inst = asmjit::x86::Inst;
  switch (kind) {
    case Kind::kAdd:
      return Inst::kIdAdd;
    case Kind::kSub:
      return Inst::kIdSub;
    case Kind::kMul:
      return Inst::kIdImul;
    case Kind::kAnd:
      return Inst::kIdAnd;
    case Kind::kOr:
      return Inst::kIdOr;
    default:
      return Inst::kIdXor;
  }
}

void emit_alu(asmjit::x86::Assembler& a, Kind kind, const Gp& dst, const Gp& lhs,
              const NumericOperands& o, bool wide) {
  if (o.rhs_mem) {
    copy(a, dst, lhs);
    a.emit(alu_inst(kind), dst, *o.rhs_mem);
    return;
  }
  if (o.rhs_is_imm) {
    Imm imm(o.rhs_imm);
    if (kind == Kind::kMul) {
      a.imul(dst, lhs, imm);
      return;
    }
    if (kind == Kind::kAdd && dst.id() != lhs.id()) {
      a.lea(dst, asmjit::x86::ptr(lhs.r64(), o.rhs_imm));
      return;
    }
    if (kind == Kind::kSub && dst.id() != lhs.id() && o.rhs_imm != INT32_MIN) {
      a.lea(dst, asmjit::x86::ptr(lhs.r64(), -o.rhs_imm));
      return;
    }
    copy(a, dst, lhs);
    a.emit(alu_inst(kind), dst, imm);
    return;
  }
  Gp rhs = sized(o.rhs, wide);
  if (dst.id() == rhs.id() && kind != Kind::kSub) {
    a.emit(alu_inst(kind), dst, lhs);  // commutative: numeric_dst_may_be_rhs
    return;
  }
  if (kind == Kind::kAdd && dst.id() != lhs.id()) {
    // One instruction instead of mov + add; the 32-bit form truncates and zero-extends.
    a.lea(dst, asmjit::x86::ptr(lhs.r64(), rhs.r64()));
    return;
  }
  copy(a, dst, lhs);  // dst is not rhs here, so rhs survives
  a.emit(alu_inst(kind), dst, rhs);
}

asmjit::InstId shift_inst(Kind kind) {
  namespace Inst = asmjit::x86::Inst;
  switch (kind) {
    case Kind::kShl:
      return Inst::kIdShl;
    case Kind::kShrS:
      return Inst::kIdSar;
    case Kind::kShrU:
      return Inst::kIdShr;
    case Kind::kRotl:
      return Inst::kIdRol;
    default:
      return Inst::kIdRor;
  }
}

// x86 masks shift and rotate counts to the operand width, exactly as Wasm wants.
void emit_shift(asmjit::x86::Assembler& a, Kind kind, const Gp& dst, const Gp& lhs,
                const NumericOperands& o, bool wide, const platform::CpuFeatures& cpu) {
  if (o.rhs_is_imm) {
    int count = o.rhs_imm & (wide ? 63 : 31);
    copy(a, dst, lhs);
    if (count != 0) a.emit(shift_inst(kind), dst, Imm(count));
    return;
  }
  Gp rhs = sized(o.rhs, wide);
  if (cpu.bmi2 && (kind == Kind::kShl || kind == Kind::kShrS || kind == Kind::kShrU)) {
    if (kind == Kind::kShl) a.shlx(dst, lhs, rhs);
    if (kind == Kind::kShrS) a.sarx(dst, lhs, rhs);
    if (kind == Kind::kShrU) a.shrx(dst, lhs, rhs);
    return;
  }
  a.mov(kScratchGp1.r32(), rhs.r32());
  copy(a, dst, lhs);
  a.emit(shift_inst(kind), dst, kScratchGp1.r8());
}

// idiv faults on INT_MIN / -1; Wasm wants a trap for div_s and 0 for rem_s, so -1 never reaches
// idiv unless the divisor is known not to be -1. dst is written last: it may be lhs, which the
// division still needs.
void emit_div(asmjit::x86::Assembler& a, Kind kind, const Gp& dst, const Gp& lhs, const Gp& rhs,
              const NumericOperands& o, bool wide, TrapLabels& traps) {
  const Gp ax = sized(kScratchGp0, wide);
  const Gp dx = sized(kScratchGp2, wide);
  Label done = a.newLabel();
  if (!o.rhs_nonzero) {
    a.test(rhs, rhs);
    a.jz(traps.get(TrapCode::kIntegerDivideByZero));
  }
  const bool is_signed = kind == Kind::kDivS || kind == Kind::kRemS;
  if (is_signed) {
    if (!o.rhs_not_minus_one) {
      Label normal = a.newLabel();
      a.cmp(rhs, -1);
      a.jne(normal);
      if (kind == Kind::kDivS) {
        a.mov(ax, lhs);
        a.neg(ax);
        a.jo(traps.get(TrapCode::kIntegerOverflow));
      } else {
        a.xor_(ax.r32(), ax.r32());
      }
      a.jmp(done);
      a.bind(normal);
    }
    a.mov(ax, lhs);
    if (wide) {
      a.cqo(dx, ax);
    } else {
      a.cdq(dx, ax);
    }
    a.idiv(dx, ax, rhs);
  } else {
    a.mov(ax, lhs);
    a.xor_(dx.r32(), dx.r32());
    a.div(dx, ax, rhs);
  }
  if (kind == Kind::kRemS || kind == Kind::kRemU) a.mov(ax, dx);
  a.bind(done);
  a.mov(dst, ax);
}

void emit_bitcount(asmjit::x86::Assembler& a, Kind kind, const Gp& dst, const Gp& lhs, bool wide,
                   const platform::CpuFeatures& cpu) {
  const int bits = wide ? 64 : 32;
  switch (kind) {
    case Kind::kClz:
      if (cpu.lzcnt) {
        a.lzcnt(dst, lhs);
      } else {
        // bsr gives the index of the top set bit (bits-1 - clz) and sets ZF on zero input;
        // 2*bits-1 xor (bits-1) is bits.
        a.bsr(dst, lhs);
        a.mov(kScratchGp1.r32(), 2 * bits - 1);
        a.cmovz(dst.r32(), kScratchGp1.r32());
        a.xor_(dst.r32(), bits - 1);
      }
      return;
    case Kind::kCtz:
      if (cpu.bmi1) {
        a.tzcnt(dst, lhs);
      } else {
        a.bsf(dst, lhs);
        a.mov(kScratchGp1.r32(), bits);
        a.cmovz(dst.r32(), kScratchGp1.r32());
      }
      return;
    default:
      break;
  }
  if (cpu.popcnt) {
    a.popcnt(dst, lhs);
    return;
  }
  // SWAR popcount: 2-bit sums, 4-bit sums, byte sums, then a multiply adds the bytes into the top.
  const Gp x = sized(kScratchGp0, wide);
  const Gp t = sized(kScratchGp1, wide);
  const Gp m = sized(kScratchGp2, wide);
  auto mask = [&](uint64_t pattern) {
    if (wide) {
      a.mov(m, pattern);
    } else {
      a.mov(m, static_cast<uint32_t>(pattern));
    }
  };
  a.mov(x, lhs);
  a.mov(t, x);
  a.shr(t, 1);
  mask(0x5555555555555555);
  a.and_(t, m);
  a.sub(x, t);
  mask(0x3333333333333333);
  a.mov(t, x);
  a.shr(t, 2);
  a.and_(x, m);
  a.and_(t, m);
  a.add(x, t);
  a.mov(t, x);
  a.shr(t, 4);
  a.add(x, t);
  mask(0x0f0f0f0f0f0f0f0f);
  a.and_(x, m);
  mask(0x0101010101010101);
  a.imul(x, m);
  a.shr(x, bits - 8);
  a.mov(dst, x);
}

}  // namespace

bool is_integer_op(Op op) {
  IntInfo info;
  return classify(op, info);
}

namespace {

// The two-operand ALU instructions and cmp: x86 takes an immediate or a memory operand for
// their right operand.
bool is_alu_or_compare(Kind kind) {
  switch (kind) {
    case Kind::kAdd:
    case Kind::kSub:
    case Kind::kMul:
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kXor:
    case Kind::kCmp:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool integer_accepts_imm(Op op) {
  IntInfo info;
  if (!classify(op, info)) return false;
  switch (info.kind) {
    case Kind::kShl:
    case Kind::kShrS:
    case Kind::kShrU:
    case Kind::kRotl:
    case Kind::kRotr:
      return true;
    default:
      return is_alu_or_compare(info.kind);
  }
}

bool integer_accepts_mem(Op op) {
  IntInfo info;
  return classify(op, info) && is_alu_or_compare(info.kind);
}

bool emit_integer(asmjit::x86::Assembler& a, Op op, const NumericOperands& o, TrapLabels& traps,
                  const platform::CpuFeatures& cpu) {
  IntInfo info;
  if (!classify(op, info)) return false;
  const Gp lhs = sized(o.lhs, info.wide);
  switch (info.kind) {
    case Kind::kCmp: {
      if (o.rhs_mem) {
        a.cmp(lhs, *o.rhs_mem);
      } else if (o.rhs_is_imm) {
        a.cmp(lhs, o.rhs_imm);
      } else {
        a.cmp(lhs, sized(o.rhs, info.wide));
      }
      const Gp& dst = o.dst.as<Gp>();
      a.set(info.cc, dst.r8());
      a.movzx(dst.r32(), dst.r8());
      return true;
    }
    case Kind::kEqz: {
      const Gp& dst = o.dst.as<Gp>();
      a.test(lhs, lhs);
      a.sete(dst.r8());
      a.movzx(dst.r32(), dst.r8());
      return true;
    }
    default:
      break;
  }
  const Gp dst = sized(o.dst, info.wide);
  switch (info.kind) {
    case Kind::kAdd:
    case Kind::kSub:
    case Kind::kMul:
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kXor:
      emit_alu(a, info.kind, dst, lhs, o, info.wide);
      return true;
    case Kind::kShl:
    case Kind::kShrS:
    case Kind::kShrU:
    case Kind::kRotl:
    case Kind::kRotr:
      emit_shift(a, info.kind, dst, lhs, o, info.wide, cpu);
      return true;
    case Kind::kDivS:
    case Kind::kDivU:
    case Kind::kRemS:
    case Kind::kRemU:
      emit_div(a, info.kind, dst, lhs, sized(o.rhs, info.wide), o, info.wide, traps);
      return true;
    default:
      emit_bitcount(a, info.kind, dst, lhs, info.wide, cpu);
      return true;
  }
}

}  // namespace keel::jit::numeric

namespace keel::jit {

asmjit::x86::CondCode integer_condition(Cmp cmp) {
  using asmjit::x86::CondCode;
  switch (cmp) {
    case Cmp::kEqz:
    case Cmp::kEq:
      return CondCode::kE;
    case Cmp::kNe:
      return CondCode::kNE;
    case Cmp::kLtS:
      return CondCode::kL;
    case Cmp::kLtU:
      return CondCode::kB;
    case Cmp::kGtS:
      return CondCode::kG;
    case Cmp::kGtU:
      return CondCode::kA;
    case Cmp::kLeS:
      return CondCode::kLE;
    case Cmp::kLeU:
      return CondCode::kBE;
    case Cmp::kGeS:
      return CondCode::kGE;
    case Cmp::kGeU:
      return CondCode::kAE;
    case Cmp::kNone:
    case Cmp::kLt:
    case Cmp::kGt:
    case Cmp::kLe:
    case Cmp::kGe:
      break;
  }
  std::abort();  // not an integer comparison: callers check the operand type first
}

}  // namespace keel::jit

// Conversions between the four number types: wrapping and extension, trapping and saturating
// truncation, integer-to-float conversion, demotion, promotion and reinterpretation.
#include "jit/common/numeric_internal.h"

namespace keel::jit::numeric {
namespace {

using asmjit::Label;
using asmjit::x86::Assembler;
using asmjit::x86::Gp;
using asmjit::x86::Xmm;
using vm::TrapCode;

enum class Kind {
  kWrap,
  kExtendU,
  kExtendS,  // from the low `from_bits` bits
  kTruncS,
  kTruncU,
  kTruncSatS,
  kTruncSatU,
  kConvertS,
  kConvertU,
  kDemote,
  kPromote,
  kReinterpret,
};

struct ConvInfo {
  Kind kind;
  int from_bits = 0;  // kExtendS only
};

bool classify(Op op, ConvInfo& info) {
  switch (op) {
    case Op::kI32WrapI64:
      info = {Kind::kWrap};
      return true;
    case Op::kI64ExtendI32U:
      info = {Kind::kExtendU};
      return true;
    case Op::kI32Extend8S:
    case Op::kI64Extend8S:
      info = {Kind::kExtendS, 8};
      return true;
    case Op::kI32Extend16S:
    case Op::kI64Extend16S:
      info = {Kind::kExtendS, 16};
      return true;
    case Op::kI64Extend32S:
    case Op::kI64ExtendI32S:
      info = {Kind::kExtendS, 32};
      return true;
    case Op::kI32TruncF32S:
    case Op::kI32TruncF64S:
    case Op::kI64TruncF32S:
    case Op::kI64TruncF64S:
      info = {Kind::kTruncS};
      return true;
    case Op::kI32TruncF32U:
    case Op::kI32TruncF64U:
    case Op::kI64TruncF32U:
    case Op::kI64TruncF64U:
      info = {Kind::kTruncU};
      return true;
    case Op::kI32TruncSatF32S:
    case Op::kI32TruncSatF64S:
    case Op::kI64TruncSatF32S:
    case Op::kI64TruncSatF64S:
      info = {Kind::kTruncSatS};
      return true;
    case Op::kI32TruncSatF32U:
    case Op::kI32TruncSatF64U:
    case Op::kI64TruncSatF32U:
    case Op::kI64TruncSatF64U:
      info = {Kind::kTruncSatU};
      return true;
    case Op::kF32ConvertI32S:
    case Op::kF32ConvertI64S:
    case Op::kF64ConvertI32S:
    case Op::kF64ConvertI64S:
      info = {Kind::kConvertS};
      return true;
    case Op::kF32ConvertI32U:
    case Op::kF32ConvertI64U:
    case Op::kF64ConvertI32U:
    case Op::kF64ConvertI64U:
      info = {Kind::kConvertU};
      return true;
    case Op::kF32DemoteF64:
      info = {Kind::kDemote};
      return true;
    case Op::kF64PromoteF32:
      info = {Kind::kPromote};
      return true;
    case Op::kI32ReinterpretF32:
    case Op::kI64ReinterpretF64:
    case Op::kF32ReinterpretI32:
    case Op::kF64ReinterpretI64:
      info = {Kind::kReinterpret};
      return true;
    default:
      return false;
  }
}

bool is64(ValType t) {
  return t == ValType::kI64 || t == ValType::kF64;
}

// Truncation towards zero; out-of-range and NaN inputs give the "integer indefinite" value,
// INT_MIN of the destination width.
void cvtt(Assembler& a, const Gp& dst, const Xmm& src, bool src_wide) {
  if (src_wide) {
    a.cvttsd2si(dst, src);
  } else {
    a.cvttss2si(dst, src);
  }
}

void ucomis(Assembler& a, bool wide, const Xmm& x, const Xmm& y) {
  if (wide) {
    a.ucomisd(x, y);
  } else {
    a.ucomiss(x, y);
  }
}

void load_float(Assembler& a, bool wide, const Xmm& x, uint64_t bits) {
  if (wide) {
    load_f64_bits(a, x, bits);
  } else {
    load_f32_bits(a, x, static_cast<uint32_t>(bits));
  }
}

// Exclusive bounds of the inputs whose truncation fits a signed integer, as float bits: the
// first representable value at or below INT_MIN - 1, and -INT_MIN.
struct SignedBounds {
  uint64_t below, above;
};
SignedBounds signed_bounds(bool src_wide, bool dst_wide) {
  if (dst_wide) {
    return src_wide ? SignedBounds{0xc3e0000000000001, 0x43e0000000000000}  // -2^63-2^11, 2^63
                    : SignedBounds{0xdf000001, 0x5f000000};                 // -2^63-2^40, 2^63
  }
  return src_wide ? SignedBounds{0xc1e0000000200000, 0x41e0000000000000}  // -2^31-1, 2^31
                  : SignedBounds{0xcf000001, 0x4f000000};                 // -2^31-2^8, 2^31
}

// The fast path is one cvtt; only an INT_MIN result (cmp with 1 overflows) needs a closer look,
// since INT_MIN is also a legitimate result.
void emit_trunc_signed(Assembler& a, bool sat, bool src_wide, bool dst_wide, const Gp& dst,
                       const Xmm& src, TrapLabels& traps) {
  const Gp d = sized(dst, dst_wide);
  Label done = a.newLabel();
  cvtt(a, d, src, src_wide);
  a.cmp(d, 1);
  a.jno(done);
  if (sat) {
    Label nan = a.newLabel();
    a.xorps(kScratchXmm0, kScratchXmm0);
    ucomis(a, src_wide, src, kScratchXmm0);
    a.jp(nan);
    a.jbe(done);
    a.not_(d);  // ~INT_MIN is INT_MAX
    a.jmp(done);
    a.bind(nan);
    a.xor_(d.r32(), d.r32());
  } else {
    const SignedBounds bounds = signed_bounds(src_wide, dst_wide);
    ucomis(a, src_wide, src, src);
    a.jp(traps.get(TrapCode::kInvalidConversion));
    load_float(a, src_wide, kScratchXmm0, bounds.below);
    ucomis(a, src_wide, src, kScratchXmm0);
    a.jbe(traps.get(TrapCode::kIntegerOverflow));
    load_float(a, src_wide, kScratchXmm0, bounds.above);
    ucomis(a, src_wide, src, kScratchXmm0);
    a.jae(traps.get(TrapCode::kIntegerOverflow));
  }
  a.bind(done);
}

// u32: a signed 64-bit truncation is exact over the whole u32 range, so the result fits iff its
// upper half is zero (negative and unrepresentable inputs all have upper bits set).
void emit_trunc_u32(Assembler& a, bool sat, bool src_wide, const Gp& dst, const Xmm& src,
                    TrapLabels& traps) {
  Label ok = a.newLabel();
  cvtt(a, kScratchGp0, src, src_wide);
  a.mov(kScratchGp1, kScratchGp0);
  a.shr(kScratchGp1, 32);
  a.jz(ok);
  if (sat) {
    a.xorps(kScratchXmm0, kScratchXmm0);
    ucomis(a, src_wide, src, kScratchXmm0);
    a.mov(kScratchGp0.r32(), 0);  // NaN and negative inputs; mov keeps the flags
    a.jbe(ok);
    a.mov(kScratchGp0.r32(), 0xffffffffu);
  } else {
    ucomis(a, src_wide, src, src);
    a.jp(traps.get(TrapCode::kInvalidConversion));
    a.jmp(traps.get(TrapCode::kIntegerOverflow));
  }
  a.bind(ok);
  a.mov(dst.r32(), kScratchGp0.r32());
}

// u64: inputs below 2^63 truncate as signed; larger ones are reduced by 2^63 first (exactly,
// as their ulp is at least 1) and get the top bit back afterwards.
void emit_trunc_u64(Assembler& a, bool sat, bool src_wide, const Gp& dst, const Xmm& src,
                    TrapLabels& traps) {
  const Gp d = dst.r64();
  Label big = a.newLabel(), done = a.newLabel();
  load_float(a, src_wide, kScratchXmm0, src_wide ? 0x43e0000000000000 : 0x5f000000);
  ucomis(a, src_wide, src, kScratchXmm0);
  if (!sat) a.jp(traps.get(TrapCode::kInvalidConversion));
  a.jae(big);
  cvtt(a, d, src, src_wide);
  if (sat) {
    // Negative results (negative inputs, NaN, -inf) become 0.
    a.mov(kScratchGp0, d);
    a.sar(kScratchGp0, 63);
    a.not_(kScratchGp0);
    a.and_(d, kScratchGp0);
  } else {
    a.test(d, d);
    a.js(traps.get(TrapCode::kIntegerOverflow));
  }
  a.jmp(done);
  a.bind(big);
  a.movaps(kScratchXmm1, src);
  if (src_wide) {
    a.subsd(kScratchXmm1, kScratchXmm0);
  } else {
    a.subss(kScratchXmm1, kScratchXmm0);
  }
  cvtt(a, d, kScratchXmm1, src_wide);
  if (sat) {
    // 2^64 and above truncate to the indefinite value (top bit set): saturate to all ones.
    a.mov(kScratchGp0, d);
    a.sar(kScratchGp0, 63);
    a.btc(d, 63);
    a.or_(d, kScratchGp0);
  } else {
    a.test(d, d);
    a.js(traps.get(TrapCode::kIntegerOverflow));
    a.btc(d, 63);
  }
  a.bind(done);
}

void cvtsi2(Assembler& a, bool dst_wide, const Xmm& dst, const Gp& src) {
  if (dst_wide) {
    a.cvtsi2sd(dst, src);
  } else {
    a.cvtsi2ss(dst, src);
  }
}

// cvtsi2ss/sd only merge into dst: clearing it first breaks the dependency on its old value.
void emit_convert(Assembler& a, bool is_signed, bool src_wide, bool dst_wide, const Xmm& dst,
                  const Gp& src) {
  a.xorps(dst, dst);
  if (is_signed) {
    cvtsi2(a, dst_wide, dst, sized(src, src_wide));
    return;
  }
  if (!src_wide) {
    // Every u32 is a non-negative i64.
    a.mov(kScratchGp0.r32(), src.r32());
    cvtsi2(a, dst_wide, dst, kScratchGp0);
    return;
  }
  // u64 with the top bit set: halve, keeping the lost bit as a sticky bit so the one rounding
  // of the halved value matches the rounding of the original, then double exactly.
  Label big = a.newLabel(), done = a.newLabel();
  const Gp s = src.r64();
  a.test(s, s);
  a.js(big);
  cvtsi2(a, dst_wide, dst, s);
  a.jmp(done);
  a.bind(big);
  a.mov(kScratchGp0, s);
  a.shr(kScratchGp0, 1);
  a.mov(kScratchGp1.r32(), s.r32());
  a.and_(kScratchGp1.r32(), 1);
  a.or_(kScratchGp0, kScratchGp1);
  cvtsi2(a, dst_wide, dst, kScratchGp0);
  if (dst_wide) {
    a.addsd(dst, dst);
  } else {
    a.addss(dst, dst);
  }
  a.bind(done);
}

}  // namespace

bool is_conversion_op(Op op) {
  ConvInfo info;
  return classify(op, info);
}

bool emit_conversion(Assembler& a, Op op, const NumericOperands& o, TrapLabels& traps) {
  ConvInfo info;
  if (!classify(op, info)) return false;
  const OpSig& sig = op_info(op).sig;
  const bool src_wide = is64(sig.params[0]);
  const bool dst_wide = is64(sig.result);
  switch (info.kind) {
    case Kind::kWrap:
    case Kind::kExtendU:
      a.mov(o.dst.as<Gp>().r32(), o.lhs.as<Gp>().r32());
      return true;
    case Kind::kExtendS: {
      const Gp dst = sized(o.dst, dst_wide);
      const Gp& lhs = o.lhs.as<Gp>();
      if (info.from_bits == 8) {
        a.movsx(dst, lhs.r8());
      } else if (info.from_bits == 16) {
        a.movsx(dst, lhs.r16());
      } else {
        a.movsxd(dst, lhs.r32());
      }
      return true;
    }
    case Kind::kTruncS:
    case Kind::kTruncSatS:
      emit_trunc_signed(a, info.kind == Kind::kTruncSatS, src_wide, dst_wide, o.dst.as<Gp>(),
                        o.lhs.as<Xmm>(), traps);
      return true;
    case Kind::kTruncU:
    case Kind::kTruncSatU:
      if (dst_wide) {
        emit_trunc_u64(a, info.kind == Kind::kTruncSatU, src_wide, o.dst.as<Gp>(), o.lhs.as<Xmm>(),
                       traps);
      } else {
        emit_trunc_u32(a, info.kind == Kind::kTruncSatU, src_wide, o.dst.as<Gp>(), o.lhs.as<Xmm>(),
                       traps);
      }
      return true;
    case Kind::kConvertS:
    case Kind::kConvertU:
      emit_convert(a, info.kind == Kind::kConvertS, src_wide, dst_wide, o.dst.as<Xmm>(),
                   o.lhs.as<Gp>());
      return true;
    case Kind::kDemote:
      a.cvtsd2ss(o.dst.as<Xmm>(), o.lhs.as<Xmm>());
      return true;
    case Kind::kPromote:
      a.cvtss2sd(o.dst.as<Xmm>(), o.lhs.as<Xmm>());
      return true;
    case Kind::kReinterpret:
      if (o.dst.isGp()) {
        const Gp dst = sized(o.dst, dst_wide);
        dst_wide ? a.movq(dst, o.lhs.as<Xmm>()) : a.movd(dst, o.lhs.as<Xmm>());
      } else {
        const Gp src = sized(o.lhs, src_wide);
        src_wide ? a.movq(o.dst.as<Xmm>(), src) : a.movd(o.dst.as<Xmm>(), src);
      }
      return true;
  }
  return false;
}

}  // namespace keel::jit::numeric

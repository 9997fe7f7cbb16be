// Lane conversions: int <-> float (saturating truncation included), demote and promote.
#include <bit>

#include "jit/common/simd_internal.h"

namespace keel::jit::simd {

namespace x86 = asmjit::x86;
using asmjit::Imm;
using asmjit::x86::Assembler;
using asmjit::x86::Xmm;

bool emit_conversion(Assembler& a, Op op, const SimdOperands& o) {
  ConstantPool* pool = o.constants;
  const Xmm dst = xmm_of(o.dst);
  const Xmm s0 = kScratchXmm0, s1 = kScratchXmm1;
  switch (op) {
    case Op::kF32x4ConvertI32x4S:
      a.cvtdq2ps(dst, dst);
      return true;
    case Op::kF32x4ConvertI32x4U:
      // lo = x & 0xffff and hi = x - lo both convert exactly (hi halved to stay signed);
      // their sum rounds once.
      a.movdqa(s0, dst);
      a.pslld(s0, Imm(16));
      a.psrld(s0, Imm(16));
      a.psubd(dst, s0);
      a.psrld(dst, Imm(1));
      a.cvtdq2ps(dst, dst);
      a.addps(dst, dst);
      a.cvtdq2ps(s0, s0);
      a.addps(dst, s0);
      return true;
    case Op::kI32x4TruncSatF32x4S:
      // NaN lanes to 0; lanes >= 2^31 come out of cvttps2dq as 0x80000000 and are flipped.
      a.movaps(s0, dst);
      a.cmpps(s0, s0, Imm(0));
      a.andps(dst, s0);
      splat32(a, pool, s1, 0x4f000000);  // 2^31
      a.cmpps(s1, dst, Imm(2));          // 2^31 <= x
      a.cvttps2dq(dst, dst);
      a.pxor(dst, s1);
      return true;
    case Op::kI32x4TruncSatF32x4U: {
      // x' = max(x, 0) (NaN -> 0); result = cvt(x') + cvt(max(x' - 2^31, 0)), where cvt gives
      // 0x80000000 out of range, or all ones where x' - 2^31 >= 2^31.
      const Xmm t = o.temp;
      a.pxor(s0, s0);
      a.maxps(dst, s0);
      splat32(a, pool, s1, 0x4f000000);
      a.movaps(s0, dst);
      a.subps(s0, s1);
      a.cmpps(s1, s0, Imm(2));
      a.pxor(t, t);
      a.maxps(s0, t);
      a.cvttps2dq(s0, s0);
      a.cvttps2dq(dst, dst);
      a.paddd(dst, s0);
      a.por(dst, s1);
      return true;
    }
    case Op::kF64x2ConvertLowI32x4S:
      a.cvtdq2pd(dst, dst);
      return true;
    case Op::kF64x2ConvertLowI32x4U:
      // 0x43300000:u is the double 2^52 + u; subtracting 2^52 leaves u exactly.
      splat32(a, pool, s0, 0x43300000);
      a.punpckldq(dst, s0);
      splat64(a, pool, s0, 0x4330000000000000ull);
      a.subpd(dst, s0);
      return true;
    case Op::kI32x4TruncSatF64x2SZero:
      a.movapd(s0, dst);
      a.cmppd(s0, s0, Imm(0));
      a.andpd(dst, s0);
      splat64(a, pool, s0, std::bit_cast<uint64_t>(2147483647.0));
      a.minpd(dst, s0);
      a.cvttpd2dq(dst, dst);
      return true;
    case Op::kI32x4TruncSatF64x2UZero:
      // Clamped to [0, 2^32 - 1] (NaN -> 0), truncated, then 2^52 added so the low dword of
      // each double is the integer.
      a.pxor(s0, s0);
      a.maxpd(dst, s0);
      splat64(a, pool, s1, std::bit_cast<uint64_t>(4294967295.0));
      a.minpd(dst, s1);
      a.roundpd(dst, dst, Imm(11));
      splat64(a, pool, s1, 0x4330000000000000ull);
      a.addpd(dst, s1);
      a.shufps(dst, s0, Imm(0x88));
      return true;
    case Op::kF32x4DemoteF64x2Zero:
      a.cvtpd2ps(dst, dst);
      return true;
    case Op::kF64x2PromoteLowF32x4:
      a.cvtps2pd(dst, dst);
      return true;
    default:
      return false;
  }
}

}  // namespace keel::jit::simd

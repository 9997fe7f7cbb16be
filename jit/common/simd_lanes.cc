// Splats, lane extraction and replacement, shuffles, bitwise operations and the reductions to
// i32 (any_true, all_true, bitmask).
#include "jit/common/simd_internal.h"

namespace keel::jit::simd {
namespace {

namespace x86 = asmjit::x86;
using asmjit::Imm;
using asmjit::x86::Assembler;
using asmjit::x86::Gp;
using asmjit::x86::Xmm;

void splat(Assembler& a, Op op, const Xmm& dst, const x86::Reg& src,
           const platform::CpuFeatures& cpu) {
  switch (op) {
    case Op::kI8x16Splat:
      a.movd(dst, gp_of(src).r32());
      if (cpu.avx2) {
        a.vpbroadcastb(dst, dst);
      } else {
        a.pxor(kScratchXmm0, kScratchXmm0);
        a.pshufb(dst, kScratchXmm0);
      }
      return;
    case Op::kI16x8Splat:
      a.movd(dst, gp_of(src).r32());
      if (cpu.avx2) {
        a.vpbroadcastw(dst, dst);
      } else {
        a.pshuflw(dst, dst, Imm(0));
        a.punpcklqdq(dst, dst);
      }
      return;
    case Op::kI32x4Splat:
      a.movd(dst, gp_of(src).r32());
      a.pshufd(dst, dst, Imm(0));
      return;
    case Op::kI64x2Splat:
      a.movq(dst, gp_of(src).r64());
      a.punpcklqdq(dst, dst);
      return;
    case Op::kF32x4Splat:  // dst is src
      if (cpu.avx2)
        a.vbroadcastss(dst, dst);
      else
        a.shufps(dst, dst, Imm(0));
      return;
    default:  // f64x2.splat, dst is src
      a.movddup(dst, dst);
      return;
  }
}

void extract(Assembler& a, Op op, const x86::Reg& dst, const Xmm& src, uint8_t lane) {
  switch (op) {
    case Op::kI8x16ExtractLaneS:
      a.pextrb(gp_of(dst).r32(), src, Imm(lane));
      a.movsx(gp_of(dst).r32(), gp_of(dst).r8());
      return;
    case Op::kI8x16ExtractLaneU:
      a.pextrb(gp_of(dst).r32(), src, Imm(lane));
      return;
    case Op::kI16x8ExtractLaneS:
      a.pextrw(gp_of(dst).r32(), src, Imm(lane));
      a.movsx(gp_of(dst).r32(), gp_of(dst).r16());
      return;
    case Op::kI16x8ExtractLaneU:
      a.pextrw(gp_of(dst).r32(), src, Imm(lane));
      return;
    case Op::kI32x4ExtractLane:
      if (lane == 0)
        a.movd(gp_of(dst).r32(), src);
      else
        a.pextrd(gp_of(dst).r32(), src, Imm(lane));
      return;
    case Op::kI64x2ExtractLane:
      if (lane == 0)
        a.movq(gp_of(dst).r64(), src);
      else
        a.pextrq(gp_of(dst).r64(), src, Imm(lane));
      return;
    case Op::kF32x4ExtractLane:  // dst is src; lanes above 0 of a scalar are unspecified
      if (lane != 0) a.pshufd(src, src, Imm(lane));
      return;
    default:  // f64x2.extract_lane, dst is src
      if (lane != 0) a.movhlps(src, src);
      return;
  }
}

void replace(Assembler& a, Op op, const Xmm& dst, const x86::Reg& value, uint8_t lane) {
  switch (op) {
    case Op::kI8x16ReplaceLane:
      a.pinsrb(dst, gp_of(value).r32(), Imm(lane));
      return;
    case Op::kI16x8ReplaceLane:
      a.pinsrw(dst, gp_of(value).r32(), Imm(lane));
      return;
    case Op::kI32x4ReplaceLane:
      a.pinsrd(dst, gp_of(value).r32(), Imm(lane));
      return;
    case Op::kI64x2ReplaceLane:
      a.pinsrq(dst, gp_of(value).r64(), Imm(lane));
      return;
    case Op::kF32x4ReplaceLane:
      a.insertps(dst, xmm_of(value), Imm(lane << 4));
      return;
    default:  // f64x2.replace_lane
      if (lane == 0)
        a.movsd(dst, xmm_of(value));
      else
        a.movlhps(dst, xmm_of(value));
      return;
  }
}

// Lane i of the result is byte s[i] of a:b; pshufb zeroes the lanes whose mask byte has bit 7.
void shuffle(Assembler& a, ConstantPool* pool, const Xmm& dst, const Xmm& b, const uint8_t* s) {
  uint64_t mask_a[2] = {}, mask_b[2] = {};
  for (int i = 0; i < 16; ++i) {
    uint64_t ma = s[i] < 16 ? s[i] : 0x80, mb = s[i] >= 16 ? s[i] - 16 : 0x80;
    mask_a[i / 8] |= ma << (8 * (i % 8));
    mask_b[i / 8] |= mb << (8 * (i % 8));
  }
  load_v128(a, pool, kScratchXmm1, mask_a[0], mask_a[1]);
  a.pshufb(dst, kScratchXmm1);
  a.movdqa(kScratchXmm0, b);
  load_v128(a, pool, kScratchXmm1, mask_b[0], mask_b[1]);
  a.pshufb(kScratchXmm0, kScratchXmm1);
  a.por(dst, kScratchXmm0);
}

// r32 = 1 if the flags say `cc`, else 0.
void set_bool(Assembler& a, const Gp& dst, bool on_zero) {
  if (on_zero)
    a.setz(dst.r8());
  else
    a.setnz(dst.r8());
  a.movzx(dst.r32(), dst.r8());
}

asmjit::InstId pcmpeq_for(Op op) {
  switch (op) {
    case Op::kI8x16AllTrue:
      return x86::Inst::kIdPcmpeqb;
    case Op::kI16x8AllTrue:
      return x86::Inst::kIdPcmpeqw;
    case Op::kI32x4AllTrue:
      return x86::Inst::kIdPcmpeqd;
    default:
      return x86::Inst::kIdPcmpeqq;
  }
}

}  // namespace

bool emit_lanes(Assembler& a, Op op, const SimdOperands& o, const platform::CpuFeatures& cpu) {
  ConstantPool* pool = o.constants;
  switch (op) {
    case Op::kI8x16Splat:
    case Op::kI16x8Splat:
    case Op::kI32x4Splat:
    case Op::kI64x2Splat:
    case Op::kF32x4Splat:
    case Op::kF64x2Splat:
      splat(a, op, xmm_of(o.dst), o.a, cpu);
      return true;
    case Op::kI8x16ExtractLaneS:
    case Op::kI8x16ExtractLaneU:
    case Op::kI16x8ExtractLaneS:
    case Op::kI16x8ExtractLaneU:
    case Op::kI32x4ExtractLane:
    case Op::kI64x2ExtractLane:
    case Op::kF32x4ExtractLane:
    case Op::kF64x2ExtractLane:
      extract(a, op, o.dst, xmm_of(o.a), o.lane);
      return true;
    case Op::kI8x16ReplaceLane:
    case Op::kI16x8ReplaceLane:
    case Op::kI32x4ReplaceLane:
    case Op::kI64x2ReplaceLane:
    case Op::kF32x4ReplaceLane:
    case Op::kF64x2ReplaceLane:
      replace(a, op, xmm_of(o.dst), o.b, o.lane);
      return true;
    case Op::kI8x16Shuffle:
      shuffle(a, pool, xmm_of(o.dst), xmm_of(o.b), o.shuffle);
      return true;
    case Op::kI8x16Swizzle:
      // Indices above 15 saturate to at least 0x80 and select zero.
      splat8(a, pool, kScratchXmm0, 0x70);
      a.paddusb(kScratchXmm0, xmm_of(o.b));
      a.pshufb(xmm_of(o.dst), kScratchXmm0);
      return true;
    case Op::kV128Not:
      emit_not(a, xmm_of(o.dst));
      return true;
    case Op::kV128And:
      a.pand(xmm_of(o.dst), xmm_of(o.b));
      return true;
    case Op::kV128Or:
      a.por(xmm_of(o.dst), xmm_of(o.b));
      return true;
    case Op::kV128Xor:
      a.pxor(xmm_of(o.dst), xmm_of(o.b));
      return true;
    case Op::kV128Andnot:
      a.movdqa(kScratchXmm0, xmm_of(o.b));
      a.pandn(kScratchXmm0, xmm_of(o.dst));
      a.movdqa(xmm_of(o.dst), kScratchXmm0);
      return true;
    case Op::kV128Bitselect:
      a.movdqa(kScratchXmm0, xmm_of(o.c));
      a.pandn(kScratchXmm0, xmm_of(o.b));
      a.pand(xmm_of(o.dst), xmm_of(o.c));
      a.por(xmm_of(o.dst), kScratchXmm0);
      return true;
    case Op::kV128AnyTrue:
      a.ptest(xmm_of(o.a), xmm_of(o.a));
      set_bool(a, gp_of(o.dst), false);
      return true;
    case Op::kI8x16AllTrue:
    case Op::kI16x8AllTrue:
    case Op::kI32x4AllTrue:
    case Op::kI64x2AllTrue:
      a.pxor(kScratchXmm0, kScratchXmm0);
      a.emit(pcmpeq_for(op), kScratchXmm0, xmm_of(o.a));
      a.ptest(kScratchXmm0, kScratchXmm0);
      set_bool(a, gp_of(o.dst), true);
      return true;
    case Op::kI8x16Bitmask:
      a.pmovmskb(gp_of(o.dst).r32(), xmm_of(o.a));
      return true;
    case Op::kI16x8Bitmask:
      a.movdqa(kScratchXmm0, xmm_of(o.a));
      a.packsswb(kScratchXmm0, kScratchXmm0);
      a.pmovmskb(gp_of(o.dst).r32(), kScratchXmm0);
      a.movzx(gp_of(o.dst).r32(), gp_of(o.dst).r8());
      return true;
    case Op::kI32x4Bitmask:
      a.movmskps(gp_of(o.dst).r32(), xmm_of(o.a));
      return true;
    case Op::kI64x2Bitmask:
      a.movmskpd(gp_of(o.dst).r32(), xmm_of(o.a));
      return true;
    default:
      return false;
  }
}

}  // namespace keel::jit::simd

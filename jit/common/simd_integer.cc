// Integer lane arithmetic: the operations one SSE instruction does (a table), comparisons,
// shifts, abs/neg/popcnt, widening, narrowing, extended and pairwise multiplies and adds.
#include <cstdlib>

#include "jit/common/simd_internal.h"

namespace keel::jit::simd {
namespace {

namespace x86 = asmjit::x86;
using asmjit::Imm;
using asmjit::InstId;
using asmjit::x86::Assembler;
using asmjit::x86::Gp;
using asmjit::x86::Xmm;
namespace I = asmjit::x86::Inst;

// dst = dst op b, one instruction.
struct BinaryRow {
  Op op;
  InstId inst;
};
constexpr BinaryRow kBinary[] = {
    {Op::kI8x16Add, I::kIdPaddb},
    {Op::kI8x16AddSatS, I::kIdPaddsb},
    {Op::kI8x16AddSatU, I::kIdPaddusb},
    {Op::kI8x16Sub, I::kIdPsubb},
    {Op::kI8x16SubSatS, I::kIdPsubsb},
    {Op::kI8x16SubSatU, I::kIdPsubusb},
    {Op::kI8x16MinS, I::kIdPminsb},
    {Op::kI8x16MinU, I::kIdPminub},
    {Op::kI8x16MaxS, I::kIdPmaxsb},
    {Op::kI8x16MaxU, I::kIdPmaxub},
    {Op::kI8x16AvgrU, I::kIdPavgb},
    {Op::kI8x16NarrowI16x8S, I::kIdPacksswb},
    {Op::kI8x16NarrowI16x8U, I::kIdPackuswb},
    {Op::kI16x8Add, I::kIdPaddw},
    {Op::kI16x8AddSatS, I::kIdPaddsw},
    {Op::kI16x8AddSatU, I::kIdPaddusw},
    {Op::kI16x8Sub, I::kIdPsubw},
    {Op::kI16x8SubSatS, I::kIdPsubsw},
    {Op::kI16x8SubSatU, I::kIdPsubusw},
    {Op::kI16x8Mul, I::kIdPmullw},
    {Op::kI16x8MinS, I::kIdPminsw},
    {Op::kI16x8MinU, I::kIdPminuw},
    {Op::kI16x8MaxS, I::kIdPmaxsw},
    {Op::kI16x8MaxU, I::kIdPmaxuw},
    {Op::kI16x8AvgrU, I::kIdPavgw},
    {Op::kI16x8NarrowI32x4S, I::kIdPackssdw},
    {Op::kI16x8NarrowI32x4U, I::kIdPackusdw},
    {Op::kI32x4Add, I::kIdPaddd},
    {Op::kI32x4Sub, I::kIdPsubd},
    {Op::kI32x4Mul, I::kIdPmulld},
    {Op::kI32x4MinS, I::kIdPminsd},
    {Op::kI32x4MinU, I::kIdPminud},
    {Op::kI32x4MaxS, I::kIdPmaxsd},
    {Op::kI32x4MaxU, I::kIdPmaxud},
    {Op::kI32x4DotI16x8S, I::kIdPmaddwd},
    {Op::kI64x2Add, I::kIdPaddq},
    {Op::kI64x2Sub, I::kIdPsubq},
};

// Comparisons, by lane width (0..3 for 8..64 bits).
constexpr InstId kPcmpeq[] = {I::kIdPcmpeqb, I::kIdPcmpeqw, I::kIdPcmpeqd, I::kIdPcmpeqq};
constexpr InstId kPcmpgt[] = {I::kIdPcmpgtb, I::kIdPcmpgtw, I::kIdPcmpgtd, I::kIdPcmpgtq};
constexpr InstId kPmaxu[] = {I::kIdPmaxub, I::kIdPmaxuw, I::kIdPmaxud};
constexpr InstId kPminu[] = {I::kIdPminub, I::kIdPminuw, I::kIdPminud};
constexpr InstId kPsub[] = {I::kIdPsubb, I::kIdPsubw, I::kIdPsubd, I::kIdPsubq};

// Integer lane comparisons: the predicate from the table's Cmp column, the width from the shape.
bool classify_cmp(Op op, Cmp& cmp, int& width) {
  LaneShape shape = lane_shape(op);
  cmp = op_info(op).cmp;
  if (cmp == Cmp::kNone || !is_integer_shape(shape)) return false;
  width = static_cast<int>(lane_size_log2(shape));
  return true;
}

// i64x2 signed comparisons without SSE4.2's pcmpgtq: lane by lane in general registers.
void compare_i64_scalar(Assembler& a, Cmp cmp, const Xmm& dst, const Xmm& b) {
  x86::CondCode cc = integer_condition(cmp);
  for (int lane = 0; lane < 2; ++lane) {
    a.pextrq(x86::rax, dst, Imm(lane));
    a.pextrq(x86::rcx, b, Imm(lane));
    a.xor_(x86::edx, x86::edx);
    a.cmp(x86::rax, x86::rcx);
    a.set(cc, x86::dl);
    a.neg(x86::rdx);
    if (lane == 0)
      a.movq(kScratchXmm0, x86::rdx);
    else
      a.pinsrq(kScratchXmm0, x86::rdx, Imm(1));
  }
  a.movdqa(dst, kScratchXmm0);
}

void compare(Assembler& a, Cmp cmp, int w, const Xmm& dst, const Xmm& b,
             const platform::CpuFeatures& cpu) {
  if (w == 3 && cmp != Cmp::kEq && cmp != Cmp::kNe && !cpu.sse42)
    return compare_i64_scalar(a, cmp, dst, b);
  auto lt_s = [&] {  // dst = b > dst
    a.movdqa(kScratchXmm0, b);
    a.emit(kPcmpgt[w], kScratchXmm0, dst);
    a.movdqa(dst, kScratchXmm0);
  };
  auto ge_u = [&](InstId extreme) {  // dst = extreme(dst, b) == dst
    a.movdqa(kScratchXmm0, dst);
    a.emit(extreme, kScratchXmm0, b);
    a.emit(kPcmpeq[w], dst, kScratchXmm0);
  };
  switch (cmp) {
    case Cmp::kEq:
    case Cmp::kNe:
      a.emit(kPcmpeq[w], dst, b);
      if (cmp == Cmp::kNe) emit_not(a, dst);
      return;
    case Cmp::kGtS:
    case Cmp::kLeS:
      a.emit(kPcmpgt[w], dst, b);
      if (cmp == Cmp::kLeS) emit_not(a, dst);
      return;
    case Cmp::kLtS:
    case Cmp::kGeS:
      lt_s();
      if (cmp == Cmp::kGeS) emit_not(a, dst);
      return;
    case Cmp::kGeU:
    case Cmp::kLtU:
      ge_u(kPmaxu[w]);
      if (cmp == Cmp::kLtU) emit_not(a, dst);
      return;
    case Cmp::kLeU:
    case Cmp::kGtU:
      ge_u(kPminu[w]);
      if (cmp == Cmp::kGtU) emit_not(a, dst);
      return;
    case Cmp::kNone:
    case Cmp::kEqz:
    case Cmp::kLt:
    case Cmp::kGt:
    case Cmp::kLe:
    case Cmp::kGe:
      break;
  }
  std::abort();  // no integer-shaped row has these (opcodes_test.cc): a compiler bug
}

struct ShiftRow {
  Op op;
  InstId inst;
  uint32_t mask;
};
constexpr ShiftRow kShifts[] = {
    {Op::kI16x8Shl, I::kIdPsllw, 15},  {Op::kI16x8ShrS, I::kIdPsraw, 15},
    {Op::kI16x8ShrU, I::kIdPsrlw, 15}, {Op::kI32x4Shl, I::kIdPslld, 31},
    {Op::kI32x4ShrS, I::kIdPsrad, 31}, {Op::kI32x4ShrU, I::kIdPsrld, 31},
    {Op::kI64x2Shl, I::kIdPsllq, 63},  {Op::kI64x2ShrU, I::kIdPsrlq, 63},
};

// Shifts by a constant: immediate forms, masks known at compile time.
void shift_imm(Assembler& a, ConstantPool* pool, Op op, const Xmm& dst, uint32_t count) {
  for (const ShiftRow& row : kShifts) {
    if (row.op != op) continue;
    if ((count & row.mask) != 0) a.emit(row.inst, dst, Imm(count & row.mask));
    return;
  }
  switch (op) {
    case Op::kI64x2ShrS:
      count &= 63;
      if (count == 0) return;
      a.psrlq(dst, Imm(count));
      splat64(a, pool, kScratchXmm0, (uint64_t(1) << 63) >> count);
      a.pxor(dst, kScratchXmm0);
      a.psubq(dst, kScratchXmm0);
      return;
    case Op::kI8x16ShrS:
      count &= 7;
      if (count == 0) return;
      a.movdqa(kScratchXmm0, dst);
      a.punpckhbw(kScratchXmm0, kScratchXmm0);
      a.psraw(kScratchXmm0, Imm(8 + count));
      a.punpcklbw(dst, dst);
      a.psraw(dst, Imm(8 + count));
      a.packsswb(dst, kScratchXmm0);
      return;
    default: {
      bool left = op == Op::kI8x16Shl;
      count &= 7;
      if (count == 0) return;
      a.emit(left ? I::kIdPsllw : I::kIdPsrlw, dst, Imm(count));
      splat8(a, pool, kScratchXmm0, uint8_t(left ? 0xff << count : 0xff >> count));
      a.pand(dst, kScratchXmm0);
      return;
    }
  }
}

// Shifts take the count modulo the lane width, as x86 does not.
void shift(Assembler& a, Op op, const Xmm& dst, const Gp& count) {
  for (const ShiftRow& row : kShifts) {
    if (row.op != op) continue;
    a.mov(x86::eax, count.r32());
    a.and_(x86::eax, row.mask);
    a.movd(kScratchXmm0, x86::eax);
    a.emit(row.inst, dst, kScratchXmm0);
    return;
  }
  a.mov(x86::ecx, count.r32());
  switch (op) {
    case Op::kI64x2ShrS:
      // Logical shift, then sign-extend from bit 63 - n: (x ^ m) - m with m = 2^63 >> n.
      a.and_(x86::ecx, 63);
      a.movd(kScratchXmm0, x86::ecx);
      a.psrlq(dst, kScratchXmm0);
      a.mov(x86::rax, uint64_t(1) << 63);
      a.shr(x86::rax, x86::cl);
      a.movq(kScratchXmm0, x86::rax);
      a.punpcklqdq(kScratchXmm0, kScratchXmm0);
      a.pxor(dst, kScratchXmm0);
      a.psubq(dst, kScratchXmm0);
      return;
    case Op::kI8x16ShrS:
      // Each byte into the high half of a word, an arithmetic word shift by 8 + n, repacked.
      a.and_(x86::ecx, 7);
      a.add(x86::ecx, 8);
      a.movd(kScratchXmm1, x86::ecx);
      a.movdqa(kScratchXmm0, dst);
      a.punpckhbw(kScratchXmm0, kScratchXmm0);
      a.psraw(kScratchXmm0, kScratchXmm1);
      a.punpcklbw(dst, dst);
      a.psraw(dst, kScratchXmm1);
      a.packsswb(dst, kScratchXmm0);
      return;
    default: {
      // i8x16.shl / shr_u: a word shift, then the bits that crossed between bytes masked off.
      bool left = op == Op::kI8x16Shl;
      a.and_(x86::ecx, 7);
      a.movd(kScratchXmm0, x86::ecx);
      a.emit(left ? I::kIdPsllw : I::kIdPsrlw, dst, kScratchXmm0);
      a.mov(x86::eax, 0xff);
      if (left)
        a.shl(x86::eax, x86::cl);
      else
        a.shr(x86::eax, x86::cl);
      a.movzx(x86::eax, x86::al);
      a.imul(x86::eax, x86::eax, 0x01010101);
      a.movd(kScratchXmm0, x86::eax);
      a.pshufd(kScratchXmm0, kScratchXmm0, Imm(0));
      a.pand(dst, kScratchXmm0);
      return;
    }
  }
}

bool is_shift(Op op) {
  switch (op) {
    case Op::kI8x16Shl:
    case Op::kI8x16ShrS:
    case Op::kI8x16ShrU:
    case Op::kI16x8Shl:
    case Op::kI16x8ShrS:
    case Op::kI16x8ShrU:
    case Op::kI32x4Shl:
    case Op::kI32x4ShrS:
    case Op::kI32x4ShrU:
    case Op::kI64x2Shl:
    case Op::kI64x2ShrS:
    case Op::kI64x2ShrU:
      return true;
    default:
      return false;
  }
}

// Widening: the low half sign- or zero-extended in place, or the high half moved down first.
struct ExtendRow {
  Op op;
  InstId extend;     // pmovsx / pmovzx
  InstId unpack_hi;  // unsigned high halves: interleave with zero
  bool high;
  bool is_signed;
};
constexpr ExtendRow kExtend[] = {
    {Op::kI16x8ExtendLowI8x16S, I::kIdPmovsxbw, 0, false, true},
    {Op::kI16x8ExtendHighI8x16S, I::kIdPmovsxbw, 0, true, true},
    {Op::kI16x8ExtendLowI8x16U, I::kIdPmovzxbw, I::kIdPunpckhbw, false, false},
    {Op::kI16x8ExtendHighI8x16U, I::kIdPmovzxbw, I::kIdPunpckhbw, true, false},
    {Op::kI32x4ExtendLowI16x8S, I::kIdPmovsxwd, 0, false, true},
    {Op::kI32x4ExtendHighI16x8S, I::kIdPmovsxwd, 0, true, true},
    {Op::kI32x4ExtendLowI16x8U, I::kIdPmovzxwd, I::kIdPunpckhwd, false, false},
    {Op::kI32x4ExtendHighI16x8U, I::kIdPmovzxwd, I::kIdPunpckhwd, true, false},
    {Op::kI64x2ExtendLowI32x4S, I::kIdPmovsxdq, 0, false, true},
    {Op::kI64x2ExtendHighI32x4S, I::kIdPmovsxdq, 0, true, true},
    {Op::kI64x2ExtendLowI32x4U, I::kIdPmovzxdq, I::kIdPunpckhdq, false, false},
    {Op::kI64x2ExtendHighI32x4U, I::kIdPmovzxdq, I::kIdPunpckhdq, true, false},
};

void extend(Assembler& a, const ExtendRow& row, const Xmm& dst) {
  if (row.high && !row.is_signed) {
    a.pxor(kScratchXmm0, kScratchXmm0);
    a.emit(row.unpack_hi, dst, kScratchXmm0);
    return;
  }
  if (row.high) a.pshufd(dst, dst, Imm(0xee));
  a.emit(row.extend, dst, dst);
}

// Extended multiplies: the product of the widened halves.
struct ExtmulRow {
  Op op;
  int from;  // 0: i8 -> i16, 1: i16 -> i32, 2: i32 -> i64
  bool high;
  bool is_signed;
};
constexpr ExtmulRow kExtmul[] = {
    {Op::kI16x8ExtmulLowI8x16S, 0, false, true},  {Op::kI16x8ExtmulHighI8x16S, 0, true, true},
    {Op::kI16x8ExtmulLowI8x16U, 0, false, false}, {Op::kI16x8ExtmulHighI8x16U, 0, true, false},
    {Op::kI32x4ExtmulLowI16x8S, 1, false, true},  {Op::kI32x4ExtmulHighI16x8S, 1, true, true},
    {Op::kI32x4ExtmulLowI16x8U, 1, false, false}, {Op::kI32x4ExtmulHighI16x8U, 1, true, false},
    {Op::kI64x2ExtmulLowI32x4S, 2, false, true},  {Op::kI64x2ExtmulHighI32x4S, 2, true, true},
    {Op::kI64x2ExtmulLowI32x4U, 2, false, false}, {Op::kI64x2ExtmulHighI32x4U, 2, true, false},
};

void extmul(Assembler& a, const ExtmulRow& row, const Xmm& dst, const Xmm& b) {
  switch (row.from) {
    case 0: {
      InstId ext = row.is_signed ? I::kIdPmovsxbw : I::kIdPmovzxbw;
      if (row.high) {
        a.pshufd(kScratchXmm0, b, Imm(0xee));
        a.pshufd(dst, dst, Imm(0xee));
        a.emit(ext, kScratchXmm0, kScratchXmm0);
      } else {
        a.emit(ext, kScratchXmm0, b);
      }
      a.emit(ext, dst, dst);
      a.pmullw(dst, kScratchXmm0);
      return;
    }
    case 1:
      // Low and high 16 bits of each product, interleaved.
      a.movdqa(kScratchXmm0, dst);
      a.emit(row.is_signed ? I::kIdPmulhw : I::kIdPmulhuw, kScratchXmm0, b);
      a.pmullw(dst, b);
      a.emit(row.high ? I::kIdPunpckhwd : I::kIdPunpcklwd, dst, kScratchXmm0);
      return;
    default: {
      // pmuldq/pmuludq multiply lanes 0 and 2: spread the half to those lanes.
      uint8_t spread = row.high ? 0xfa : 0x50;
      a.pshufd(kScratchXmm0, b, Imm(spread));
      a.pshufd(dst, dst, Imm(spread));
      a.emit(row.is_signed ? I::kIdPmuldq : I::kIdPmuludq, dst, kScratchXmm0);
      return;
    }
  }
}

void popcnt(Assembler& a, ConstantPool* pool, const Xmm& dst) {
  // Per nibble through a 16-entry table (pshufb), the two nibbles' counts added.
  constexpr uint64_t kLo = 0x0302020102010100ull, kHi = 0x0403030203020201ull;
  splat8(a, pool, kScratchXmm1, 0x0f);
  a.movdqa(kScratchXmm0, dst);
  a.psrlw(kScratchXmm0, Imm(4));
  a.pand(kScratchXmm0, kScratchXmm1);
  a.pand(dst, kScratchXmm1);
  load_v128(a, pool, kScratchXmm1, kLo, kHi);
  a.pshufb(kScratchXmm1, dst);
  load_v128(a, pool, dst, kLo, kHi);
  a.pshufb(dst, kScratchXmm0);
  a.paddb(dst, kScratchXmm1);
}

}  // namespace

bool emit_integer(Assembler& a, Op op, const SimdOperands& o, const platform::CpuFeatures& cpu) {
  ConstantPool* pool = o.constants;
  const Xmm dst = xmm_of(o.dst);
  for (const BinaryRow& row : kBinary) {
    if (row.op == op) {
      a.emit(row.inst, dst, xmm_of(o.b));
      return true;
    }
  }
  Cmp cmp;
  int width;
  if (classify_cmp(op, cmp, width)) {
    compare(a, cmp, width, dst, xmm_of(o.b), cpu);
    return true;
  }
  if (is_shift(op)) {
    if (o.b_is_imm)
      shift_imm(a, pool, op, dst, static_cast<uint32_t>(o.b_imm));
    else
      shift(a, op, dst, gp_of(o.b));
    return true;
  }
  for (const ExtendRow& row : kExtend) {
    if (row.op == op) {
      extend(a, row, dst);
      return true;
    }
  }
  for (const ExtmulRow& row : kExtmul) {
    if (row.op == op) {
      extmul(a, row, dst, xmm_of(o.b));
      return true;
    }
  }
  switch (op) {
    case Op::kI8x16Abs:
      a.pabsb(dst, dst);
      return true;
    case Op::kI16x8Abs:
      a.pabsw(dst, dst);
      return true;
    case Op::kI32x4Abs:
      a.pabsd(dst, dst);
      return true;
    case Op::kI64x2Abs:
      // m = each lane's sign (the high dword's sign spread); |x| = (x ^ m) - m.
      a.movdqa(kScratchXmm0, dst);
      a.psrad(kScratchXmm0, Imm(31));
      a.pshufd(kScratchXmm0, kScratchXmm0, Imm(0xf5));
      a.pxor(dst, kScratchXmm0);
      a.psubq(dst, kScratchXmm0);
      return true;
    case Op::kI8x16Neg:
    case Op::kI16x8Neg:
    case Op::kI32x4Neg:
    case Op::kI64x2Neg: {
      int w = static_cast<int>(lane_size_log2(lane_shape(op)));
      a.movdqa(kScratchXmm0, dst);
      a.pxor(dst, dst);
      a.emit(kPsub[w], dst, kScratchXmm0);
      return true;
    }
    case Op::kI8x16Popcnt:
      popcnt(a, pool, dst);
      return true;
    case Op::kI16x8Q15mulrSatS:
      // pmulhrsw is exact but for 0x8000 * 0x8000, which it wraps to 0x8000: flip those.
      a.pmulhrsw(dst, xmm_of(o.b));
      splat16(a, pool, kScratchXmm0, 0x8000);
      a.pcmpeqw(kScratchXmm0, dst);
      a.pxor(dst, kScratchXmm0);
      return true;
    case Op::kI64x2Mul:
      // lo*lo + ((hi_a*lo_b + lo_a*hi_b) << 32), from 32x32->64 multiplies.
      a.movdqa(kScratchXmm0, dst);
      a.psrlq(kScratchXmm0, Imm(32));
      a.pmuludq(kScratchXmm0, xmm_of(o.b));
      a.movdqa(kScratchXmm1, xmm_of(o.b));
      a.psrlq(kScratchXmm1, Imm(32));
      a.pmuludq(kScratchXmm1, dst);
      a.paddq(kScratchXmm0, kScratchXmm1);
      a.psllq(kScratchXmm0, Imm(32));
      a.pmuludq(dst, xmm_of(o.b));
      a.paddq(dst, kScratchXmm0);
      return true;
    case Op::kI16x8ExtaddPairwiseI8x16S:
      // pmaddubsw: unsigned bytes of its first operand times signed bytes of the second.
      splat8(a, pool, kScratchXmm0, 1);
      a.pmaddubsw(kScratchXmm0, dst);
      a.movdqa(dst, kScratchXmm0);
      return true;
    case Op::kI16x8ExtaddPairwiseI8x16U:
      splat8(a, pool, kScratchXmm0, 1);
      a.pmaddubsw(dst, kScratchXmm0);
      return true;
    case Op::kI32x4ExtaddPairwiseI16x8S:
      splat16(a, pool, kScratchXmm0, 1);
      a.pmaddwd(dst, kScratchXmm0);
      return true;
    case Op::kI32x4ExtaddPairwiseI16x8U:
      // Biased to signed, added pairwise, the bias (2 * 0x8000) added back.
      splat16(a, pool, kScratchXmm0, 0x8000);
      a.pxor(dst, kScratchXmm0);
      splat16(a, pool, kScratchXmm0, 1);
      a.pmaddwd(dst, kScratchXmm0);
      splat32(a, pool, kScratchXmm0, 0x10000);
      a.paddd(dst, kScratchXmm0);
      return true;
    default:
      return false;
  }
}

}  // namespace keel::jit::simd

// Float lane arithmetic, comparisons, sign operations, rounding, min/max and pmin/pmax.
#include "jit/common/simd_internal.h"

namespace keel::jit::simd {
namespace {

namespace x86 = asmjit::x86;
using asmjit::Imm;
using asmjit::InstId;
using asmjit::x86::Assembler;
using asmjit::x86::Xmm;
namespace I = asmjit::x86::Inst;

enum class Kind {
  kBinary,   // dst = dst op b
  kUnary,    // dst = op dst
  kCompare,  // cmpps/cmppd with a predicate; swapped: b op dst
  kRound,    // roundps/roundpd with a mode
  kAbs,
  kNeg,
  kMin,
  kMax,
  kPmin,
  kPmax,
};

struct Row {
  Op op;
  Kind kind;
  bool wide;  // f64x2
  InstId inst = 0;
  uint8_t imm = 0;
  bool swapped = false;
};

constexpr Row kRows[] = {
    {Op::kF32x4Add, Kind::kBinary, false, I::kIdAddps},
    {Op::kF32x4Sub, Kind::kBinary, false, I::kIdSubps},
    {Op::kF32x4Mul, Kind::kBinary, false, I::kIdMulps},
    {Op::kF32x4Div, Kind::kBinary, false, I::kIdDivps},
    {Op::kF64x2Add, Kind::kBinary, true, I::kIdAddpd},
    {Op::kF64x2Sub, Kind::kBinary, true, I::kIdSubpd},
    {Op::kF64x2Mul, Kind::kBinary, true, I::kIdMulpd},
    {Op::kF64x2Div, Kind::kBinary, true, I::kIdDivpd},
    {Op::kF32x4Sqrt, Kind::kUnary, false, I::kIdSqrtps},
    {Op::kF64x2Sqrt, Kind::kUnary, true, I::kIdSqrtpd},
    // cmpps predicates: 0 eq, 1 lt, 2 le, 4 neq (unordered or not equal).
    {Op::kF32x4Eq, Kind::kCompare, false, I::kIdCmpps, 0},
    {Op::kF32x4Ne, Kind::kCompare, false, I::kIdCmpps, 4},
    {Op::kF32x4Lt, Kind::kCompare, false, I::kIdCmpps, 1},
    {Op::kF32x4Le, Kind::kCompare, false, I::kIdCmpps, 2},
    {Op::kF32x4Gt, Kind::kCompare, false, I::kIdCmpps, 1, true},
    {Op::kF32x4Ge, Kind::kCompare, false, I::kIdCmpps, 2, true},
    {Op::kF64x2Eq, Kind::kCompare, true, I::kIdCmppd, 0},
    {Op::kF64x2Ne, Kind::kCompare, true, I::kIdCmppd, 4},
    {Op::kF64x2Lt, Kind::kCompare, true, I::kIdCmppd, 1},
    {Op::kF64x2Le, Kind::kCompare, true, I::kIdCmppd, 2},
    {Op::kF64x2Gt, Kind::kCompare, true, I::kIdCmppd, 1, true},
    {Op::kF64x2Ge, Kind::kCompare, true, I::kIdCmppd, 2, true},
    // roundps modes: 0 nearest even, 1 down, 2 up, 3 toward zero; 8 suppresses inexact.
    {Op::kF32x4Nearest, Kind::kRound, false, I::kIdRoundps, 8},
    {Op::kF32x4Floor, Kind::kRound, false, I::kIdRoundps, 9},
    {Op::kF32x4Ceil, Kind::kRound, false, I::kIdRoundps, 10},
    {Op::kF32x4Trunc, Kind::kRound, false, I::kIdRoundps, 11},
    {Op::kF64x2Nearest, Kind::kRound, true, I::kIdRoundpd, 8},
    {Op::kF64x2Floor, Kind::kRound, true, I::kIdRoundpd, 9},
    {Op::kF64x2Ceil, Kind::kRound, true, I::kIdRoundpd, 10},
    {Op::kF64x2Trunc, Kind::kRound, true, I::kIdRoundpd, 11},
    {Op::kF32x4Abs, Kind::kAbs, false},
    {Op::kF64x2Abs, Kind::kAbs, true},
    {Op::kF32x4Neg, Kind::kNeg, false},
    {Op::kF64x2Neg, Kind::kNeg, true},
    {Op::kF32x4Min, Kind::kMin, false, I::kIdMinps},
    {Op::kF64x2Min, Kind::kMin, true, I::kIdMinpd},
    {Op::kF32x4Max, Kind::kMax, false, I::kIdMaxps},
    {Op::kF64x2Max, Kind::kMax, true, I::kIdMaxpd},
    {Op::kF32x4Pmin, Kind::kPmin, false, I::kIdMinps},
    {Op::kF64x2Pmin, Kind::kPmin, true, I::kIdMinpd},
    {Op::kF32x4Pmax, Kind::kPmax, false, I::kIdMaxps},
    {Op::kF64x2Pmax, Kind::kPmax, true, I::kIdMaxpd},
};

// Wasm min/max: NaN if either lane is NaN (canonical), -0 < +0. minps/maxps return their second
// operand when either is NaN or both are zeros, so both orders are computed: for zeros, or-ing
// the two mins gives -0 and and-ing the two maxes gives +0; NaN lanes are then forced to the
// canonical NaN (all ones with the payload bits below the quiet bit cleared).
void min_max(Assembler& a, const Row& row, const Xmm& dst, const Xmm& b) {
  a.movaps(kScratchXmm0, dst);
  a.emit(row.inst, kScratchXmm0, b);
  a.movaps(kScratchXmm1, b);
  a.emit(row.inst, kScratchXmm1, dst);
  if (row.kind == Kind::kMin)
    a.orps(kScratchXmm0, kScratchXmm1);
  else
    a.andps(kScratchXmm0, kScratchXmm1);
  a.movaps(kScratchXmm1, dst);
  a.emit(row.wide ? I::kIdCmppd : I::kIdCmpps, kScratchXmm1, b, Imm(3));  // unordered
  a.orps(kScratchXmm0, kScratchXmm1);
  if (row.wide)
    a.psrlq(kScratchXmm1, Imm(13));
  else
    a.psrld(kScratchXmm1, Imm(10));
  a.andnps(kScratchXmm1, kScratchXmm0);
  a.movaps(dst, kScratchXmm1);
}

}  // namespace

bool emit_float(Assembler& a, Op op, const SimdOperands& o) {
  const Row* row = nullptr;
  for (const Row& r : kRows)
    if (r.op == op) row = &r;
  if (!row) return false;
  const Xmm dst = xmm_of(o.dst);
  switch (row->kind) {
    case Kind::kBinary:
      a.emit(row->inst, dst, xmm_of(o.b));
      return true;
    case Kind::kUnary:
      a.emit(row->inst, dst, dst);
      return true;
    case Kind::kCompare:
      if (row->swapped) {
        a.movaps(kScratchXmm0, xmm_of(o.b));
        a.emit(row->inst, kScratchXmm0, dst, Imm(row->imm));
        a.movaps(dst, kScratchXmm0);
      } else {
        a.emit(row->inst, dst, xmm_of(o.b), Imm(row->imm));
      }
      return true;
    case Kind::kRound:
      a.emit(row->inst, dst, dst, Imm(row->imm));
      return true;
    case Kind::kAbs:
    case Kind::kNeg:
      a.pcmpeqd(kScratchXmm0, kScratchXmm0);
      if (row->kind == Kind::kAbs) {
        row->wide ? a.psrlq(kScratchXmm0, Imm(1)) : a.psrld(kScratchXmm0, Imm(1));
        a.andps(dst, kScratchXmm0);
      } else {
        row->wide ? a.psllq(kScratchXmm0, Imm(63)) : a.pslld(kScratchXmm0, Imm(31));
        a.xorps(dst, kScratchXmm0);
      }
      return true;
    case Kind::kMin:
    case Kind::kMax:
      min_max(a, *row, dst, xmm_of(o.b));
      return true;
    case Kind::kPmin:
    case Kind::kPmax:
      // pmin(a, b) = b < a ? b : a = minps(b, a); pmax(a, b) = a < b ? b : a = maxps(b, a).
      a.movaps(kScratchXmm0, xmm_of(o.b));
      a.emit(row->inst, kScratchXmm0, dst);
      a.movaps(dst, kScratchXmm0);
      return true;
  }
  return false;
}

}  // namespace keel::jit::simd

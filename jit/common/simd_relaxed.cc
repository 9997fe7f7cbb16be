// Relaxed SIMD (Wasm 3.0): each instruction lowers to one of the results the spec allows, and the
// same one on every CPU and in both tiers, so a function that moves from tier 1 to tier 2 (or is
// loaded from the code cache) keeps its results. Most are the deterministic instruction they
// relax; the two dot products are SSSE3's pmaddubsw, which the proposal's x86 lowering names:
// it reads the second operand unsigned and saturates the i16 sums, both allowed outside i7.
#include "jit/common/simd_internal.h"

namespace keel::jit::simd {
namespace {

// The deterministic instruction a relaxed one becomes, or kInvalid for the multi-step ones.
Op deterministic_form(Op op) {
  switch (op) {
    case Op::kI8x16RelaxedSwizzle:
      return Op::kI8x16Swizzle;
    case Op::kI32x4RelaxedTruncF32x4S:
      return Op::kI32x4TruncSatF32x4S;
    case Op::kI32x4RelaxedTruncF32x4U:
      return Op::kI32x4TruncSatF32x4U;
    case Op::kI32x4RelaxedTruncF64x2SZero:
      return Op::kI32x4TruncSatF64x2SZero;
    case Op::kI32x4RelaxedTruncF64x2UZero:
      return Op::kI32x4TruncSatF64x2UZero;
    case Op::kI8x16RelaxedLaneselect:
    case Op::kI16x8RelaxedLaneselect:
    case Op::kI32x4RelaxedLaneselect:
    case Op::kI64x2RelaxedLaneselect:
      return Op::kV128Bitselect;
    case Op::kF32x4RelaxedMin:
      return Op::kF32x4Min;
    case Op::kF32x4RelaxedMax:
      return Op::kF32x4Max;
    case Op::kF64x2RelaxedMin:
      return Op::kF64x2Min;
    case Op::kF64x2RelaxedMax:
      return Op::kF64x2Max;
    case Op::kI16x8RelaxedQ15mulrS:
      return Op::kI16x8Q15mulrSatS;
    default:
      return Op::kInvalid;
  }
}

}  // namespace

bool is_relaxed_op(Op op) {
  return op_info(op).feature == Feature::kRelaxedSimd;
}

bool emit_relaxed(asmjit::x86::Assembler& a, Op op, const SimdOperands& o,
                  const platform::CpuFeatures& cpu) {
  if (!is_relaxed_op(op)) return false;
  if (Op same = deterministic_form(op); same != Op::kInvalid) {
    emit_simd(a, same, o, cpu);
    return true;
  }
  const asmjit::x86::Xmm dst = xmm_of(o.dst);
  SimdOperands step = o;
  switch (op) {
    case Op::kF32x4RelaxedMadd:
    case Op::kF32x4RelaxedNmadd:
    case Op::kF64x2RelaxedMadd:
    case Op::kF64x2RelaxedNmadd: {
      // a * b + c and -(a * b) + c, unfused (the spec allows either).
      bool wide = op == Op::kF64x2RelaxedMadd || op == Op::kF64x2RelaxedNmadd;
      bool negate = op == Op::kF32x4RelaxedNmadd || op == Op::kF64x2RelaxedNmadd;
      step.c = {};
      emit_simd(a, wide ? Op::kF64x2Mul : Op::kF32x4Mul, step, cpu);
      step.a = o.dst;
      if (negate) emit_simd(a, wide ? Op::kF64x2Neg : Op::kF32x4Neg, step, cpu);
      step.b = o.c;
      emit_simd(a, wide ? Op::kF64x2Add : Op::kF32x4Add, step, cpu);
      return true;
    }
    case Op::kI16x8RelaxedDotI8x16I7x16S:
      // pmaddubsw multiplies its destination's bytes unsigned by its source's signed.
      a.movdqa(kScratchXmm0, xmm_of(o.b));
      a.pmaddubsw(kScratchXmm0, dst);
      a.movdqa(dst, kScratchXmm0);
      return true;
    case Op::kI32x4RelaxedDotI8x16I7x16AddS:
      a.movdqa(kScratchXmm0, xmm_of(o.b));
      a.pmaddubsw(kScratchXmm0, dst);
      splat16(a, o.constants, kScratchXmm1, 1);
      a.pmaddwd(kScratchXmm0, kScratchXmm1);
      a.paddd(kScratchXmm0, xmm_of(o.c));
      a.movdqa(dst, kScratchXmm0);
      return true;
    default:
      return false;
  }
}

}  // namespace keel::jit::simd

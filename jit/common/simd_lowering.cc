#include "jit/common/simd_lowering.h"

#include "jit/common/simd_internal.h"

namespace keel::jit {

bool is_simd_op(Op op) {
  const OpInfo& info = op_info(op);
  return (info.feature == Feature::kSimd || info.feature == Feature::kRelaxedSimd) &&
         !is_memarg(info.imm) && op != Op::kV128Const;
}

bool simd_accepts_imm(Op op) {
  const OpSig& sig = op_info(op).sig;
  return is_simd_op(op) && sig.num_params == 2 && sig.params[0] == ValType::kV128 &&
         sig.params[1] == ValType::kI32 && op_info(op).imm == ImmKind::None;
}

bool simd_needs_temp(Op op) {
  return op == Op::kI32x4TruncSatF32x4U || op == Op::kI32x4RelaxedTruncF32x4U;
}

void emit_simd(asmjit::x86::Assembler& a, Op op, const SimdOperands& operands,
               const platform::CpuFeatures& cpu) {
  if (simd::emit_relaxed(a, op, operands, cpu)) return;
  if (simd::emit_lanes(a, op, operands, cpu)) return;
  if (simd::emit_integer(a, op, operands, cpu)) return;
  if (simd::emit_float(a, op, operands)) return;
  simd::emit_conversion(a, op, operands);
}

}  // namespace keel::jit

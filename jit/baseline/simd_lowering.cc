#include "jit/baseline/simd_lowering.h"

#include "jit/baseline/simd_internal.h"

namespace keel::jit {

bool is_simd_op(Op op) {
  const OpInfo& info = op_info(op);
  return info.feature == Feature::kSimd && !is_memarg(info.imm) && op != Op::kV128Const;
}

bool simd_needs_temp(Op op) {
  return op == Op::kI32x4TruncSatF32x4U;
}

void emit_simd(asmjit::x86::Assembler& a, Op op, const SimdOperands& operands,
               const platform::CpuFeatures& cpu) {
  if (simd::emit_lanes(a, op, operands, cpu)) return;
  if (simd::emit_integer(a, op, operands, cpu)) return;
  if (simd::emit_float(a, op, operands)) return;
  simd::emit_conversion(a, op, operands);
}

}  // namespace keel::jit

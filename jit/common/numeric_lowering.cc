#include "jit/common/numeric_lowering.h"

#include <cstdlib>

#include "jit/common/numeric_internal.h"

namespace keel::jit {

bool is_numeric_op(Op op) {
  return numeric::is_integer_op(op) || numeric::is_float_op(op) || numeric::is_conversion_op(op);
}

bool numeric_accepts_imm(Op op) {
  return numeric::integer_accepts_imm(op);
}

bool numeric_accepts_mem(Op op) {
  return numeric::integer_accepts_mem(op) || numeric::float_accepts_mem(op);
}

bool numeric_dst_may_be_rhs(Op op) {
  switch (op) {
    case Op::kI32Add:
    case Op::kI32Mul:
    case Op::kI32And:
    case Op::kI32Or:
    case Op::kI32Xor:
    case Op::kI64Add:
    case Op::kI64Mul:
    case Op::kI64And:
    case Op::kI64Or:
    case Op::kI64Xor:
    case Op::kF32Add:
    case Op::kF32Mul:
    case Op::kF64Add:
    case Op::kF64Mul:
      return true;
    default:
      return false;
  }
}

void emit_numeric(asmjit::x86::Assembler& a, Op op, const NumericOperands& operands,
                  TrapLabels& traps, const platform::CpuFeatures& cpu) {
  if (numeric::emit_integer(a, op, operands, traps, cpu)) return;
  if (numeric::emit_float(a, op, operands, cpu)) return;
  if (numeric::emit_conversion(a, op, operands, traps)) return;
  std::abort();  // the core asks is_numeric_op first: reaching here is a compiler bug
}

}  // namespace keel::jit

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

void emit_numeric(asmjit::x86::Assembler& a, Op op, const NumericOperands& operands,
                  TrapLabels& traps, const platform::CpuFeatures& cpu) {
  if (numeric::emit_integer(a, op, operands, traps, cpu)) return;
  if (numeric::emit_float(a, op, operands, cpu)) return;
  if (numeric::emit_conversion(a, op, operands, traps)) return;
  std::abort();  // the core asks is_numeric_op first: reaching here is a compiler bug
}

}  // namespace keel::jit

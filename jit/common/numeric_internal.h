// Shared between the numeric lowering files: one emitter per family, each returning false for an
// instruction outside its family so emit_numeric can dispatch without a second table.
#pragma once

#include "jit/common/numeric_lowering.h"

namespace keel::jit::numeric {

bool emit_integer(asmjit::x86::Assembler& a, Op op, const NumericOperands& o, TrapLabels& traps,
                  const platform::CpuFeatures& cpu);
bool emit_float(asmjit::x86::Assembler& a, Op op, const NumericOperands& o,
                const platform::CpuFeatures& cpu);
bool emit_conversion(asmjit::x86::Assembler& a, Op op, const NumericOperands& o, TrapLabels& traps);

bool is_integer_op(Op op);
bool is_float_op(Op op);
bool is_conversion_op(Op op);
bool integer_accepts_imm(Op op);
bool integer_accepts_mem(Op op);
bool float_accepts_mem(Op op);

// The 64- or 32-bit view of a general register.
inline asmjit::x86::Gp sized(const asmjit::x86::Reg& r, bool wide) {
  const asmjit::x86::Gp& g = r.as<asmjit::x86::Gp>();
  if (wide) return g.r64();
  return g.r32();
}

// Float constants are materialised through a scratch Gp: position independent, no data section.
inline void load_f32_bits(asmjit::x86::Assembler& a, const asmjit::x86::Xmm& x, uint32_t bits) {
  a.mov(kScratchGp0.r32(), bits);
  a.movd(x, kScratchGp0.r32());
}
inline void load_f64_bits(asmjit::x86::Assembler& a, const asmjit::x86::Xmm& x, uint64_t bits) {
  a.mov(kScratchGp0, bits);
  a.movq(x, kScratchGp0);
}

}  // namespace keel::jit::numeric

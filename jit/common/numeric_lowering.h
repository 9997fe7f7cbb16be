// Lowering of the numeric instructions (arithmetic, comparisons, conversions, reinterpretations,
// sign extension, trapping and saturating truncation) for operands a compiler has already placed
// in registers. Both tiers use it: each owns its register allocation; this file owns the
// exact semantics of each instruction on x86-64, with fast paths for CPU extensions and
// fallbacks without them.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>

#include "ir/opcodes.h"
#include "platform/cpu_features.h"
#include "runtime/vm_abi.h"

namespace keel::jit {

// Registers neither tier allocates: any emitter may clobber them freely.
// (rax, rcx, rdx serve div/idiv, shifts by cl and calls; xmm14/xmm15 serve float sequences.)
inline const asmjit::x86::Gp kScratchGp0 = asmjit::x86::rax;
inline const asmjit::x86::Gp kScratchGp1 = asmjit::x86::rcx;
inline const asmjit::x86::Gp kScratchGp2 = asmjit::x86::rdx;
inline const asmjit::x86::Xmm kScratchXmm0 = asmjit::x86::xmm15;
inline const asmjit::x86::Xmm kScratchXmm1 = asmjit::x86::xmm14;

// Out-of-line trap stubs, provided by the compiler core: get(code) returns a label that, jumped
// to, traps with `code` at the current instruction. Stubs go after the function body.
class TrapLabels {
 public:
  virtual ~TrapLabels() = default;
  virtual asmjit::Label get(vm::TrapCode code) = 0;
};

struct NumericOperands {
  // The result: a 64-bit Gp for i32/i64 results (i32 results are written zero-extended, as
  // any 32-bit x86 write does), an Xmm for f32/f64. May be the same register as lhs; the same
  // as rhs only where numeric_dst_may_be_rhs(op).
  asmjit::x86::Reg dst;
  asmjit::x86::Reg lhs;  // the only operand of a unary instruction
  asmjit::x86::Reg rhs;  // binary instructions, unless rhs_is_imm
  bool rhs_is_imm = false;
  int32_t rhs_imm = 0;  // sign-extended to 64 bits for i64 instructions
  // Instead of rhs: a memory operand of the operation's width, where numeric_accepts_mem(op).
  // The access is the last instruction emitted, and the only one that can fault; dst is written
  // before it (with lhs), so the address must not use dst's register unless dst is lhs.
  const asmjit::x86::Mem* rhs_mem = nullptr;
  // Facts a compiler proved about a division's rhs (a constant divisor, say): the lowering leaves
  // out the checks they make unnecessary, the zero test and the -1 path that keeps INT_MIN / -1
  // from faulting in idiv.
  bool rhs_nonzero = false;
  bool rhs_not_minus_one = false;
};

// The x86 condition under which a scalar integer comparison holds after `cmp lhs, rhs` (or, for
// eqz, `test x, x`): from the table's Cmp column, for the setcc of the lowering and the fused
// compare-and-branch of the compiler alike. Only integer predicates (kEqz..kGeU) have one.
asmjit::x86::CondCode integer_condition(Cmp cmp);

// True for every instruction emit_numeric handles.
bool is_numeric_op(Op op);
// True if emit_numeric accepts an immediate right operand for `op` (integer instructions only).
bool numeric_accepts_imm(Op op);
// True if emit_numeric accepts a memory right operand for `op` (NumericOperands::rhs_mem): the
// integer add, sub, mul, and, or, xor and compares, and the float add, sub, mul, div, none of which
// traps, so a fault in it is the load's.
bool numeric_accepts_mem(Op op);
// True if the result may be in rhs's register: the commutative integer and float operations,
// whose lowering then computes dst op= lhs. Tier 2's allocator gives a dying rhs's register to
// the result this way and saves the copy of lhs.
bool numeric_dst_may_be_rhs(Op op);

// Emits `op`. lhs and rhs are left unchanged unless they are dst; only dst and the scratch
// registers are written. The code is position independent (no absolute addresses of itself, no
// external relocations). Float results that are NaN are arithmetic NaNs, as the spec requires.
void emit_numeric(asmjit::x86::Assembler& a, Op op, const NumericOperands& operands,
                  TrapLabels& traps, const platform::CpuFeatures& cpu);

}  // namespace keel::jit

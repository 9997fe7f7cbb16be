// Lowering of the fixed-width SIMD instructions (0xfd prefix) that work on registers: lanes,
// bitwise, integer and float arithmetic, comparisons and conversions. v128.const and the memory
// instructions are the compiler's (simd_compiler.cc); everything else comes here with operands
// the compiler (either tier) has placed. SSE4.1 is the floor (a module using SIMD does not load
// without it); SSE4.2 and AVX2 are used where detected.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>

#include "ir/opcodes.h"
#include "jit/common/constant_pool.h"
#include "platform/cpu_features.h"

namespace keel::jit {

struct SimdOperands {
  // The result: an Xmm for v128/f32/f64 results, a 64-bit Gp for i32/i64 ones. When the first
  // operand is in an Xmm (v128, f32, f64) and the result is too, dst *is* that operand
  // (destructive two-operand form); otherwise dst is a register of its own.
  asmjit::x86::Reg dst;
  asmjit::x86::Reg a;  // first operand (the v128 of lane and shift instructions)
  asmjit::x86::Reg b;  // second operand, if any: never dst
  // Shifts only (simd_accepts_imm): the count is this constant instead of b.
  bool b_is_imm = false;
  int32_t b_imm = 0;
  asmjit::x86::Reg c;  // third operand (v128.bitselect's mask): never dst
  // An extra Xmm for the few sequences that need three temporaries (simd_needs_temp).
  asmjit::x86::Xmm temp;
  uint8_t lane = 0;                  // lane immediates
  const uint8_t* shuffle = nullptr;  // i8x16.shuffle: 16 lane indices
  // Where constants go; without one (tests of single sequences) they are built from immediates.
  ConstantPool* constants = nullptr;
};

// True for every instruction emit_simd handles (every Simd-feature one but memory and const).
bool is_simd_op(Op op);
// True if emit_simd accepts a constant second operand for `op` (the shifts).
bool simd_accepts_imm(Op op);
// True when `op` needs SimdOperands::temp.
bool simd_needs_temp(Op op);

// Emits `op`. Operands other than dst are left unchanged; only dst, temp and the scratch
// registers (rax, rcx, rdx, xmm14, xmm15) are written. Position independent, no data section.
// Float NaN results follow the spec: canonical when every NaN input was, arithmetic otherwise.
void emit_simd(asmjit::x86::Assembler& a, Op op, const SimdOperands& operands,
               const platform::CpuFeatures& cpu);

// The v128 loads into `dst` (v128.load, the extending, splat and zero loads, and the lane loads,
// which replace lane `lane` of what `dst` holds) and the stores of `value` (v128.store and the
// lane stores), at `m`. Only the destination and the scratch registers are written; each is a
// short sequence whose memory access is the one that may fault. False for any other op.
bool emit_simd_load(asmjit::x86::Assembler& a, Op op, const asmjit::x86::Xmm& dst,
                    const asmjit::x86::Mem& m, uint8_t lane, const platform::CpuFeatures& cpu);
bool emit_simd_store(asmjit::x86::Assembler& a, Op op, const asmjit::x86::Mem& m,
                     const asmjit::x86::Xmm& value, uint8_t lane);

}  // namespace keel::jit

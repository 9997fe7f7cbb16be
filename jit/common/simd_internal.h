// Shared between the SIMD lowering files: one emitter per family, each returning false for an
// instruction outside its family, and the constant helpers they use.
#pragma once

#include "jit/common/numeric_lowering.h"
#include "jit/common/simd_lowering.h"

namespace keel::jit::simd {

bool emit_lanes(asmjit::x86::Assembler& a, Op op, const SimdOperands& o,
                const platform::CpuFeatures& cpu);
bool emit_integer(asmjit::x86::Assembler& a, Op op, const SimdOperands& o,
                  const platform::CpuFeatures& cpu);
bool emit_float(asmjit::x86::Assembler& a, Op op, const SimdOperands& o);
bool emit_conversion(asmjit::x86::Assembler& a, Op op, const SimdOperands& o);
bool is_relaxed_op(Op op);
bool emit_relaxed(asmjit::x86::Assembler& a, Op op, const SimdOperands& o,
                  const platform::CpuFeatures& cpu);

inline asmjit::x86::Xmm xmm_of(const asmjit::x86::Reg& r) {
  return r.as<asmjit::x86::Xmm>();
}
inline asmjit::x86::Gp gp_of(const asmjit::x86::Reg& r) {
  return r.as<asmjit::x86::Gp>();
}

// Loads 16 bytes (`lo` is bytes 0-7) into `x`: zeros and ones by idiom, others from the
// function's constant pool, or without a pool through rax.
inline void load_v128(asmjit::x86::Assembler& a, ConstantPool* pool, const asmjit::x86::Xmm& x,
                      uint64_t lo, uint64_t hi) {
  namespace x86 = asmjit::x86;
  if (lo == 0 && hi == 0) {
    a.pxor(x, x);
    return;
  }
  if (lo == ~0ull && hi == ~0ull) {
    a.pcmpeqd(x, x);
    return;
  }
  if (pool) {
    a.movdqu(x, x86::xmmword_ptr(pool->label_for(a, lo, hi)));
    return;
  }
  a.mov(x86::rax, lo);
  a.movq(x, x86::rax);
  if (hi == lo) {
    a.punpcklqdq(x, x);
  } else if (hi != 0) {
    a.mov(x86::rax, hi);
    a.pinsrq(x, x86::rax, asmjit::Imm(1));
  }
}
inline void splat8(asmjit::x86::Assembler& a, ConstantPool* pool, const asmjit::x86::Xmm& x,
                   uint8_t v) {
  uint64_t q = 0x0101010101010101ull * v;
  load_v128(a, pool, x, q, q);
}
inline void splat16(asmjit::x86::Assembler& a, ConstantPool* pool, const asmjit::x86::Xmm& x,
                    uint16_t v) {
  uint64_t q = 0x0001000100010001ull * v;
  load_v128(a, pool, x, q, q);
}
inline void splat32(asmjit::x86::Assembler& a, ConstantPool* pool, const asmjit::x86::Xmm& x,
                    uint32_t v) {
  uint64_t q = 0x0000000100000001ull * v;
  load_v128(a, pool, x, q, q);
}
inline void splat64(asmjit::x86::Assembler& a, ConstantPool* pool, const asmjit::x86::Xmm& x,
                    uint64_t v) {
  load_v128(a, pool, x, v, v);
}
// dst = ~dst.
inline void emit_not(asmjit::x86::Assembler& a, const asmjit::x86::Xmm& dst) {
  a.pcmpeqd(kScratchXmm0, kScratchXmm0);
  a.pxor(dst, kScratchXmm0);
}

}  // namespace keel::jit::simd

// The v128 memory instructions' access sequences (extending, splat, zero and lane loads, lane
// stores), shared by both tiers: each compiler computes the address and brackets the access as
// a trap site; this file owns the instructions.
#include "jit/common/numeric_lowering.h"
#include "jit/common/simd_lowering.h"

namespace keel::jit {

namespace x86 = asmjit::x86;
using asmjit::Imm;

bool emit_simd_load(x86::Assembler& a, Op op, const x86::Xmm& dst, const x86::Mem& m, uint8_t lane,
                    const platform::CpuFeatures& cpu) {
  switch (op) {
    case Op::kV128Load:
      a.movdqu(dst, m);
      break;
    case Op::kV128Load8x8S:
      a.pmovsxbw(dst, m);
      break;
    case Op::kV128Load8x8U:
      a.pmovzxbw(dst, m);
      break;
    case Op::kV128Load16x4S:
      a.pmovsxwd(dst, m);
      break;
    case Op::kV128Load16x4U:
      a.pmovzxwd(dst, m);
      break;
    case Op::kV128Load32x2S:
      a.pmovsxdq(dst, m);
      break;
    case Op::kV128Load32x2U:
      a.pmovzxdq(dst, m);
      break;
    case Op::kV128Load8Splat:
      if (cpu.avx2) {
        a.vpbroadcastb(dst, m);
      } else {
        a.pinsrb(dst, m, Imm(0));
        a.pxor(kScratchXmm0, kScratchXmm0);
        a.pshufb(dst, kScratchXmm0);
      }
      break;
    case Op::kV128Load16Splat:
      if (cpu.avx2) {
        a.vpbroadcastw(dst, m);
      } else {
        a.pinsrw(dst, m, Imm(0));
        a.pshuflw(dst, dst, Imm(0));
        a.punpcklqdq(dst, dst);
      }
      break;
    case Op::kV128Load32Splat:
      if (cpu.avx) {
        a.vbroadcastss(dst, m);
      } else {
        a.movss(dst, m);
        a.shufps(dst, dst, Imm(0));
      }
      break;
    case Op::kV128Load64Splat:
      a.movddup(dst, m);
      break;
    case Op::kV128Load32Zero:
      a.movss(dst, m);
      break;
    case Op::kV128Load64Zero:
      a.movq(dst, m);
      break;
    case Op::kV128Load8Lane:
      a.pinsrb(dst, m, Imm(lane));
      break;
    case Op::kV128Load16Lane:
      a.pinsrw(dst, m, Imm(lane));
      break;
    case Op::kV128Load32Lane:
      a.pinsrd(dst, m, Imm(lane));
      break;
    case Op::kV128Load64Lane:
      a.pinsrq(dst, m, Imm(lane));
      break;
    default:
      return false;
  }
  return true;
}

bool emit_simd_store(x86::Assembler& a, Op op, const x86::Mem& m, const x86::Xmm& value,
                     uint8_t lane) {
  switch (op) {
    case Op::kV128Store:
      a.movdqu(m, value);
      break;
    case Op::kV128Store8Lane:
      a.pextrb(m, value, Imm(lane));
      break;
    case Op::kV128Store16Lane:
      a.pextrw(m, value, Imm(lane));
      break;
    case Op::kV128Store32Lane:
      a.pextrd(m, value, Imm(lane));
      break;
    case Op::kV128Store64Lane:
      a.pextrq(m, value, Imm(lane));
      break;
    default:
      return false;
  }
  return true;
}

}  // namespace keel::jit

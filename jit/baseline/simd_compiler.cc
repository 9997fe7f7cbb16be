// The compiler's side of SIMD: v128.const, the v128 memory instructions (through the same guard
// region as scalar accesses: the reservation covers offset + 16), and operand placement for the
// register-only instructions that emit_simd lowers.
#include <cstring>

#include "jit/baseline/baseline_emitter.h"
#include "jit/common/simd_internal.h"

namespace keel::jit {

namespace x86 = asmjit::x86;
using asmjit::Imm;

void BaselineCompiler::simd(Op op, const InstrImm& imm) {
  const OpInfo& info = op_info(op);
  if (op == Op::kV128Const) {
    uint64_t q[2];
    std::memcpy(q, imm.bytes, 16);
    uint8_t dst = alloc(RegClass::kXmm);
    simd::load_v128(a_, &constants_, x86::xmm(dst), q[0], q[1]);
    used_.remove(RegClass::kXmm, dst);
    return push_reg(ValType::kV128, dst);
  }
  if (is_memarg(info.imm)) {
    if (imm.memarg.memory != 0) return unsupported("multiple memories");
    if (vctx_->address_type(0) != ValType::kI32) return unsupported("64-bit memories");
    if (info.sig.result == ValType::kV128) return simd_load(op, imm.memarg, imm.lane);
    return simd_store(op, imm.memarg, imm.lane);
  }
  const OpSig& sig = info.sig;
  auto reg_of = [](ValType t, uint8_t r) {
    return reg_class(t) == RegClass::kGp ? x86::Reg(x86::gpq(r)) : x86::Reg(x86::xmm(r));
  };
  SimdOperands o;
  o.lane = imm.lane;
  o.shuffle = imm.bytes;
  o.constants = &constants_;
  RegSet pinned;
  x86::Reg operands[3];
  if (simd_accepts_imm(op) && stack_.back().loc == Loc::kConst) {
    o.b_is_imm = true;
    o.b_imm = static_cast<int32_t>(stack_.back().imm);
    stack_.pop_back();
  }
  for (int i = sig.num_params - 1; i >= 1 + (o.b_is_imm ? 1 : 0); --i)
    operands[i] = reg_of(sig.params[i], pop_to_read(pinned));
  RegClass a_class = reg_class(sig.params[0]), dst_class = reg_class(sig.result);
  uint8_t a = to_reg(pop(), pinned);
  pinned.add(a_class, a);
  uint8_t dst;
  if (a_class == RegClass::kXmm && dst_class == RegClass::kXmm) {
    dst = a;
    used_.add(dst_class, dst);
  } else {
    dst = alloc(dst_class, pinned);
  }
  pinned.add(dst_class, dst);
  uint8_t temp = 0;
  if (simd_needs_temp(op)) {
    temp = alloc(RegClass::kXmm, pinned);
    o.temp = x86::xmm(temp);
  }
  o.a = reg_of(sig.params[0], a);
  o.b = operands[1];
  o.c = operands[2];
  o.dst = reg_of(sig.result, dst);
  emit_simd(a_, op, o, options_.cpu);
  if (simd_needs_temp(op)) used_.remove(RegClass::kXmm, temp);
  used_.remove(dst_class, dst);
  push_reg(sig.result, dst);
}

void BaselineCompiler::simd_load(Op op, const MemArgImm& memarg, uint8_t lane) {
  const OpInfo& info = op_info(op);
  uint32_t size = 1u << natural_alignment_log2(info.imm);
  RegSet pinned;
  uint8_t dst;
  if (is_mem_lane(info.imm)) {
    // The vector whose lane is replaced is on top of the address.
    dst = to_reg(pop(), pinned);
    pinned.add(RegClass::kXmm, dst);
    used_.add(RegClass::kXmm, dst);
  } else {
    dst = alloc(RegClass::kXmm);
    pinned.add(RegClass::kXmm, dst);
  }
  x86::Mem m = address(memarg, size, pinned);
  x86::Xmm d = x86::xmm(dst);
  const platform::CpuFeatures& cpu = options_.cpu;
  GuardedAccess guarded(*this);
  switch (op) {
    case Op::kV128Load:
      a_.movdqu(d, m);
      break;
    case Op::kV128Load8x8S:
      a_.pmovsxbw(d, m);
      break;
    case Op::kV128Load8x8U:
      a_.pmovzxbw(d, m);
      break;
    case Op::kV128Load16x4S:
      a_.pmovsxwd(d, m);
      break;
    case Op::kV128Load16x4U:
      a_.pmovzxwd(d, m);
      break;
    case Op::kV128Load32x2S:
      a_.pmovsxdq(d, m);
      break;
    case Op::kV128Load32x2U:
      a_.pmovzxdq(d, m);
      break;
    case Op::kV128Load8Splat:
      if (cpu.avx2) {
        a_.vpbroadcastb(d, m);
      } else {
        a_.pinsrb(d, m, Imm(0));
        a_.pxor(kScratchXmm0, kScratchXmm0);
        a_.pshufb(d, kScratchXmm0);
      }
      break;
    case Op::kV128Load16Splat:
      if (cpu.avx2) {
        a_.vpbroadcastw(d, m);
      } else {
        a_.pinsrw(d, m, Imm(0));
        a_.pshuflw(d, d, Imm(0));
        a_.punpcklqdq(d, d);
      }
      break;
    case Op::kV128Load32Splat:
      if (cpu.avx) {
        a_.vbroadcastss(d, m);
      } else {
        a_.movss(d, m);
        a_.shufps(d, d, Imm(0));
      }
      break;
    case Op::kV128Load64Splat:
      a_.movddup(d, m);
      break;
    case Op::kV128Load32Zero:
      a_.movss(d, m);
      break;
    case Op::kV128Load64Zero:
      a_.movq(d, m);
      break;
    case Op::kV128Load8Lane:
      a_.pinsrb(d, m, Imm(lane));
      break;
    case Op::kV128Load16Lane:
      a_.pinsrw(d, m, Imm(lane));
      break;
    case Op::kV128Load32Lane:
      a_.pinsrd(d, m, Imm(lane));
      break;
    case Op::kV128Load64Lane:
      a_.pinsrq(d, m, Imm(lane));
      break;
    default:
      return unsupported(op_text(op).data());
  }
  used_.remove(RegClass::kXmm, dst);
  push_reg(ValType::kV128, dst);
}

void BaselineCompiler::simd_store(Op op, const MemArgImm& memarg, uint8_t lane) {
  uint32_t size = 1u << natural_alignment_log2(op_info(op).imm);
  RegSet pinned;
  x86::Xmm v = x86::xmm(pop_to_read(pinned));
  x86::Mem m = address(memarg, size, pinned);
  GuardedAccess guarded(*this);
  switch (op) {
    case Op::kV128Store:
      a_.movdqu(m, v);
      break;
    case Op::kV128Store8Lane:
      a_.pextrb(m, v, Imm(lane));
      break;
    case Op::kV128Store16Lane:
      a_.pextrw(m, v, Imm(lane));
      break;
    case Op::kV128Store32Lane:
      a_.pextrd(m, v, Imm(lane));
      break;
    case Op::kV128Store64Lane:
      a_.pextrq(m, v, Imm(lane));
      break;
    default:
      return unsupported(op_text(op).data());
  }
}

}  // namespace keel::jit

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
  uint32_t size = access_bytes(op);
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
  {
    GuardedAccess guarded(*this);
    if (!emit_simd_load(a_, op, d, m, lane, options_.cpu)) return unsupported(op_text(op).data());
  }
  used_.remove(RegClass::kXmm, dst);
  push_reg(ValType::kV128, dst);
}

void BaselineCompiler::simd_store(Op op, const MemArgImm& memarg, uint8_t lane) {
  uint32_t size = access_bytes(op);
  RegSet pinned;
  x86::Xmm v = x86::xmm(pop_to_read(pinned));
  x86::Mem m = address(memarg, size, pinned);
  GuardedAccess guarded(*this);
  if (!emit_simd_store(a_, op, m, v, lane)) return unsupported(op_text(op).data());
}

}  // namespace keel::jit

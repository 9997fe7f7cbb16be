// The register cache: allocation with lazy spilling, materialisation of constants, and the hooks
// that only move values (constants, locals, globals, drop, select) plus numeric instructions.
#include <bit>
#include <cstring>

#include "jit/baseline/baseline_emitter.h"

namespace keel::jit {

namespace x86 = asmjit::x86;
using asmjit::Label;

namespace {
bool fits_i32(int64_t v) {
  return v == static_cast<int32_t>(v);
}
}  // namespace

int32_t BaselineCompiler::next_slot(ValType t) const {
  int32_t base = stack_.empty() ? locals_end_ : stack_.back().offset;
  int32_t size = slot_size(t);
  return (base + size + size - 1) & ~(size - 1);
}

uint8_t BaselineCompiler::alloc(RegClass c, RegSet pinned) {
  uint32_t allowed = c == RegClass::kGp ? kAllocatableGp : kAllocatableXmm;
  uint32_t free = allowed & ~used_.of(c) & ~pinned.of(c);
  if (free == 0) {
    spill_one(c, pinned);
    free = allowed & ~used_.of(c) & ~pinned.of(c);
  }
  uint8_t id = static_cast<uint8_t>(std::countr_zero(free));
  used_.add(c, id);
  return id;
}

void BaselineCompiler::spill_one(RegClass c, RegSet pinned) {
  // A local is reloaded only when used again; an operand-stack value is always used again.
  if (evict_lru_local(c, pinned)) return;
  // The deepest value is the one needed last.
  for (VarState& v : stack_) {
    if (v.loc == Loc::kReg && reg_class(v.type) == c && !pinned.has(c, v.reg)) {
      spill(v);
      return;
    }
  }
}

void BaselineCompiler::spill(VarState& v) {
  if (v.loc == Loc::kStack) return;
  store_value(v, slot(v.offset));
  if (v.loc == Loc::kReg) used_.remove(reg_class(v.type), v.reg);
  v.loc = Loc::kStack;
}

void BaselineCompiler::spill_all() {
  spill_stack();
  flush_locals();
}

void BaselineCompiler::push_reg(ValType t, uint8_t reg) {
  VarState v{t, Loc::kReg, reg, next_slot(t), 0};
  if (v.offset > max_slot_) max_slot_ = v.offset;
  used_.add(reg_class(t), reg);
  stack_.push_back(v);
}

void BaselineCompiler::push_const(ValType t, int64_t bits) {
  VarState v{t, Loc::kConst, 0, next_slot(t), bits};
  if (v.offset > max_slot_) max_slot_ = v.offset;
  stack_.push_back(v);
}

void BaselineCompiler::push_stack(ValType t) {
  VarState v{t, Loc::kStack, 0, next_slot(t), 0};
  if (v.offset > max_slot_) max_slot_ = v.offset;
  stack_.push_back(v);
}

void BaselineCompiler::free_value(const VarState& v) {
  if (v.loc == Loc::kReg) used_.remove(reg_class(v.type), v.reg);
}

VarState BaselineCompiler::pop() {
  VarState v = stack_.back();
  stack_.pop_back();
  free_value(v);
  return v;
}

void BaselineCompiler::resize_stack(size_t n) {
  while (stack_.size() > n) pop();
  while (stack_.size() < n) push_stack(ValType::kI64);
}

void BaselineCompiler::load_mem(ValType t, uint8_t reg, const x86::Mem& m) {
  switch (t) {
    case ValType::kI32:
      a_.mov(x86::gpd(reg), m);
      break;
    case ValType::kF32:
      a_.movss(x86::xmm(reg), m);
      break;
    case ValType::kF64:
      a_.movsd(x86::xmm(reg), m);
      break;
    case ValType::kV128:
      a_.movdqu(x86::xmm(reg), m);
      break;
    default:
      a_.mov(x86::gpq(reg), m);
      break;
  }
}

void BaselineCompiler::materialize(const VarState& v, uint8_t reg) {
  switch (v.type) {
    case ValType::kI32:
      if (v.imm == 0)
        a_.xor_(x86::gpd(reg), x86::gpd(reg));
      else
        a_.mov(x86::gpd(reg), static_cast<uint32_t>(v.imm));
      break;
    case ValType::kF32:
    case ValType::kF64:
      if (v.imm == 0) {
        a_.xorps(x86::xmm(reg), x86::xmm(reg));
      } else if (v.type == ValType::kF32) {
        a_.mov(x86::eax, static_cast<uint32_t>(v.imm));
        a_.movd(x86::xmm(reg), x86::eax);
      } else {
        a_.mov(x86::rax, v.imm);
        a_.movq(x86::xmm(reg), x86::rax);
      }
      break;
    default:
      if (v.imm == 0)
        a_.xor_(x86::gpd(reg), x86::gpd(reg));
      else
        a_.mov(x86::gpq(reg), v.imm);
      break;
  }
}

uint8_t BaselineCompiler::to_reg(const VarState& v, RegSet pinned) {
  if (v.loc == Loc::kReg) return v.reg;
  RegClass c = reg_class(v.type);
  if (v.loc == Loc::kLocal) pinned.add(c, v.reg);
  uint8_t reg = alloc(c, pinned);
  if (v.loc == Loc::kConst)
    materialize(v, reg);
  else if (v.loc == Loc::kLocal)
    c == RegClass::kGp ? a_.mov(x86::gpq(reg), x86::gpq(v.reg))
                       : a_.movaps(x86::xmm(reg), x86::xmm(v.reg));
  else
    load_mem(v.type, reg, slot(v.offset));
  used_.remove(reg_class(v.type), reg);
  return reg;
}

uint8_t BaselineCompiler::pop_to_reg(RegSet pinned) {
  VarState v = pop();
  return to_reg(v, pinned);
}

uint8_t BaselineCompiler::pop_to_read(RegSet& pinned) {
  VarState v = pop();
  uint8_t reg = v.loc == Loc::kLocal ? v.reg : to_reg(v, pinned);
  pinned.add(reg_class(v.type), reg);
  return reg;
}

void BaselineCompiler::store_value(const VarState& v, x86::Mem m) {
  switch (v.loc) {
    case Loc::kReg:
    case Loc::kLocal:
      switch (v.type) {
        case ValType::kI32:
          m.setSize(4);
          a_.mov(m, x86::gpd(v.reg));
          break;
        case ValType::kF32:
          a_.movss(m, x86::xmm(v.reg));
          break;
        case ValType::kF64:
          a_.movsd(m, x86::xmm(v.reg));
          break;
        case ValType::kV128:
          a_.movdqu(m, x86::xmm(v.reg));
          break;
        default:
          m.setSize(8);
          a_.mov(m, x86::gpq(v.reg));
          break;
      }
      break;
    case Loc::kConst:
      if (v.type == ValType::kI32 || v.type == ValType::kF32) {
        m.setSize(4);
        a_.mov(m, static_cast<uint32_t>(v.imm));
      } else if (fits_i32(v.imm)) {
        m.setSize(8);
        a_.mov(m, static_cast<int32_t>(v.imm));
      } else {
        m.setSize(8);
        a_.mov(x86::rax, v.imm);
        a_.mov(m, x86::rax);
      }
      break;
    case Loc::kStack:
      if (v.type == ValType::kV128) {
        a_.movdqu(x86::xmm15, slot(v.offset));
        a_.movdqu(m, x86::xmm15);
      } else {
        m.setSize(8);
        a_.mov(x86::rax, x86::qword_ptr(x86::rbp, -v.offset));
        a_.mov(m, x86::rax);
      }
      break;
  }
}

// --- value hooks ---------------------------------------------------------------------------------

void BaselineCompiler::instr(Op op, const InstrImm& imm) {
  if (!reachable_) return;
  switch (op) {
    case Op::kNop:
      return;
    case Op::kI32Const:
      return push_const(ValType::kI32, static_cast<uint32_t>(imm.i32));
    case Op::kI64Const:
      return push_const(ValType::kI64, imm.i64);
    case Op::kF32Const: {
      uint32_t bits;
      std::memcpy(&bits, &imm.f32, 4);
      return push_const(ValType::kF32, bits);
    }
    case Op::kF64Const: {
      int64_t bits;
      std::memcpy(&bits, &imm.f64, 8);
      return push_const(ValType::kF64, bits);
    }
    default:
      break;
  }
  const OpInfo& info = op_info(op);
  if (info.feature == Feature::kSimd || info.feature == Feature::kRelaxedSimd) return simd(op, imm);
  if (is_memarg(info.imm)) {
    if (info.feature != Feature::kMvp) return unsupported(op_text(op).data());
    if (imm.memarg.memory != 0) return unsupported("multiple memories");
    if (vctx_->address_type(0) != ValType::kI32) return unsupported("64-bit memories");
    if (info.sig.num_results != 0)
      load(op, imm.memarg);
    else
      store(op, imm.memarg);
    return;
  }
  if (is_numeric_op(op)) return numeric(op);
  unsupported(op_text(op).data());
}

bool BaselineCompiler::fuse_compare(Op op) {
  // Scalar integer comparisons, whose operands are in general registers.
  const OpInfo& info = op_info(op);
  if (info.cmp == Cmp::kNone || info.sig.num_params == 0) return false;
  ValType operand = info.sig.params[0];
  if (operand != ValType::kI32 && operand != ValType::kI64) return false;
  bool is64 = operand == ValType::kI64;
  // Only when the very next instruction consumes the flags (a one-pass lookahead, as Liftoff
  // does): br_if and if then branch on them, and nothing they emit before the jump writes flags.
  Op next = next_opcode();
  if (next != Op::kBrIf && next != Op::kIf) return false;
  auto gp = [&](uint8_t r) { return is64 ? x86::Gp(x86::gpq(r)) : x86::Gp(x86::gpd(r)); };
  RegSet pinned;
  if (info.cmp == Cmp::kEqz) {
    uint8_t r = pop_to_read(pinned);
    a_.test(gp(r), gp(r));
  } else {
    VarState rhs = stack_.back();
    if (rhs.loc == Loc::kConst && (!is64 || fits_i32(rhs.imm))) {
      stack_.pop_back();
      uint8_t l = pop_to_read(pinned);
      a_.cmp(gp(l), static_cast<int32_t>(rhs.imm));
    } else {
      uint8_t r = pop_to_read(pinned);
      uint8_t l = pop_to_read(pinned);
      a_.cmp(gp(l), gp(r));
    }
  }
  fused_cc_ = integer_condition(info.cmp);
  push_const(ValType::kI32, 0);  // stands for the flags; br_if or if pops it next
  return true;
}

asmjit::x86::CondCode BaselineCompiler::pop_condition() {
  if (fused_cc_) {
    stack_.pop_back();
    auto cc = *fused_cc_;
    fused_cc_.reset();
    return cc;
  }
  RegSet pinned;
  uint8_t cond = pop_to_read(pinned);
  a_.test(x86::gpd(cond), x86::gpd(cond));
  return x86::CondCode::kNE;
}

void BaselineCompiler::numeric(Op op) {
  if (fuse_compare(op)) return;
  const OpSig& sig = op_info(op).sig;
  NumericOperands operands;
  RegSet pinned;
  uint8_t lhs, dst;
  ValType result = sig.result;
  RegClass dst_class = reg_class(result);
  if (sig.num_params == 2) {
    VarState rhs = stack_.back();
    bool is_i32 = sig.params[1] == ValType::kI32;
    if (rhs.loc == Loc::kConst && numeric_accepts_imm(op) && (is_i32 || fits_i32(rhs.imm))) {
      stack_.pop_back();
      operands.rhs_is_imm = true;
      operands.rhs_imm = static_cast<int32_t>(rhs.imm);
    } else {
      uint8_t r = pop_to_read(pinned);
      operands.rhs =
          reg_class(sig.params[1]) == RegClass::kGp ? x86::Reg(x86::gpq(r)) : x86::Reg(x86::xmm(r));
    }
  }
  RegClass lhs_class = reg_class(sig.params[0]);
  VarState lv = pop();
  lhs = to_reg(lv, pinned);
  pinned.add(lhs_class, lhs);
  if (lhs_class == dst_class) {
    dst = lhs;
    used_.add(dst_class, dst);
  } else {
    dst = alloc(dst_class, pinned);
  }
  operands.lhs = lhs_class == RegClass::kGp ? x86::Reg(x86::gpq(lhs)) : x86::Reg(x86::xmm(lhs));
  operands.dst = dst_class == RegClass::kGp ? x86::Reg(x86::gpq(dst)) : x86::Reg(x86::xmm(dst));
  emit_numeric(a_, op, operands, *this, options_.cpu);
  used_.remove(dst_class, dst);
  push_reg(result, dst);
}

void BaselineCompiler::drop(ValType) {
  if (!reachable_) return;
  pop();
}

void BaselineCompiler::select(ValType t) {
  if (!reachable_) return;
  RegSet pinned;
  uint8_t cond = pop_to_reg();
  pinned.add(RegClass::kGp, cond);
  VarState b = pop();
  RegClass c = reg_class(t);
  uint8_t breg = to_reg(b, pinned);
  pinned.add(c, breg);
  VarState av = pop();
  uint8_t dst = to_reg(av, pinned);
  a_.test(x86::gpd(cond), x86::gpd(cond));
  if (c == RegClass::kGp) {
    if (t == ValType::kI32)
      a_.cmovz(x86::gpd(dst), x86::gpd(breg));
    else
      a_.cmovz(x86::gpq(dst), x86::gpq(breg));
  } else {
    Label keep = a_.newLabel();
    a_.jnz(keep);
    a_.movaps(x86::xmm(dst), x86::xmm(breg));
    a_.bind(keep);
  }
  push_reg(t, dst);
}

void BaselineCompiler::local(Op op, uint32_t index, ValType t) {
  if (!reachable_) return;
  if (op == Op::kLocalGet) return local_get(index, t);
  local_set(index, t, op == Op::kLocalTee);
}

void BaselineCompiler::global(Op op, uint32_t index, ValType t) {
  if (!reachable_) return;
  if (op == Op::kGlobalGet) {
    uint8_t reg = alloc(reg_class(t));
    a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextGlobals));
    a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(8 * index)));
    load_mem(t, reg, x86::ptr(x86::rax));
    used_.remove(reg_class(t), reg);
    push_reg(t, reg);
    return;
  }
  // store_value reads a spilled value through rax, so the address goes in rcx.
  VarState v = pop();
  a_.mov(x86::rcx, x86::qword_ptr(x86::r14, vm::kContextGlobals));
  a_.mov(x86::rcx, x86::qword_ptr(x86::rcx, static_cast<int32_t>(8 * index)));
  store_value(v, x86::ptr(x86::rcx));
}

void BaselineCompiler::ref_null(ValType t) {
  if (!reachable_) return;
  push_const(t, 0);
}

void BaselineCompiler::ref_is_null() {
  if (!reachable_) return;
  uint8_t reg = pop_to_reg();
  a_.test(x86::gpq(reg), x86::gpq(reg));
  a_.setz(x86::gpb(reg));
  a_.movzx(x86::gpd(reg), x86::gpb(reg));
  push_reg(ValType::kI32, reg);
}

void BaselineCompiler::ref_func(uint32_t func_index) {
  if (!reachable_) return;
  uint8_t reg = alloc(RegClass::kGp);
  a_.mov(x86::gpq(reg), x86::qword_ptr(x86::r14, vm::kContextFuncs));
  a_.mov(x86::gpq(reg), x86::qword_ptr(x86::gpq(reg), static_cast<int32_t>(8 * func_index)));
  used_.remove(RegClass::kGp, reg);
  push_reg(ValType::kFuncRef, reg);
}

}  // namespace keel::jit

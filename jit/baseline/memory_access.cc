// Linear memory and table instructions. Memory accesses are not bounds-checked: the reservation's
// guard region makes every out-of-bounds address fault, and the source map entry recorded at the
// access lets the signal handler name the instruction. Table accesses are checked inline.
#include <array>

#include "jit/baseline/baseline_emitter.h"

namespace keel::jit {

namespace x86 = asmjit::x86;
using vm::TrapCode;

x86::Mem BaselineCompiler::address(const MemArgImm& memarg, uint32_t size, RegSet& pinned) {
  VarState addr = stack_.back();
  uint64_t offset = memarg.offset;
  x86::Mem m;
  if (addr.loc == Loc::kConst) {
    stack_.pop_back();
    uint64_t ea = static_cast<uint32_t>(addr.imm) + offset;
    if (ea <= INT32_MAX) {
      m = x86::ptr(x86::r15, static_cast<int32_t>(ea));
    } else {
      a_.mov(x86::rax, ea);
      m = x86::ptr(x86::r15, x86::rax);
    }
  } else {
    // i32 values in registers are always zero-extended, so the register is the 64-bit index.
    uint8_t reg = pop_to_read(pinned);
    if (offset <= INT32_MAX) {
      m = x86::ptr(x86::r15, x86::gpq(reg), 0, static_cast<int32_t>(offset));
    } else {
      a_.mov(x86::rax, offset);
      a_.add(x86::rax, x86::gpq(reg));
      m = x86::ptr(x86::r15, x86::rax);
    }
  }
  m.setSize(size);
  return m;
}

void BaselineCompiler::load(Op op, const MemArgImm& memarg) {
  uint32_t size = access_bytes(op);
  ValType t = op_info(op).sig.result;
  RegSet pinned;
  x86::Mem m = address(memarg, size, pinned);
  // The address register may become the result: it is read before the result is written.
  uint8_t dst = alloc(reg_class(t));
  x86::Gpd d32 = x86::gpd(dst);
  x86::Gpq d64 = x86::gpq(dst);
  {
    GuardedAccess guarded(*this);
    switch (op) {
      case Op::kI32Load:
      case Op::kI64Load32U:
        a_.mov(d32, m);
        break;
      case Op::kI64Load:
        a_.mov(d64, m);
        break;
      case Op::kF32Load:
        a_.movss(x86::xmm(dst), m);
        break;
      case Op::kF64Load:
        a_.movsd(x86::xmm(dst), m);
        break;
      case Op::kI32Load8S:
      case Op::kI32Load16S:
        a_.movsx(d32, m);
        break;
      case Op::kI32Load8U:
      case Op::kI32Load16U:
      case Op::kI64Load8U:
      case Op::kI64Load16U:
        a_.movzx(d32, m);
        break;
      case Op::kI64Load8S:
      case Op::kI64Load16S:
        a_.movsx(d64, m);
        break;
      case Op::kI64Load32S:
        a_.movsxd(d64, m);
        break;
      default:
        break;
    }
  }
  used_.remove(reg_class(t), dst);
  push_reg(t, dst);
}

void BaselineCompiler::store(Op op, const MemArgImm& memarg) {
  uint32_t size = access_bytes(op);
  RegSet pinned;
  VarState v = pop();
  if (v.loc == Loc::kStack) {
    v.reg = to_reg(v, pinned);
    v.loc = Loc::kReg;
  }
  if (v.loc == Loc::kReg || v.loc == Loc::kLocal) pinned.add(reg_class(v.type), v.reg);
  x86::Mem m = address(memarg, size, pinned);
  if (v.loc == Loc::kConst) {
    GuardedAccess guarded(*this);
    switch (size) {
      case 1:
        a_.mov(m, static_cast<int8_t>(v.imm));
        break;
      case 2:
        a_.mov(m, static_cast<int16_t>(v.imm));
        break;
      case 4:
        a_.mov(m, static_cast<int32_t>(v.imm));
        break;
      default:
        if (v.imm == static_cast<int32_t>(v.imm)) {
          a_.mov(m, static_cast<int32_t>(v.imm));
        } else {
          a_.mov(x86::rcx, v.imm);
          record_here();
          a_.mov(m, x86::rcx);
        }
        break;
    }
    return;
  }
  GuardedAccess guarded(*this);
  if (reg_class(v.type) == RegClass::kXmm) {
    if (size == 4)
      a_.movss(m, x86::xmm(v.reg));
    else
      a_.movsd(m, x86::xmm(v.reg));
    return;
  }
  switch (size) {
    case 1:
      a_.mov(m, x86::gpb(v.reg));
      break;
    case 2:
      a_.mov(m, x86::gpw(v.reg));
      break;
    case 4:
      a_.mov(m, x86::gpd(v.reg));
      break;
    default:
      a_.mov(m, x86::gpq(v.reg));
      break;
  }
}

void BaselineCompiler::helper_args(std::span<const uint32_t> fixed, size_t count) {
  static constexpr std::array<x86::Gpq, 6> kArgs = {x86::rdi, x86::rsi, x86::rdx,
                                                    x86::rcx, x86::r8,  x86::r9};
  // Helpers clobber the caller-saved registers: nothing stays in one across the call.
  spill_all();
  a_.mov(x86::rdi, x86::r14);
  size_t arg = 1;
  for (uint32_t value : fixed) a_.mov(kArgs[arg++].r32(), value);
  size_t base = stack_.size() - count;
  for (size_t i = 0; i < count; ++i) {
    const VarState& v = stack_[base + i];
    x86::Gpq reg = kArgs[arg++];
    if (v.loc == Loc::kConst)
      a_.mov(reg, v.imm);
    else if (v.type == ValType::kI32)
      a_.mov(reg.r32(), x86::dword_ptr(x86::rbp, -v.offset));
    else
      a_.mov(reg, x86::qword_ptr(x86::rbp, -v.offset));
  }
  resize_stack(base);
}

void BaselineCompiler::load_table(uint32_t table) {
  a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextTables));
  a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(8 * table)));
}

void BaselineCompiler::memory_op(Op op, uint32_t a, uint32_t b) {
  if (!reachable_) return;
  uint32_t memory = op == Op::kMemoryInit ? b : op == Op::kDataDrop ? 0 : a;
  if (memory != 0 || (op == Op::kMemoryCopy && b != 0)) return unsupported("multiple memories");
  if (!module_->memories.empty() && vctx_->address_type(0) != ValType::kI32)
    return unsupported("64-bit memories");
  switch (op) {
    case Op::kMemorySize: {
      uint8_t reg = alloc(RegClass::kGp);
      a_.mov(x86::gpq(reg), x86::qword_ptr(x86::r14, vm::kContextMemory));
      a_.mov(x86::gpq(reg), x86::qword_ptr(x86::gpq(reg), vm::kMemorySize));
      a_.shr(x86::gpq(reg), 16);
      used_.remove(RegClass::kGp, reg);
      push_reg(ValType::kI32, reg);
      return;
    }
    case Op::kMemoryGrow: {
      uint32_t fixed[] = {0};
      helper_args(fixed, 1);
      call_helper(vm::Builtin::kMemoryGrow);
      uint8_t reg = alloc(RegClass::kGp);
      a_.mov(x86::gpd(reg), x86::eax);
      used_.remove(RegClass::kGp, reg);
      push_reg(ValType::kI32, reg);
      return;
    }
    case Op::kMemoryInit: {
      uint32_t fixed[] = {0, a};
      helper_args(fixed, 3);
      call_helper(vm::Builtin::kMemoryInit);
      return check_helper_trap();
    }
    case Op::kDataDrop: {
      uint32_t fixed[] = {a};
      helper_args(fixed, 0);
      return call_helper(vm::Builtin::kDataDrop);
    }
    case Op::kMemoryCopy: {
      uint32_t fixed[] = {0, 0};
      helper_args(fixed, 3);
      call_helper(vm::Builtin::kMemoryCopy);
      return check_helper_trap();
    }
    case Op::kMemoryFill: {
      uint32_t fixed[] = {0};
      helper_args(fixed, 3);
      call_helper(vm::Builtin::kMemoryFill);
      return check_helper_trap();
    }
    default:
      return unsupported(op_text(op).data());
  }
}

void BaselineCompiler::table_op(Op op, uint32_t a, uint32_t b) {
  if (!reachable_) return;
  switch (op) {
    case Op::kTableGet: {
      uint8_t index = pop_to_reg();
      load_table(a);
      a_.cmp(x86::gpd(index), x86::dword_ptr(x86::rax, vm::kTableSize));
      a_.jae(get(TrapCode::kTableOutOfBounds));
      a_.mov(x86::rax, x86::qword_ptr(x86::rax, vm::kTableElements));
      a_.mov(x86::gpq(index), x86::qword_ptr(x86::rax, x86::gpq(index), 3));
      push_reg(module_->tables[a].type.element, index);
      return;
    }
    case Op::kTableSet: {
      RegSet pinned;
      uint8_t value = pop_to_reg();
      pinned.add(RegClass::kGp, value);
      uint8_t index = pop_to_reg(pinned);
      load_table(a);
      a_.cmp(x86::gpd(index), x86::dword_ptr(x86::rax, vm::kTableSize));
      a_.jae(get(TrapCode::kTableOutOfBounds));
      a_.mov(x86::rax, x86::qword_ptr(x86::rax, vm::kTableElements));
      a_.mov(x86::qword_ptr(x86::rax, x86::gpq(index), 3), x86::gpq(value));
      return;
    }
    case Op::kTableSize: {
      uint8_t reg = alloc(RegClass::kGp);
      load_table(a);
      a_.mov(x86::gpd(reg), x86::dword_ptr(x86::rax, vm::kTableSize));
      used_.remove(RegClass::kGp, reg);
      push_reg(ValType::kI32, reg);
      return;
    }
    case Op::kTableGrow: {
      uint32_t fixed[] = {a};
      helper_args(fixed, 2);
      call_helper(vm::Builtin::kTableGrow);
      uint8_t reg = alloc(RegClass::kGp);
      a_.mov(x86::gpd(reg), x86::eax);
      used_.remove(RegClass::kGp, reg);
      push_reg(ValType::kI32, reg);
      return;
    }
    case Op::kTableFill: {
      uint32_t fixed[] = {a};
      helper_args(fixed, 3);
      call_helper(vm::Builtin::kTableFill);
      return check_helper_trap();
    }
    case Op::kTableCopy: {
      uint32_t fixed[] = {a, b};
      helper_args(fixed, 3);
      call_helper(vm::Builtin::kTableCopy);
      return check_helper_trap();
    }
    case Op::kTableInit: {
      uint32_t fixed[] = {b, a};
      helper_args(fixed, 3);
      call_helper(vm::Builtin::kTableInit);
      return check_helper_trap();
    }
    case Op::kElemDrop: {
      uint32_t fixed[] = {a};
      helper_args(fixed, 0);
      return call_helper(vm::Builtin::kElemDrop);
    }
    default:
      return unsupported(op_text(op).data());
  }
}

}  // namespace keel::jit

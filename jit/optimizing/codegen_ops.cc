// Tier-2 code for the instructions that are not control flow: constants, numeric instructions
// (through tier 1's emit_numeric), select, memory and globals, tables, calls and runtime calls.
// Operands come from their allocated registers, or from their slots through the operand
// temporaries (register_allocator.h); a result in memory is computed in temporary 0 and stored.
#include "jit/common/simd_internal.h"
#include "jit/common/simd_lowering.h"
#include "jit/optimizing/codegen_internal.h"
#include "jit/optimizing/compare_fusion.h"

namespace keel::jit::opt {

using vm::TrapCode;

template <typename Emit>
void Codegen::emit_fused_access(const Inst& load, Emit emit) {
  uint32_t consumer_offset = module_offset_;
  module_offset_ = load.module_offset;
  uint32_t begin = static_cast<uint32_t>(a_.offset());
  record_here();
  emit();
  trap_sites_.push_back(
      {begin, static_cast<uint32_t>(a_.offset()) - begin, TrapCode::kMemoryOutOfBounds});
  module_offset_ = consumer_offset;
  record_here();
}

// --- value access --------------------------------------------------------------------------------

x86::Reg Codegen::reg_for(RegKind kind, uint8_t id) {
  return kind == RegKind::kGp ? x86::Reg(x86::gpq(id)) : x86::Reg(x86::xmm(id));
}

void Codegen::load_value(ValType type, const x86::Reg& dst, const x86::Mem& m) {
  switch (type) {
    case ValType::kI32:
      a_.mov(dst.as<x86::Gp>().r32(), m);
      break;
    case ValType::kF32:
      a_.movss(dst.as<x86::Xmm>(), m);
      break;
    case ValType::kF64:
      a_.movsd(dst.as<x86::Xmm>(), m);
      break;
    case ValType::kV128:
      a_.movdqu(dst.as<x86::Xmm>(), m);
      break;
    default:
      a_.mov(dst.as<x86::Gp>().r64(), m);
      break;
  }
}

void Codegen::store_value(ValType type, const x86::Mem& m, const x86::Reg& src) {
  switch (type) {
    case ValType::kF32:
      a_.movss(m, src.as<x86::Xmm>());
      break;
    case ValType::kF64:
      a_.movsd(m, src.as<x86::Xmm>());
      break;
    case ValType::kV128:
      a_.movdqu(m, src.as<x86::Xmm>());
      break;
    default:
      // i32 values are zero-extended in registers: the whole register keeps that in a slot.
      a_.mov(m, src.as<x86::Gp>().r64());
      break;
  }
}

void Codegen::materialize(ValType type, uint64_t bits, const x86::Reg& dst) {
  switch (type) {
    case ValType::kI32:
      a_.mov(dst.as<x86::Gp>().r32(), static_cast<uint32_t>(bits));
      break;
    case ValType::kF32:
    case ValType::kF64:
      if (bits == 0) {
        a_.xorps(dst.as<x86::Xmm>(), dst.as<x86::Xmm>());
      } else if (type == ValType::kF32) {
        a_.mov(x86::eax, static_cast<uint32_t>(bits));
        a_.movd(dst.as<x86::Xmm>(), x86::eax);
      } else {
        a_.mov(x86::rax, bits);
        a_.movq(dst.as<x86::Xmm>(), x86::rax);
      }
      break;
    default:
      a_.mov(dst.as<x86::Gp>().r64(), bits);
      break;
  }
}

void Codegen::test_condition(ValueId cond) {
  const Location& loc = location(cond);
  if (loc.kind == Location::kReg) {
    a_.test(x86::gpd(loc.reg), x86::gpd(loc.reg));
  } else if (loc.kind == Location::kStack) {
    a_.cmp(x86::dword_ptr(x86::rbp, loc.slot), 0);
  } else {
    a_.mov(x86::eax, static_cast<uint32_t>(loc.bits));
    a_.test(x86::eax, x86::eax);
  }
}

x86::CondCode Codegen::branch_condition(ValueId cond) {
  cond = graph_.resolve(cond);
  const Value& value = graph_.value(cond);
  if (value.is_param || !fused_[value.inst.index]) {
    test_condition(cond);
    return x86::CondCode::kNZ;
  }
  const Inst& compare = graph_.inst(value.inst);
  bool wide = type_of(compare.operands[0]) == ValType::kI64;
  auto sized = [&](x86::Gp r) { return wide ? x86::Gp(r.r64()) : x86::Gp(r.r32()); };
  x86::Gp lhs = sized(gp(compare.operands[0], 0));
  if (compare.operands.size() == 1) {
    a_.test(lhs, lhs);  // eqz
  } else if (fused_loads_.into[value.inst.index]) {
    const Inst& load = graph_.inst(graph_.value(graph_.resolve(compare.operands[1])).inst);
    if (!check_memory(load)) return x86::CondCode::kNZ;
    x86::Mem m = address(load, access_bytes(load.op), 1);
    emit_fused_access(load, [&] { a_.cmp(lhs, m); });
  } else {
    const Location& rhs = location(compare.operands[1]);
    int64_t bits = static_cast<int64_t>(rhs.bits);
    if (!wide) bits = static_cast<int32_t>(bits);
    if (rhs.kind == Location::kConstant && bits == static_cast<int32_t>(bits))
      a_.cmp(lhs, static_cast<int32_t>(bits));
    else if (rhs.kind == Location::kStack)
      a_.cmp(lhs, x86::ptr(x86::rbp, rhs.slot, wide ? 8 : 4));
    else
      a_.cmp(lhs, sized(gp(compare.operands[1], 1)));
  }
  return *compare_condition(compare.op);
}

x86::Gp Codegen::gp(ValueId v, int temp) {
  const Location& loc = location(v);
  if (loc.kind == Location::kReg) return x86::gpq(loc.reg);
  x86::Gp t = kOperandTempGp[temp];
  if (loc.kind == Location::kConstant)
    materialize(type_of(v), loc.bits, t);
  else
    a_.mov(t, x86::qword_ptr(x86::rbp, loc.slot));
  return t;
}

x86::Xmm Codegen::xmm(ValueId v, int temp) {
  const Location& loc = location(v);
  if (loc.kind == Location::kReg) return x86::xmm(loc.reg);
  x86::Xmm t = kOperandTempXmm[temp];
  if (loc.kind == Location::kConstant)
    materialize(type_of(v), loc.bits, t);
  else
    load_value(type_of(v), t, x86::ptr(x86::rbp, loc.slot));
  return t;
}

x86::Reg Codegen::reg(ValueId v, int temp) {
  if (reg_kind(type_of(v)) == RegKind::kGp) return gp(v, temp);
  return xmm(v, temp);
}

x86::Reg Codegen::def_reg(ValueId v) {
  const Location& loc = allocation_.locations[v.index];
  RegKind kind = reg_kind(graph_.type_of(v));
  if (loc.kind == Location::kReg) return reg_for(kind, loc.reg);
  return kind == RegKind::kGp ? x86::Reg(kOperandTempGp[0]) : x86::Reg(kOperandTempXmm[0]);
}

void Codegen::def_done(ValueId v, const x86::Reg& r) {
  const Location& loc = allocation_.locations[v.index];
  if (loc.kind == Location::kStack) store_value(graph_.type_of(v), x86::ptr(x86::rbp, loc.slot), r);
}

void Codegen::store_to_area(ValueId v, const x86::Mem& m) {
  const Location& loc = location(v);
  ValType t = type_of(v);
  if (loc.kind == Location::kReg) return store_value(t, m, reg_for(reg_kind(t), loc.reg));
  if (loc.kind == Location::kConstant) {
    // Area slots are 8 bytes: the bits of any scalar fit, upper bytes as they come.
    a_.mov(x86::rax, loc.bits);
    a_.mov(m, x86::rax);
    return;
  }
  x86::Reg transit = reg_kind(t) == RegKind::kGp ? x86::Reg(x86::rax) : x86::Reg(x86::xmm15);
  load_value(t == ValType::kI32 ? ValType::kI64 : t, transit, x86::ptr(x86::rbp, loc.slot));
  store_value(t, m, transit);
}

void Codegen::load_from_area(ValueId v, const x86::Mem& m) {
  const Location& loc = allocation_.locations[v.index];
  ValType t = graph_.type_of(v);
  if (loc.kind == Location::kNone) return;
  // i32 values arrive with unspecified upper bytes: the 32-bit load zero-extends them.
  if (loc.kind == Location::kReg) return load_value(t, reg_for(reg_kind(t), loc.reg), m);
  x86::Reg transit = reg_kind(t) == RegKind::kGp ? x86::Reg(x86::rax) : x86::Reg(x86::xmm15);
  load_value(t, transit, m);
  store_value(t, x86::ptr(x86::rbp, loc.slot), transit);
}

// --- instructions --------------------------------------------------------------------------------

void Codegen::emit_inst(InstId id, const Inst& inst) {
  ValueId result = inst.num_results ? graph_.result(id) : ValueId();
  switch (inst.kind) {
    case InstKind::kConst:
      return emit_const(inst, result);
    case InstKind::kWasm:
      return emit_wasm(inst, result);
    case InstKind::kSelect:
      return emit_select(inst, result);
    case InstKind::kMulHigh:
      return emit_mul_high(inst, result);
    case InstKind::kRefNull: {
      x86::Gp d = def_reg(result).as<x86::Gp>();
      a_.xor_(d.r32(), d.r32());
      return def_done(result, d);
    }
    case InstKind::kRefFunc: {
      x86::Gp d = def_reg(result).as<x86::Gp>();
      a_.mov(d, x86::qword_ptr(x86::r14, vm::kContextFuncs));
      a_.mov(d, x86::qword_ptr(d, static_cast<int32_t>(8 * inst.index)));
      return def_done(result, d);
    }
    case InstKind::kRefIsNull: {
      x86::Gp ref = gp(inst.operands[0], 1);
      x86::Gp d = def_reg(result).as<x86::Gp>();
      a_.xor_(x86::eax, x86::eax);
      a_.test(ref, ref);
      a_.setz(x86::al);
      a_.mov(d.r32(), x86::eax);
      return def_done(result, d);
    }
    case InstKind::kLoad:
      return emit_load(inst, result);
    case InstKind::kStore:
      return emit_store(inst);
    case InstKind::kGlobalGet: {
      x86::Reg d = def_reg(result);
      a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextGlobals));
      a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(8 * inst.index)));
      load_value(inst.type, d, x86::ptr(x86::rax));
      return def_done(result, d);
    }
    case InstKind::kOsrValue: {
      x86::Reg d = def_reg(result);
      a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextOsrBuffer));
      load_value(inst.type, d, x86::ptr(x86::rax, static_cast<int32_t>(16 * inst.index)));
      return def_done(result, d);
    }
    case InstKind::kGlobalSet: {
      ValueId v = inst.operands[0];
      x86::Reg r = reg(v, 0);
      a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextGlobals));
      a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(8 * inst.index)));
      if (type_of(v) == ValType::kI32)
        a_.mov(x86::dword_ptr(x86::rax), r.as<x86::Gp>().r32());
      else
        store_value(type_of(v), x86::ptr(x86::rax), r);
      return;
    }
    case InstKind::kTableGet:
    case InstKind::kTableSet:
    case InstKind::kTableSize:
      return emit_table_access(id, inst);
    case InstKind::kMemorySize: {
      if (inst.index != 0 || module_.memories.empty()) return unsupported("multiple memories");
      x86::Gp d = def_reg(result).as<x86::Gp>();
      a_.mov(d, x86::qword_ptr(x86::r14, vm::kContextMemory));
      a_.mov(d, x86::qword_ptr(d, vm::kMemorySize));
      a_.shr(d, 16);
      return def_done(result, d);
    }
    case InstKind::kCall:
    case InstKind::kCallIndirect:
      return emit_call(id, inst);
    case InstKind::kRuntimeCall:
      return emit_runtime_call(id, inst);
    case InstKind::kTrapIf:
      a_.j(branch_condition(inst.operands[0]), get(inst.trap_code));
      return;
    default:
      return unsupported("this instruction kind");
  }
}

void Codegen::emit_const(const Inst& inst, ValueId result) {
  // A rematerialized constant is made at each use instead.
  Location::Kind kind = allocation_.locations[result.index].kind;
  if (kind == Location::kConstant || kind == Location::kNone) return;
  x86::Reg d = def_reg(result);
  if (inst.type == ValType::kV128)
    simd::load_v128(a_, &constants_, d.as<x86::Xmm>(), inst.imm[0], inst.imm[1]);
  else
    materialize(inst.type, inst.imm[0], d);
  def_done(result, d);
}

void Codegen::emit_simd_op(const Inst& inst, ValueId result) {
  const OpSig& sig = op_info(inst.op).sig;
  SimdOperands o;
  o.lane = static_cast<uint8_t>(inst.imm[1]);
  o.shuffle = reinterpret_cast<const uint8_t*>(inst.imm);
  o.constants = &constants_;
  if (inst.operands.size() > 1) {
    const Location& b = location(inst.operands[1]);
    if (simd_accepts_imm(inst.op) && b.kind == Location::kConstant) {
      o.b_is_imm = true;
      o.b_imm = static_cast<int32_t>(b.bits);
    } else {
      o.b = reg(inst.operands[1], 1);
    }
  }
  if (inst.operands.size() > 2) {
    if (reg_kind(type_of(inst.operands[2])) != RegKind::kXmm || simd_needs_temp(inst.op))
      return unsupported(std::string(op_text(inst.op)));
    o.c = xmm(inst.operands[2], 2);
  }
  if (simd_needs_temp(inst.op)) o.temp = kOperandTempXmm[2];
  x86::Reg d = result.valid() ? def_reg(result) : x86::Reg();
  ValueId a = inst.operands[0];
  if (reg_kind(sig.params[0]) == RegKind::kXmm && d.isXmm()) {
    // The destructive form: the result register starts as the first operand.
    const Location& loc = location(a);
    if (loc.kind == Location::kReg) {
      if (d.id() != loc.reg) a_.movaps(d.as<x86::Xmm>(), x86::xmm(loc.reg));
    } else if (loc.kind == Location::kStack) {
      load_value(type_of(a), d, x86::ptr(x86::rbp, loc.slot));
    } else if (loc.kind == Location::kConstant)
      materialize(type_of(a), loc.bits, d);
    o.a = d;
  } else {
    o.a = reg(a, 0);
  }
  o.dst = d;
  emit_simd(a_, inst.op, o, options_.cpu);
  if (result.valid()) def_done(result, d);
}

void Codegen::emit_wasm_with_fused_load(const Inst& inst, ValueId result) {
  InstId id = graph_.value(result).inst;
  bool swapped = fused_loads_.swapped[id.index];
  ValueId loaded = graph_.resolve(inst.operands[swapped ? 0 : 1]);
  const Inst& load = graph_.inst(graph_.value(loaded).inst);
  if (!check_memory(load)) return;
  NumericOperands ops;
  ops.lhs = reg(inst.operands[swapped ? 1 : 0], 0);
  x86::Mem m = address(load, access_bytes(load.op), 1);
  ops.rhs_mem = &m;
  ops.dst = def_reg(result);
  emit_fused_access(load, [&] { emit_numeric(a_, inst.op, ops, *this, options_.cpu); });
  def_done(result, ops.dst);
}

void Codegen::emit_lea(const LeaForm& form, ValType type, ValueId result) {
  x86::Mem m;
  if (form.base.valid() && form.index.valid()) {
    m = x86::ptr(gp(form.base, 0), gp(form.index, 1), form.scale, form.displacement);
  } else if (form.index.valid()) {
    // No base: [index * 2^scale + disp32], the displacement sign-extended as in any address.
    m = x86::ptr_abs(static_cast<uint64_t>(static_cast<int64_t>(form.displacement)),
                     gp(form.index, 1), form.scale);
  } else {
    m = x86::ptr(gp(form.base, 0), form.displacement);
  }
  x86::Gp d = def_reg(result).as<x86::Gp>();
  // The 32-bit form keeps the low half of the sum and zero-extends it: i32 arithmetic.
  if (type == ValType::kI32)
    a_.lea(d.r32(), m);
  else
    a_.lea(d.r64(), m);
  def_done(result, d);
}

void Codegen::emit_wasm(const Inst& inst, ValueId result) {
  if (is_simd_op(inst.op)) return emit_simd_op(inst, result);
  if (!is_numeric_op(inst.op)) return unsupported(std::string(op_text(inst.op)));
  InstId id = graph_.value(result).inst;
  if (fused_loads_.into[id.index]) return emit_wasm_with_fused_load(inst, result);
  if (int32_t form = lea_forms_.form[id.index]; form >= 0)
    return emit_lea(lea_forms_.forms[form], graph_.type_of(result), result);
  NumericOperands ops;
  ops.lhs = reg(inst.operands[0], 0);
  x86::Mem spilled_rhs;
  if (inst.operands.size() > 1) {
    ValueId rhs = graph_.resolve(inst.operands[1]);
    const Value& value = graph_.value(rhs);
    const Inst* def = value.is_param ? nullptr : &graph_.inst(value.inst);
    bool is_const = def && def->kind == InstKind::kConst;
    int64_t bits = is_const ? static_cast<int64_t>(def->imm[0]) : 0;
    if (is_const && def->type == ValType::kI32) bits = static_cast<int32_t>(bits);
    bool gp_const = is_const && reg_kind(def->type) == RegKind::kGp;
    ops.rhs_nonzero = gp_const && bits != 0;
    ops.rhs_not_minus_one = gp_const && bits != -1;
    const Location& at = location(rhs);
    if (is_const && reg_kind(def->type) == RegKind::kGp && numeric_accepts_imm(inst.op) &&
        bits == static_cast<int32_t>(bits)) {
      ops.rhs_is_imm = true;
      ops.rhs_imm = static_cast<int32_t>(bits);
    } else if (at.kind == Location::kStack && numeric_accepts_mem(inst.op)) {
      // A spilled right operand is read from its slot by the instruction itself.
      ValType t = type_of(rhs);
      spilled_rhs = x86::ptr(x86::rbp, at.slot, t == ValType::kI64 || t == ValType::kF64 ? 8 : 4);
      ops.rhs_mem = &spilled_rhs;
    } else {
      ops.rhs = reg(rhs, 1);
    }
  }
  ops.dst = def_reg(result);
  // Tier 2 keeps every i32 zero-extended in its register, so extending one in place is free.
  if (inst.op == Op::kI64ExtendI32U && ops.dst.id() == ops.lhs.id())
    return def_done(result, ops.dst);
  emit_numeric(a_, inst.op, ops, *this, options_.cpu);
  def_done(result, ops.dst);
}

void Codegen::emit_mul_high(const Inst& inst, ValueId result) {
  bool wide = inst.type == ValType::kI64;
  auto sized = [&](x86::Gp r) { return wide ? x86::Gp(r.r64()) : x86::Gp(r.r32()); };
  x86::Gp lhs = sized(gp(inst.operands[0], 0));
  x86::Gp rhs = sized(gp(inst.operands[1], 1));
  x86::Gp d = def_reg(result).as<x86::Gp>();
  // The one-operand multiply: rdx:rax = rax * rhs. Both are scratch; d is written last.
  x86::Gp ax = sized(kScratchGp0), dx = sized(kScratchGp2);
  a_.mov(ax, lhs);
  if (inst.index)
    a_.imul(dx, ax, rhs);
  else
    a_.mul(dx, ax, rhs);
  a_.mov(sized(d), dx);  // a 32-bit move zero-extends, as i32 values in registers must be
  def_done(result, d);
}

void Codegen::emit_select(const Inst& inst, ValueId result) {
  ValueId cond = inst.operands[0], yes = inst.operands[1], no = inst.operands[2];
  x86::Reg d = def_reg(result);
  ValType t = type_of(yes);
  // d may be the false value's register but never the condition's or the true value's (the
  // allocator's must_differ), or it is temporary 0; a constant true value comes in temporary 1.
  auto copy_into_d = [&](ValueId v) {
    const Location& loc = location(v);
    if (loc.kind == Location::kReg && d.id() == loc.reg)
      return;
    else if (loc.kind == Location::kReg && d.isGp())
      a_.mov(d.as<x86::Gp>(), x86::gpq(loc.reg));
    else if (loc.kind == Location::kReg)
      a_.movaps(d.as<x86::Xmm>(), x86::xmm(loc.reg));
    else if (loc.kind == Location::kStack)
      load_value(t == ValType::kI32 ? ValType::kI64 : t, d, x86::ptr(x86::rbp, loc.slot));
    else
      materialize(t, loc.bits, d);
  };
  const Location& cond_loc = location(cond);
  if (cond_loc.kind == Location::kConstant) {
    copy_into_d(static_cast<uint32_t>(cond_loc.bits) ? yes : no);
    return def_done(result, d);
  }
  copy_into_d(no);
  if (d.isGp()) {
    const Location& loc = location(yes);
    x86::Gp y = loc.kind == Location::kReg ? x86::gpq(loc.reg) : kOperandTempGp[1];
    if (loc.kind == Location::kConstant) materialize(t, loc.bits, y);
    test_condition(cond);
    if (loc.kind == Location::kStack)
      a_.cmovnz(d.as<x86::Gp>(), x86::qword_ptr(x86::rbp, loc.slot));
    else
      a_.cmovnz(d.as<x86::Gp>(), y);
  } else {
    asmjit::Label done = a_.newLabel();
    test_condition(cond);
    a_.jz(done);
    copy_into_d(yes);
    a_.bind(done);
  }
  def_done(result, d);
}

// --- memory --------------------------------------------------------------------------------------

bool Codegen::check_memory(const Inst& inst) {
  if (inst.index != 0 || module_.memories.empty()) {
    unsupported("multiple memories");
    return false;
  }
  if (module_.memories[0].type.limits.is64) {
    unsupported("64-bit memories");
    return false;
  }
  return true;
}

x86::Mem Codegen::address(const Inst& inst, uint32_t size, int temp) {
  uint64_t offset = inst.imm[0];
  x86::Mem m;
  // A constant address (a global variable of C) is the displacement alone.
  const Location& at = location(inst.operands[0]);
  if (at.kind == Location::kConstant && static_cast<uint32_t>(at.bits) + offset <= INT32_MAX) {
    m = x86::ptr(x86::r15, static_cast<int32_t>(static_cast<uint32_t>(at.bits) + offset));
    m.setSize(size);
    return m;
  }
  // i32 values in registers are zero-extended: the register is the 64-bit index.
  x86::Gp index = gp(inst.operands[0], temp);
  if (offset <= INT32_MAX) {
    m = x86::ptr(x86::r15, index, 0, static_cast<int32_t>(offset));
  } else {
    a_.mov(x86::rax, offset);
    a_.add(x86::rax, index);
    m = x86::ptr(x86::r15, x86::rax);
  }
  m.setSize(size);
  return m;
}

void Codegen::emit_simd_access(const Inst& inst, ValueId result) {
  uint8_t lane = static_cast<uint8_t>(inst.imm[1]);
  if (inst.kind == InstKind::kStore) {
    x86::Xmm value = xmm(inst.operands[1], 1);
    x86::Mem m = address(inst, access_bytes(inst.op));
    uint32_t begin = static_cast<uint32_t>(a_.offset());
    record_here();
    if (!emit_simd_store(a_, inst.op, m, value, lane))
      return unsupported(std::string(op_text(inst.op)));
    trap_sites_.push_back(
        {begin, static_cast<uint32_t>(a_.offset()) - begin, TrapCode::kMemoryOutOfBounds});
    return;
  }
  x86::Xmm d = def_reg(result).as<x86::Xmm>();
  if (inst.operands.size() > 1) {
    // A lane load replaces one lane of the vector operand: the result starts as that vector.
    const Location& loc = location(inst.operands[1]);
    if (loc.kind == Location::kReg) {
      if (d.id() != loc.reg) a_.movaps(d, x86::xmm(loc.reg));
    } else {
      load_value(ValType::kV128, d, x86::ptr(x86::rbp, loc.slot));
    }
  }
  x86::Mem m = address(inst, access_bytes(inst.op));
  uint32_t begin = static_cast<uint32_t>(a_.offset());
  record_here();
  if (!emit_simd_load(a_, inst.op, d, m, lane, options_.cpu))
    return unsupported(std::string(op_text(inst.op)));
  trap_sites_.push_back(
      {begin, static_cast<uint32_t>(a_.offset()) - begin, TrapCode::kMemoryOutOfBounds});
  def_done(result, d);
}

void Codegen::emit_load(const Inst& inst, ValueId result) {
  if (!check_memory(inst)) return;
  if (inst.type == ValType::kV128) return emit_simd_access(inst, result);
  x86::Mem m = address(inst, access_bytes(inst.op));
  x86::Reg d = def_reg(result);
  x86::Gp d64 = d.isGp() ? d.as<x86::Gp>().r64() : x86::Gp();
  x86::Gp d32 = d.isGp() ? d.as<x86::Gp>().r32() : x86::Gp();
  uint32_t begin = static_cast<uint32_t>(a_.offset());
  record_here();
  switch (inst.op) {
    case Op::kI32Load:
    case Op::kI64Load32U:
      a_.mov(d32, m);
      break;
    case Op::kI64Load:
      a_.mov(d64, m);
      break;
    case Op::kF32Load:
      a_.movss(d.as<x86::Xmm>(), m);
      break;
    case Op::kF64Load:
      a_.movsd(d.as<x86::Xmm>(), m);
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
      return unsupported(std::string(op_text(inst.op)));
  }
  trap_sites_.push_back(
      {begin, static_cast<uint32_t>(a_.offset()) - begin, TrapCode::kMemoryOutOfBounds});
  def_done(result, d);
}

void Codegen::emit_store(const Inst& inst) {
  if (!check_memory(inst)) return;
  if (type_of(inst.operands[1]) == ValType::kV128) return emit_simd_access(inst, ValueId());
  switch (inst.op) {
    case Op::kI32Store:
    case Op::kI64Store:
    case Op::kF32Store:
    case Op::kF64Store:
    case Op::kI32Store8:
    case Op::kI32Store16:
    case Op::kI64Store8:
    case Op::kI64Store16:
    case Op::kI64Store32:
      break;
    default:
      return unsupported(std::string(op_text(inst.op)));
  }
  uint32_t size = access_bytes(inst.op);
  // A constant goes straight into memory (mov m8/m16/m32/m64, imm).
  const Location& stored = location(inst.operands[1]);
  bool immediate =
      stored.kind == Location::kConstant && reg_kind(type_of(inst.operands[1])) == RegKind::kGp &&
      (size < 8 || static_cast<int64_t>(stored.bits) == static_cast<int32_t>(stored.bits));
  x86::Reg value = immediate ? x86::Reg() : reg(inst.operands[1], 1);
  x86::Mem m = address(inst, size);
  uint32_t begin = static_cast<uint32_t>(a_.offset());
  record_here();
  if (immediate) {
    uint64_t mask = size == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * size)) - 1;
    int64_t imm = static_cast<int64_t>(stored.bits & mask);
    if (size == 4) imm = static_cast<int32_t>(static_cast<uint32_t>(imm));
    a_.mov(m, imm);
  } else if (value.isXmm()) {
    if (size == 4)
      a_.movss(m, value.as<x86::Xmm>());
    else
      a_.movsd(m, value.as<x86::Xmm>());
  } else {
    x86::Gp v = value.as<x86::Gp>();
    switch (size) {
      case 1:
        a_.mov(m, v.r8());
        break;
      case 2:
        a_.mov(m, v.r16());
        break;
      case 4:
        a_.mov(m, v.r32());
        break;
      default:
        a_.mov(m, v.r64());
        break;
    }
  }
  trap_sites_.push_back(
      {begin, static_cast<uint32_t>(a_.offset()) - begin, TrapCode::kMemoryOutOfBounds});
}

// --- tables --------------------------------------------------------------------------------------

void Codegen::emit_table_access(InstId id, const Inst& inst) {
  auto load_table = [&] {
    a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextTables));
    a_.mov(x86::rax, x86::qword_ptr(x86::rax, static_cast<int32_t>(8 * inst.index)));
  };
  ValueId result = inst.num_results ? graph_.result(id) : ValueId();
  if (inst.kind == InstKind::kTableSize) {
    x86::Gp d = def_reg(result).as<x86::Gp>();
    load_table();
    a_.mov(d.r32(), x86::dword_ptr(x86::rax, vm::kTableSize));
    return def_done(result, d);
  }
  x86::Gp index = gp(inst.operands[0], 1);
  load_table();
  a_.cmp(index.r32(), x86::dword_ptr(x86::rax, vm::kTableSize));
  a_.jae(get(TrapCode::kTableOutOfBounds));
  a_.mov(x86::rax, x86::qword_ptr(x86::rax, vm::kTableElements));
  if (inst.kind == InstKind::kTableGet) {
    x86::Gp d = def_reg(result).as<x86::Gp>();
    a_.mov(d, x86::qword_ptr(x86::rax, index, 3));
    return def_done(result, d);
  }
  x86::Gp value = gp(inst.operands[1], 0);
  a_.mov(x86::qword_ptr(x86::rax, index, 3), value);
}

}  // namespace keel::jit::opt

// Locals in registers: a local gets a register at its first use and keeps it until a call, an
// eviction under register pressure, or a join whose label state has it in memory. local.get
// pushes a reference to the local's register (Loc::kLocal) that instructions only reading an
// operand use as it is; the others copy it. local.set writes into the local's register, so that
// loop back-edges usually find the locals where the loop header expects them.
#include <algorithm>
#include <bit>

#include "jit/baseline/baseline_emitter.h"

namespace keel::jit {

namespace x86 = asmjit::x86;

namespace {
void move_reg(x86::Assembler& a, RegClass c, uint8_t dst, uint8_t src) {
  if (c == RegClass::kGp)
    a.mov(x86::gpq(dst), x86::gpq(src));
  else
    a.movaps(x86::xmm(dst), x86::xmm(src));
}
}  // namespace

void BaselineCompiler::own(uint32_t index, uint8_t reg, bool dirty) {
  RegClass c = reg_class(local_types_[index]);
  local_loc_[index] = {reg, dirty};
  reg_owner_[static_cast<int>(c)][reg] = static_cast<int32_t>(index);
  used_.add(c, reg);
  local_regs_.add(c, reg);
}

void BaselineCompiler::copy_refs(uint32_t index) {
  for (VarState& v : stack_) {
    if (v.loc != Loc::kLocal || v.imm != index) continue;
    RegSet pinned;
    pinned.add(reg_class(v.type), v.reg);
    uint8_t reg = to_reg(v, pinned);
    used_.add(reg_class(v.type), reg);
    v.loc = Loc::kReg;
    v.reg = reg;
  }
}

void BaselineCompiler::evict_local(RegClass c, uint8_t reg, bool spill_refs) {
  int32_t index = reg_owner_[static_cast<int>(c)][reg];
  LocalLoc& l = local_loc_[index];
  if (spill_refs)
    for (VarState& v : stack_)
      if (v.loc == Loc::kLocal && v.imm == index) spill(v);
  if (l.dirty) {
    VarState v{local_types_[index], Loc::kReg, reg, 0, 0};
    store_value(v, local_mem(index));
  }
  l = {};
  reg_owner_[static_cast<int>(c)][reg] = -1;
  used_.remove(c, reg);
  local_regs_.remove(c, reg);
}

bool BaselineCompiler::evict_lru_local(RegClass c, RegSet pinned) {
  int best = -1;
  uint32_t best_stamp = 0;
  for (uint32_t m = local_regs_.of(c) & ~pinned.of(c); m; m &= m - 1) {
    int r = std::countr_zero(m);
    int32_t owner = reg_owner_[static_cast<int>(c)][r];
    if (best < 0 || local_stamp_[owner] < best_stamp) {
      best = r;
      best_stamp = local_stamp_[owner];
    }
  }
  if (best < 0) return false;
  evict_local(c, static_cast<uint8_t>(best));
  return true;
}

void BaselineCompiler::flush_locals() {
  for (int c = 0; c < 2; ++c)
    for (uint32_t m = local_regs_.of(static_cast<RegClass>(c)); m; m &= m - 1)
      evict_local(static_cast<RegClass>(c), static_cast<uint8_t>(std::countr_zero(m)), false);
}

void BaselineCompiler::spill_stack() {
  for (VarState& v : stack_) spill(v);
}

void BaselineCompiler::write_local(uint32_t index, const VarState& v, RegSet pinned) {
  LocalLoc& l = local_loc_[index];
  RegClass c = reg_class(v.type);
  if (l.reg == kNoReg) {
    if (v.loc == Loc::kReg || v.loc == Loc::kLocal) pinned.add(c, v.reg);
    own(index, alloc(c, pinned), true);
  }
  switch (v.loc) {
    case Loc::kReg:
    case Loc::kLocal:
      if (v.reg != l.reg) move_reg(a_, c, l.reg, v.reg);
      break;
    case Loc::kConst:
      materialize(v, l.reg);
      break;
    case Loc::kStack:
      load_mem(v.type, l.reg, slot(v.offset));
      break;
  }
  l.dirty = true;
}

void BaselineCompiler::local_get(uint32_t index, ValType t) {
  RegClass c = reg_class(t);
  LocalLoc& l = local_loc_[index];
  local_stamp_[index] = ++stamp_;
  if (l.reg == kNoReg) {
    uint8_t reg = alloc(c);
    load_mem(t, reg, local_mem(index));
    used_.remove(c, reg);
    own(index, reg, false);
  }
  push_reg(t, l.reg);
  stack_.back().loc = Loc::kLocal;
  stack_.back().imm = index;
}

void BaselineCompiler::local_set(uint32_t index, ValType t, bool tee) {
  RegClass c = reg_class(t);
  local_stamp_[index] = ++stamp_;
  if (local_loc_[index].reg != kNoReg) copy_refs(index);
  if (tee) {
    VarState& v = stack_.back();
    if (v.loc == Loc::kReg && local_loc_[index].reg == kNoReg) {
      // The local takes the value's register; the value becomes a reference to the local.
      own(index, v.reg, true);
      v.loc = Loc::kLocal;
      v.imm = index;
      return;
    }
    RegSet pinned;
    if (v.loc == Loc::kReg) pinned.add(c, v.reg);
    write_local(index, v, pinned);
    return;
  }
  VarState v = pop();
  if (v.loc == Loc::kReg && local_loc_[index].reg == kNoReg) {
    own(index, v.reg, true);  // the value's register becomes the local's
    return;
  }
  write_local(index, v, {});
}

uint32_t BaselineCompiler::snapshot() {
  auto begin = static_cast<uint32_t>(states_.size());
  for (int c = 0; c < 2; ++c)
    for (uint32_t m = local_regs_.of(static_cast<RegClass>(c)); m; m &= m - 1) {
      auto r = static_cast<uint8_t>(std::countr_zero(m));
      states_.push_back({static_cast<uint32_t>(reg_owner_[c][r]), r});
    }
  return begin;
}

bool BaselineCompiler::same_state(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen) const {
  if (alen != blen) return false;
  for (uint32_t i = 0; i < alen; ++i)
    if (states_[a + i].local != states_[b + i].local || states_[a + i].reg != states_[b + i].reg)
      return false;
  return true;
}

bool BaselineCompiler::matches_state(uint32_t begin, uint32_t len) const {
  if (static_cast<uint32_t>(std::popcount(local_regs_.gp) + std::popcount(local_regs_.xmm)) != len)
    return false;
  for (uint32_t i = 0; i < len; ++i) {
    const LocalReg& e = states_[begin + i];
    if (reg_owner_[static_cast<int>(reg_class(local_types_[e.local]))][e.reg] !=
        static_cast<int32_t>(e.local))
      return false;
  }
  return true;
}

void BaselineCompiler::conform(uint32_t begin, uint32_t len) {
  if (matches_state(begin, len)) return;
  for (uint32_t i = 0; i < len; ++i) target_reg_[states_[begin + i].local] = states_[begin + i].reg;
  // Locals the label keeps in memory go there; register-to-register moves are collected.
  struct Move {
    uint8_t dst, src;
  };
  Move moves[2][16];
  int num_moves[2] = {0, 0};
  for (int c = 0; c < 2; ++c) {
    for (uint32_t mask = local_regs_.of(static_cast<RegClass>(c)); mask; mask &= mask - 1) {
      auto r = static_cast<uint8_t>(std::countr_zero(mask));
      int32_t owner = reg_owner_[c][r];
      uint8_t target = target_reg_[owner];
      if (target == kNoReg) {
        if (local_loc_[owner].dirty) {
          VarState v{local_types_[owner], Loc::kReg, r, 0, 0};
          store_value(v, local_mem(owner));
        }
      } else if (target != r) {
        moves[c][num_moves[c]++] = {target, r};
      }
    }
  }
  // A parallel move: emit a move whose destination no pending move still reads; a cycle is
  // broken through the scratch register.
  for (int c = 0; c < 2; ++c) {
    auto cls = static_cast<RegClass>(c);
    uint8_t scratch = cls == RegClass::kGp ? 0 : 15;  // rax, xmm15
    int n = num_moves[c];
    Move* m = moves[c];
    while (n > 0) {
      bool progressed = false;
      for (int i = 0; i < n; ++i) {
        bool read = false;
        for (int j = 0; j < n; ++j)
          if (j != i && m[j].src == m[i].dst) read = true;
        if (read) continue;
        move_reg(a_, cls, m[i].dst, m[i].src);
        m[i] = m[--n];
        progressed = true;
        break;
      }
      if (!progressed) {
        move_reg(a_, cls, scratch, m[0].src);
        for (int j = 1; j < n; ++j)
          if (m[j].src == m[0].src) m[j].src = scratch;
        m[0].src = scratch;
      }
    }
  }
  // Locals the label has in registers but that are in memory here.
  for (uint32_t i = 0; i < len; ++i) {
    const LocalReg& e = states_[begin + i];
    if (local_loc_[e.local].reg == kNoReg)
      load_mem(local_types_[e.local], e.reg, local_mem(e.local));
  }
  for (uint32_t i = 0; i < len; ++i) target_reg_[states_[begin + i].local] = kNoReg;
}

void BaselineCompiler::adopt(uint32_t begin, uint32_t len) {
  for (int c = 0; c < 2; ++c)
    for (uint32_t m = local_regs_.of(static_cast<RegClass>(c)); m; m &= m - 1) {
      int r = std::countr_zero(m);
      local_loc_[reg_owner_[c][r]] = {};
      reg_owner_[c][r] = -1;
    }
  used_ = {};
  local_regs_ = {};
  // A label state is entered with its registers possibly newer than the slots.
  for (uint32_t i = 0; i < len; ++i) own(states_[begin + i].local, states_[begin + i].reg, true);
}

void BaselineCompiler::reach_label(Control& target) {
  if (target.state_set) return conform(target.state_begin, target.state_len);
  target.state_begin = snapshot();
  target.state_len = static_cast<uint32_t>(states_.size()) - target.state_begin;
  target.state_set = true;
}

}  // namespace keel::jit

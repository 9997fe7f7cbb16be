// Where each operand-stack value of the baseline compiler lives while code is emitted: in a
// register, in its spill slot in the frame, or as a constant not yet materialised (Liftoff's
// VarState). Each register holds at most one value, so freeing a value frees its register.
#pragma once

#include <asmjit/x86.h>

#include <cstdint>

#include "ir/types.h"

namespace keel::jit {

// kLocal: the value of local `imm`, read from that local's register `reg` without a copy; the
// reference becomes a copy or a spill before the local's register changes.
enum class Loc : uint8_t { kStack, kReg, kConst, kLocal };
enum class RegClass : uint8_t { kGp, kXmm };

inline RegClass reg_class(ValType t) {
  return t == ValType::kF32 || t == ValType::kF64 || t == ValType::kV128 ? RegClass::kXmm
                                                                         : RegClass::kGp;
}
// Bytes of a spill slot; slots are aligned to their size so v128 slots can be 16-aligned.
inline int32_t slot_size(ValType t) {
  return t == ValType::kV128 ? 16 : 8;
}

struct VarState {
  ValType type;
  Loc loc;
  uint8_t reg = 0;     // register id when loc == kReg
  int32_t offset = 0;  // the spill slot is [rbp - offset]; fixed by the stack position
  int64_t imm = 0;     // bits of a constant
};

// Register sets as bit masks of register ids, one per class.
struct RegSet {
  uint32_t gp = 0;
  uint32_t xmm = 0;

  uint32_t& of(RegClass c) { return c == RegClass::kGp ? gp : xmm; }
  uint32_t of(RegClass c) const { return c == RegClass::kGp ? gp : xmm; }
  bool has(RegClass c, uint8_t id) const { return (of(c) >> id) & 1; }
  void add(RegClass c, uint8_t id) { of(c) |= 1u << id; }
  void remove(RegClass c, uint8_t id) { of(c) &= ~(1u << id); }
};

// rax, rcx, rdx, xmm14, xmm15 are the emitters' scratch registers; rsp, rbp, r14, r15 are pinned.
inline constexpr uint32_t kAllocatableGp = (1u << 3) | (1u << 6) | (1u << 7) | (0x3fu << 8);
inline constexpr uint32_t kAllocatableXmm = 0x3fff;

}  // namespace keel::jit

// Linear-scan register allocation over Liveness's live ranges: values in sorted order of start,
// each gets one register for its whole life (no splitting), or a frame slot if the registers run
// out. As in Wimmer and Franz's variant, a register is free for a value when every other value
// holding it is dead wherever this one is live (lifetime holes are used), not merely when their
// hulls are disjoint as in Poletto and Sarkar's. When none is free, the cheaper of this value and
// the values in the way of the cheapest register is spilled, by spill weight: uses weighted by
// 10^loop depth, per position of hull length (a quarter of that for constants). A result may
// take the register of an operand that dies there (two-operand x86), except the operands the
// code reads after writing the result (emit_numeric's right operand, select's condition and true
// value). Among free registers, one held by a related value is preferred: a block argument's and
// its parameter's (the edge move disappears), a result's and its first operand's. Calls clobber
// every register (vm_abi.h), so a value in a register that is live across a call also gets a slot:
// the code stores it before the call and reloads it after (the interval is split around the call,
// with the register kept). Constants are rematerialized instead of spilled or saved.
//
// The allocatable registers leave out emit_numeric's scratch (rax, rcx, rdx, xmm14, xmm15), the
// pinned r14, r15, rbp, rsp, and the registers that hold spilled operands and results while an
// instruction runs (r12, r13, xmm11, xmm12, xmm13).
#pragma once

#include <asmjit/x86.h>

#include <cstdint>
#include <vector>

#include "jit/optimizing/ir.h"
#include "jit/optimizing/liveness.h"
#include "jit/optimizing/load_fusion.h"

namespace keel::jit::opt {

enum class RegKind : uint8_t { kGp, kXmm };

inline RegKind reg_kind(ValType t) {
  return t == ValType::kF32 || t == ValType::kF64 || t == ValType::kV128 ? RegKind::kXmm
                                                                         : RegKind::kGp;
}

inline constexpr uint8_t kAllocatableGp[] = {3 /*rbx*/, 6 /*rsi*/, 7 /*rdi*/, 8, 9, 10, 11};
inline constexpr uint8_t kAllocatableXmm[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
inline const asmjit::x86::Gp kOperandTempGp[] = {asmjit::x86::r12, asmjit::x86::r13};
// The third Xmm serves v128.bitselect's mask and emit_simd's extra temporary.
inline const asmjit::x86::Xmm kOperandTempXmm[] = {asmjit::x86::xmm12, asmjit::x86::xmm13,
                                                   asmjit::x86::xmm11};

struct Location {
  // kConstant: a constant that lost its register; every use rematerializes it from `bits`.
  enum Kind : uint8_t { kNone, kReg, kStack, kConstant } kind = kNone;
  uint8_t reg = 0;    // kReg: the register id in its class
  int32_t slot = 0;   // kStack (and call saves): the value is at [rbp + slot]
  uint64_t bits = 0;  // kConstant
  bool operator==(const Location&) const = default;
};

// A kConst result other than v128: it never needs a slot, and costs little to lose a register.
bool is_rematerializable(const Graph& graph, ValueId value);
// An i32 constant, or an i64 one that fits a sign-extended imm32: it gets no register at all,
// since most uses take it as an immediate (an ALU operand, a compare fused into its branch) and
// the rest make it with one mov, which costs less than the register it would hold everywhere.
bool is_immediate_constant(const Graph& graph, ValueId value);

struct Allocation {
  std::vector<Location> locations;  // by ValueId
  std::vector<int32_t> save_slot;   // by ValueId: where a register value goes across calls, or 0
                                    // (constants: rematerialized after the call instead)
  int32_t frame_slots_bytes = 0;    // bytes of slots below [rbp - 8]
  uint32_t spilled_values = 0;      // in frame slots (rematerialized constants not counted)
  uint32_t rematerialized_values = 0;
  uint32_t call_saved_values = 0;
  uint32_t allocated_values = 0;
};

// With `fused_loads`, a consumer's result never takes the register of its fused load's address
// (the code may write the result before it reads memory).
Allocation allocate_registers(const Graph& graph, const Liveness& liveness,
                              const FusedLoads* fused_loads = nullptr);

}  // namespace keel::jit::opt

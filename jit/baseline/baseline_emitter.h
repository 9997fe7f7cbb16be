// The baseline compiler's consumer of the body decoding loop: one object per thread, reset per
// function. Its hooks are split across files by instruction family (control, values, memory and
// tables, calls); this header is the state they share.
//
// Frame layout (rbp-relative; rbp is 16-aligned):
//   [rbp + 16 ...]     the caller's argument/result area: parameters are locals in place
//   [rbp + 8]          return address
//   [rbp]              caller's rbp
//   [rbp - 8]          r14 (the instance context), to restore it after cross-instance calls
//   [rbp - 16 ...]     declared locals, 8 bytes each, zeroed by the prologue
//   below              spill slots, one per operand-stack position, aligned to their size
//   [rsp ...]          outgoing argument area of the largest call
// The frame size is patched into the prologue's `sub rsp, imm32` once the body is done.
//
// Locals live in registers once used (Liftoff's CacheState keeps them there too); their frame
// slots are only current for locals that are not dirty. At a control-flow join the operand-stack
// values sit in their spill slots, but locals keep their registers: each label has a state (which
// local is in which register) that every branch to it conforms to. A loop's state is the one at
// its entry; a block's or if's is the one of the first branch (or fall-through) to reach its end.
#pragma once

#include <asmjit/x86.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "jit/baseline/baseline_compiler.h"
#include "jit/baseline/value_cache.h"
#include "jit/common/constant_pool.h"
#include "jit/common/numeric_lowering.h"
#include "jit/common/simd_lowering.h"
#include "runtime/vm_abi.h"
#include "validate/function_body_decoder.h"

namespace keel::jit {

class BaselineCompiler;
using BaselineDecoder = FunctionBodyDecoder<BaselineCompiler, FullValidationTag>;
// For modules that passed validation at load (CompileOptions::validated).
using TrustingBaselineDecoder = FunctionBodyDecoder<BaselineCompiler, NoValidationTag>;

class BaselineCompiler final : public TrapLabels {
 public:
  BaselineCompiler();

  // Compiles one function; the object is reusable afterwards.
  Result<CompiledFunction> compile(const ValidationContext& ctx, uint32_t func_index,
                                   const CompileOptions& options);

  // --- decoder hooks (see NullInterface) ---------------------------------------------------------
  void start_function(uint32_t func_index, std::span<const ValType> locals);
  void instr(Op op, const InstrImm& imm);
  void block(Op op, const BlockSig& sig);
  void else_(const ControlFrame& frame);
  void end(const ControlFrame& frame);
  void br(uint32_t depth);
  void br_if(uint32_t depth);
  void br_table(std::span<const uint32_t> targets, uint32_t default_depth);
  void return_();
  void unreachable();
  void call(Op op, uint32_t func_index);
  void call_indirect(Op op, uint32_t type_index, uint32_t table);
  void drop(ValType t);
  void select(ValType t);
  void local(Op op, uint32_t index, ValType t);
  void global(Op op, uint32_t index, ValType t);
  void table_op(Op op, uint32_t a, uint32_t b);
  void memory_op(Op op, uint32_t a, uint32_t b);
  void ref_null(ValType t);
  void ref_is_null();
  void ref_func(uint32_t func_index);
  void exception_op(Op op, uint32_t index);

  // TrapLabels: a stub after the body that traps with `code` at the current instruction.
  asmjit::Label get(vm::TrapCode code) override;

 private:
  struct Control {
    FrameKind kind;
    bool dead;           // the whole construct is unreachable code
    bool label_reached;  // a branch targeted the end label (blocks and ifs)
    uint32_t height;     // value-stack height at entry, parameters excluded
    std::span<const ValType> params;
    std::span<const ValType> results;
    asmjit::Label label;                 // branch target: the end, or a loop's header
    asmjit::Label else_label;            // ifs: where a false condition goes
    uint32_t budget_charge = kNoCharge;  // loops: the header's entry in budget_charges_
    bool state_set = false;              // the label's local-register state is fixed (see states_)
    uint32_t state_begin = 0, state_len = 0;
    uint32_t entry_begin = 0, entry_len = 0;  // ifs: the state a false condition starts with
    std::span<const ValType> label_types() const {
      return kind == FrameKind::kLoop ? params : results;
    }
  };
  struct TrapStub {
    asmjit::Label label;
    vm::TrapCode code;  // kNone: the code is in eax (a helper's result)
    uint32_t module_offset;
  };
  // The slow path of a check at function entry or a loop header: calls `helper` (keel_rt_attention
  // or keel_rt_tier_up: both take (ctx, func_index) and return a trap code or 0) and resumes.
  // At a loop header with an OSR point the helper is keel_rt_tier_up_loop instead, which may
  // return an OSR entry to leave the frame for.
  static constexpr uint32_t kNoOsrPoint = UINT32_MAX;
  struct AttentionStub {
    asmjit::Label label;
    asmjit::Label resume;
    uint32_t module_offset;
    RegSet live;  // registers holding locals at the check: the helper may clobber them
    vm::Builtin helper;
    uint32_t osr_point = kNoOsrPoint;         // index in osr_points_
    uint32_t state_begin = 0, state_len = 0;  // OSR: the loop's (local, register) state
  };
  // A tier-up budget charge whose weight (bytes of wasm) is patched into the code once known: a
  // loop's size is known only at its end.
  struct BudgetCharge {
    uint32_t code_offset;    // of the instruction's 32-bit immediate
    uint32_t module_offset;  // of the check (a loop's header)
    uint32_t weight;
  };
  static constexpr uint32_t kNoCharge = UINT32_MAX;
  static constexpr uint8_t kNoReg = 0xff;
  struct LocalLoc {
    uint8_t reg = kNoReg;
    bool dirty = false;  // the register is newer than the frame slot
  };
  struct LocalReg {
    uint32_t local;
    uint8_t reg;
  };

  // --- frame and stack slots ---------------------------------------------------------------------
  int32_t next_slot(ValType t) const;
  static asmjit::x86::Mem slot(int32_t offset) {
    return asmjit::x86::ptr(asmjit::x86::rbp, -offset);
  }
  asmjit::x86::Mem local_mem(uint32_t index) const {
    return asmjit::x86::ptr(asmjit::x86::rbp, local_disp_[index]);
  }

  // --- register cache (value_cache.cc) -----------------------------------------------------------
  uint8_t alloc(RegClass c, RegSet pinned = {});
  void spill_one(RegClass c, RegSet pinned);
  void spill(VarState& v);
  void spill_all();  // stack values and locals: before code that clobbers every register
  void push_reg(ValType t, uint8_t reg);
  void push_const(ValType t, int64_t bits);
  void push_stack(ValType t);
  VarState pop();
  // Pops the top value into a register it owns from now on (no longer in use by the cache).
  uint8_t pop_to_reg(RegSet pinned = {});
  uint8_t to_reg(const VarState& v, RegSet pinned);
  // Pops the top value into a register that is only read, not written, by the caller (a local's
  // register serves as it is); the register is added to `pinned`.
  uint8_t pop_to_read(RegSet& pinned);
  void materialize(const VarState& v, uint8_t reg);
  void load_mem(ValType t, uint8_t reg, const asmjit::x86::Mem& m);
  // Stores a value (any location) into memory at the natural width; may use rax.
  void store_value(const VarState& v, asmjit::x86::Mem m);
  void free_value(const VarState& v);
  void resize_stack(size_t n);
  void numeric(Op op);
  // An integer comparison followed by br_if or if leaves its result in the flags (fused_cc_).
  bool fuse_compare(Op op);
  // Pops a branch condition; the returned condition code holds when it is true.
  asmjit::x86::CondCode pop_condition();

  // --- locals in registers (local_registers.cc) --------------------------------------------------
  void local_get(uint32_t index, ValType t);
  void local_set(uint32_t index, ValType t, bool tee);
  // Puts a value into local `index`'s register, allocating one if it has none.
  void write_local(uint32_t index, const VarState& v, RegSet pinned);
  void own(uint32_t index, uint8_t reg, bool dirty);
  void evict_local(RegClass c, uint8_t reg, bool spill_refs = true);
  // Turns operand-stack references to local `index` into copies, before its register changes.
  void copy_refs(uint32_t index);
  bool evict_lru_local(RegClass c, RegSet pinned);
  void flush_locals();  // every local back to its slot, no register held
  void spill_stack();   // operand-stack values to their slots; locals keep their registers
  // Label states: the (local, register) pairs of a state, appended to states_ in register order.
  uint32_t snapshot();
  bool same_state(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen) const;
  bool matches_state(uint32_t begin, uint32_t len) const;  // the current state is that one
  // Emits moves from the current state to a label state without changing the current state.
  void conform(uint32_t begin, uint32_t len);
  // Makes a label state the current one; every operand-stack value must be in its slot.
  void adopt(uint32_t begin, uint32_t len);
  void reach_label(Control& target);  // define the label state or conform to it

  // --- control (baseline_compiler.cc) ------------------------------------------------------------
  void emit_prologue(std::span<const ValType> locals);
  void emit_return();
  void move_to_label(const Control& target);  // values to their canonical slots
  void branch_to(Control& target);            // unconditional; state is then dead
  void emit_attention_check();
  // Charges the tier-up budget (CompileOptions::tier_up_counters) by `weight`; returns the
  // charge's index in budget_charges_ (so a loop can set its weight at its end), or kNoCharge.
  // At a loop's header (`loop`) the check may also be an OSR point.
  uint32_t emit_tier_up_check(uint32_t weight, const Control* loop = nullptr);
  void finish();
  void go_dead();
  Control& label_frame(uint32_t depth) { return control_[control_.size() - 1 - depth]; }
  void record(uint32_t code_offset);  // source map entry at the current instruction
  void record_here() { record(static_cast<uint32_t>(a_.offset())); }
  // Brackets the instructions of one linear-memory access (a scope): the source map names the
  // instruction, and a guard-region fault becomes a trap only inside the range (TrapSite).
  class GuardedAccess {
   public:
    explicit GuardedAccess(BaselineCompiler& c)
        : c_(c), begin_(static_cast<uint32_t>(c.a_.offset())) {
      c.record_here();
    }
    ~GuardedAccess() {
      auto end = static_cast<uint32_t>(c_.a_.offset());
      c_.trap_sites_.push_back({begin_, end - begin_, vm::TrapCode::kMemoryOutOfBounds});
    }
    GuardedAccess(const GuardedAccess&) = delete;
    GuardedAccess& operator=(const GuardedAccess&) = delete;

   private:
    BaselineCompiler& c_;
    uint32_t begin_;
  };
  uint32_t module_offset() const;
  // The instruction after the one being compiled (whichever decoder runs), or kInvalid.
  Op next_opcode() const;
  void call_helper(vm::Builtin fn);
  void check_helper_trap();
  void unsupported(const char* what);

  // --- memory, tables (memory_access.cc) ---------------------------------------------------------
  void load(Op op, const MemArgImm& memarg);
  void store(Op op, const MemArgImm& memarg);
  asmjit::x86::Mem address(const MemArgImm& memarg, uint32_t size, RegSet& pinned);
  // Loads the operands of a helper (top `count` values, deepest first) into the SysV argument
  // registers after `fixed` leading ones, spilling everything else first.
  void helper_args(std::span<const uint32_t> fixed, size_t count);
  void load_table(uint32_t table);  // rax = VMTable*

  // --- SIMD (simd_compiler.cc): v128.const, memory, and operands for emit_simd ----------------
  void simd(Op op, const InstrImm& imm);
  void simd_load(Op op, const MemArgImm& memarg, uint8_t lane);
  void simd_store(Op op, const MemArgImm& memarg, uint8_t lane);

  // --- calls (calls.cc) --------------------------------------------------------------------------
  void emit_call(const FuncType& type, bool switch_context, bool indirect, uint32_t index,
                 uint32_t table);

  asmjit::CodeHolder code_;
  asmjit::x86::Assembler a_;
  const ValidationContext* vctx_ = nullptr;
  const Module* module_ = nullptr;
  // The decoder of the function being compiled, one of the two below.
  BaselineDecoder* decoder_ = nullptr;
  TrustingBaselineDecoder* trusting_decoder_ = nullptr;
  // The decoders are built per module, not per function: their constructor fills opcode tables.
  std::unique_ptr<BaselineDecoder> decoder_storage_;
  std::unique_ptr<TrustingBaselineDecoder> trusting_decoder_storage_;
  const ValidationContext* decoder_ctx_ = nullptr;
  const Module* decoder_module_ = nullptr;
  Features decoder_features_;
  CompileOptions options_;
  uint32_t func_index_ = 0;
  const FuncType* type_ = nullptr;

  std::vector<VarState> stack_;
  std::vector<Control> control_;
  std::vector<int32_t> local_disp_;
  std::vector<ValType> local_types_;
  RegSet used_;
  std::optional<asmjit::x86::CondCode> fused_cc_;
  std::vector<LocalLoc> local_loc_;
  std::vector<uint32_t> local_stamp_;  // last use, to evict the least recently used local
  uint32_t stamp_ = 0;
  RegSet local_regs_;         // registers held by locals (a subset of used_)
  int32_t reg_owner_[2][16];  // local holding each register, or -1 ([RegClass][id])
  std::vector<LocalReg> states_;
  std::vector<uint8_t> target_reg_;  // scratch for conform(), kNoReg between uses
  bool reachable_ = true;
  std::optional<std::string> error_;
  int32_t locals_end_ = 8;
  int32_t max_slot_ = 8;
  uint32_t max_out_area_ = 0;
  size_t frame_patch_ = 0;  // offset of the prologue's frame-size imm32

  std::vector<TrapStub> traps_;
  ConstantPool constants_;  // 16-byte constants, emitted after the code
  std::vector<AttentionStub> attention_;
  std::vector<BudgetCharge> budget_charges_;
  std::vector<OsrPoint> osr_points_;
  struct JumpTable {
    asmjit::Label table;
    std::vector<asmjit::Label> targets;
  };
  std::vector<JumpTable> jump_tables_;
  std::vector<SourceMapEntry> source_map_;
  std::vector<TrapSite> trap_sites_;
};

}  // namespace keel::jit

namespace keel {
// Both are instantiated once, in baseline_decoders.cc.
extern template class FunctionBodyDecoder<jit::BaselineCompiler, FullValidationTag>;
extern template class FunctionBodyDecoder<jit::BaselineCompiler, NoValidationTag>;
}  // namespace keel

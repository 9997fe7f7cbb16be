// The state of one tier-2 code generation, shared by codegen.cc (frame, control flow, edge
// moves, stubs) and codegen_ops.cc (the instructions that compute, access memory and call).
//
// Frame layout (rbp-relative, rbp 16-aligned), as tier 1's so backtraces and traps see no
// difference:
//   [rbp + 16 ...]  the caller's argument/result area
//   [rbp + 8]       return address; [rbp] caller's rbp
//   [rbp - 8]       r14, restored after calls that switch context
//   [rbp - 16 ...]  spill and call-save slots (register_allocator.h)
//   [rsp ...]       the outgoing argument area of the largest call
#pragma once

#include <asmjit/x86.h>

#include <optional>
#include <string>
#include <vector>

#include "jit/common/constant_pool.h"
#include "jit/common/numeric_lowering.h"
#include "jit/optimizing/address_arithmetic.h"
#include "jit/optimizing/codegen.h"
#include "jit/optimizing/liveness.h"
#include "jit/optimizing/parallel_move.h"
#include "jit/optimizing/register_allocator.h"
#include "jit/optimizing/register_convention.h"

namespace keel::jit::opt {

namespace x86 = asmjit::x86;

class Codegen final : public TrapLabels {
 public:
  Codegen(const Graph& graph, const Module& module, uint32_t func_index,
          const runtime::CompileOptions& options);
  Result<runtime::CompiledFunction> run(CodegenStats* stats);

  // TrapLabels: a stub after the body trapping with `code` at the current instruction
  // (kNone: the code is in eax, a helper's result).
  asmjit::Label get(vm::TrapCode code) override;

 private:
  struct TrapStub {
    asmjit::Label label;
    vm::TrapCode code;
    uint32_t module_offset;
  };
  struct AttentionStub {
    asmjit::Label label;
    asmjit::Label resume;
    uint32_t module_offset;
  };
  // The way a direct call goes when the callee has no register entry (yet): through its code
  // slot with the area convention, then back with the result in the convention's register.
  struct AreaCallStub {
    asmjit::Label label;
    asmjit::Label resume;
    InstId call;
    uint32_t module_offset;
    std::optional<Location> result;  // the convention's result register
  };
  struct JumpTable {
    asmjit::Label table;
    std::vector<asmjit::Label> targets;
  };

  // --- codegen.cc ---
  void emit_prologue();
  void emit_block(size_t order_index);
  void emit_attention_check();
  void emit_terminator(const Inst& inst, size_t order_index);
  void emit_branch(const Inst& inst, size_t order_index);
  void emit_switch(const Inst& inst, size_t order_index);
  void emit_return(const Inst& inst);
  // Moves the edge's arguments into the target's parameters, then jumps unless the target is
  // the next block.
  void emit_edge(const BlockCall& call, size_t order_index);
  bool edge_has_moves(const BlockCall& call) const;
  void emit_moves(std::vector<Move> moves);
  void emit_move(const Move& move);
  void emit_stubs();
  void unsupported(const std::string& what);
  void record_here();

  // --- codegen_ops.cc ---
  void emit_inst(InstId id, const Inst& inst);
  void emit_const(const Inst& inst, ValueId result);
  void emit_wasm(const Inst& inst, ValueId result);
  void emit_simd_op(const Inst& inst, ValueId result);
  void emit_select(const Inst& inst, ValueId result);
  void emit_mul_high(const Inst& inst, ValueId result);
  void emit_load(const Inst& inst, ValueId result);
  void emit_store(const Inst& inst);
  // The v128 loads and stores, through emit_simd_load/emit_simd_store.
  void emit_simd_access(const Inst& inst, ValueId result);
  bool check_memory(const Inst& inst);
  // The operand temporary `temp` holds a spilled address.
  x86::Mem address(const Inst& inst, uint32_t size, int temp = 0);
  // emit_wasm for a consumer of a fused load.
  void emit_wasm_with_fused_load(const Inst& inst, ValueId result);
  // Runs `emit`, the code that makes fused load `load`'s access, as the load's: a trap site, and
  // the load's module offset in the source map (the consumer's again after it).
  template <typename Emit>
  void emit_fused_access(const Inst& load, Emit emit);
  void emit_lea(const LeaForm& form, ValType type, ValueId result);
  void emit_call(InstId id, const Inst& inst);
  // A direct call to a defined function whose signature has a register convention: through its
  // register slot when tier 2 has published one, else through an AreaCallStub.
  void emit_register_call(InstId id, const Inst& inst, const RegisterConvention& convention);
  void emit_area_call_stub(const AreaCallStub& stub);
  void emit_area_call_sequence(const Inst& inst);
  void emit_runtime_call(InstId id, const Inst& inst);
  // A value live across some call goes into its save slot once, where it is defined: an SSA
  // value never changes and the slot is its own for its whole interval, so after each call
  // restore_live_across only reloads.
  void save_at_definition(ValueId v);
  void restore_live_across(InstId id);
  void emit_table_access(InstId id, const Inst& inst);

  // --- value access ---
  const Location& location(ValueId v) const {
    return allocation_.locations[graph_.resolve(v).index];
  }
  ValType type_of(ValueId v) const { return graph_.type_of(graph_.resolve(v)); }
  // The value in a register: its own, or loaded from its slot into operand temporary `temp`.
  x86::Gp gp(ValueId v, int temp);
  x86::Xmm xmm(ValueId v, int temp);
  x86::Reg reg(ValueId v, int temp);
  // The register a result is computed into (its own, or operand temporary 0), and the store to
  // its slot afterwards when it lives in memory.
  x86::Reg def_reg(ValueId v);
  void def_done(ValueId v, const x86::Reg& r);
  static x86::Reg reg_for(RegKind kind, uint8_t id);
  // Puts constant bits of `type` into a register (may use rax for an Xmm).
  void materialize(ValType type, uint64_t bits, const x86::Reg& dst);
  // Sets the flags for a condition: ZF clear when it is true.
  void test_condition(ValueId cond);
  // Sets the flags for the condition of a branch or trap_if and returns the condition code that
  // holds when it is true: a fused compare's own, else "not zero".
  x86::CondCode branch_condition(ValueId cond);
  // Moves at the natural width of `type` (i32 loads zero-extend; GP stores are 8 bytes).
  void load_value(ValType type, const x86::Reg& dst, const x86::Mem& m);
  void store_value(ValType type, const x86::Mem& m, const x86::Reg& src);
  // Writes an outgoing argument or result from wherever the value lives (may use rax, xmm15).
  void store_to_area(ValueId v, const x86::Mem& m);
  void load_from_area(ValueId v, const x86::Mem& m);

  const Graph& graph_;
  const Module& module_;
  uint32_t func_index_;
  runtime::CompileOptions options_;
  Liveness liveness_;
  Allocation allocation_;
  std::vector<bool> fused_;      // by InstId: compares emitted with their branch (compare_fusion.h)
  FusedLoads fused_loads_;       // loads emitted as their consumer's memory operand (load_fusion.h)
  AddressArithmetic lea_forms_;  // adds emitted as one lea with what they take

  asmjit::CodeHolder code_;
  x86::Assembler a_;
  std::vector<asmjit::Label> block_labels_;  // by order index
  std::vector<TrapStub> traps_;
  std::vector<AttentionStub> attention_;
  std::vector<JumpTable> jump_tables_;
  std::vector<AreaCallStub> area_calls_;
  // This function's own register convention, when it gets a register entry (not an OSR entry).
  std::optional<RegisterConvention> convention_;
  ConstantPool constants_;  // 16-byte constants after the code, loaded RIP-relative
  std::vector<runtime::SourceMapEntry> source_map_;
  std::vector<runtime::TrapSite> trap_sites_;
  uint32_t module_offset_ = 0;  // of the instruction being compiled
  uint32_t out_area_ = 0;
  uint32_t register_entry_ = runtime::CompiledFunction::kNoRegisterEntry;
  uint32_t edge_moves_ = 0;
  std::optional<std::string> error_;
};

}  // namespace keel::jit::opt

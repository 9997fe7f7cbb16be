// The driver of tier-2 code generation: liveness, allocation, then one pass over the blocks in
// linear order. This file holds the frame, the control flow between blocks (edge moves included)
// and the out-of-line stubs; codegen_ops.cc holds the other instructions.
#include <algorithm>
#include <cstring>

#include "jit/common/asm_errors.h"
#include "jit/optimizing/codegen_internal.h"
#include "jit/optimizing/compare_fusion.h"
#include "jit/optimizing/printer.h"

namespace keel::jit::opt {

using asmjit::Label;
using vm::TrapCode;

namespace {

// The temporaries of edge moves: free at every terminator (no value lives in them).
constexpr Location kMoveTemp[2] = {{Location::kReg, 0 /*rax*/, 0}, {Location::kReg, 15, 0}};

}  // namespace

Result<runtime::CompiledFunction> compile_graph(const Graph& graph, const Module& module,
                                                uint32_t func_index,
                                                const runtime::CompileOptions& options,
                                                CodegenStats* stats) {
  Codegen codegen(graph, module, func_index, options);
  return codegen.run(stats);
}

Codegen::Codegen(const Graph& graph, const Module& module, uint32_t func_index,
                 const runtime::CompileOptions& options)
    : graph_(graph), module_(module), func_index_(func_index), options_(options) {}

Result<runtime::CompiledFunction> Codegen::run(CodegenStats* stats) {
  liveness_ = compute_liveness(graph_);
  fused_ = find_fusible_compares(graph_);
  fused_loads_ = find_fusible_loads(graph_);
  lea_forms_ = find_lea_forms(graph_, fused_loads_);
  allocation_ = allocate_registers(graph_, liveness_, &fused_loads_);
  if (stats) {
    stats->lea_forms = static_cast<uint32_t>(std::count_if(
        lea_forms_.form.begin(), lea_forms_.form.end(), [](int32_t f) { return f >= 0; }));
    stats->fused_loads = static_cast<uint32_t>(
        std::count(fused_loads_.fused.begin(), fused_loads_.fused.end(), true));
    stats->allocated_values = allocation_.allocated_values;
    stats->spilled_values = allocation_.spilled_values;
    stats->call_saved_values = allocation_.call_saved_values;
    stats->non_contiguous_loops = liveness_.non_contiguous_loops;
    stats->rematerialized_values = allocation_.rematerialized_values;
    stats->fused_compares = static_cast<uint32_t>(std::count(fused_.begin(), fused_.end(), true));
  }
  // The outgoing area is sized before emission, so the prologue needs no patch.
  for (BlockId b : liveness_.order)
    for (InstId id : graph_.block(b).insts) {
      const Inst& inst = graph_.inst(id);
      if (!inst.dead && (inst.kind == InstKind::kCall || inst.kind == InstKind::kCallIndirect))
        out_area_ =
            std::max(out_area_, vm::call_area_bytes(graph_.call_signature(inst.call_signature)));
    }

  RecordingErrorHandler errors;
  code_.init(asmjit::Environment::host());
  code_.setErrorHandler(&errors);
  asmjit::StringLogger logger;
  if (stats && stats->want_assembly) {
    logger.addFlags(asmjit::FormatFlags::kMachineCode);
    code_.setLogger(&logger);
  }
  code_.attach(&a_);
  for (size_t i = 0; i < liveness_.order.size(); ++i) block_labels_.push_back(a_.newLabel());
  if (!graph_.osr_entry) convention_ = register_convention(graph_.signature());
  emit_prologue();
  for (size_t i = 0; i < liveness_.order.size() && !error_; ++i) emit_block(i);
  if (error_) return make_error(ErrorKind::kUsage, *error_, kNoOffset, func_index_);
  emit_stubs();
  if (stats) stats->edge_moves = edge_moves_;
  if (stats && stats->want_assembly) stats->assembly = logger.data();
  if (errors.error != asmjit::kErrorOk)
    return make_error(ErrorKind::kUsage, "code generation failed: " + errors.text, kNoOffset,
                      func_index_);
  runtime::CompiledFunction out;
  asmjit::CodeBuffer& buffer = code_.textSection()->buffer();
  out.code.assign(buffer.data(), buffer.data() + buffer.size());
  out.source_map = std::move(source_map_);
  out.trap_sites = std::move(trap_sites_);
  out.register_entry = register_entry_;
  out.tier = runtime::Tier::kOptimizing;
  return out;
}

void Codegen::unsupported(const std::string& what) {
  if (!error_) error_ = "tier 2 does not compile " + what + " yet";
}

void Codegen::record_here() {
  auto at = static_cast<uint32_t>(a_.offset());
  if (!source_map_.empty() && source_map_.back().code_offset == at) {
    source_map_.back().module_offset = module_offset_;
    return;
  }
  source_map_.push_back({at, module_offset_});
}

Label Codegen::get(TrapCode code) {
  // One stub per instruction and code: an instruction may test the same condition twice.
  if (!traps_.empty() && traps_.back().code == code &&
      traps_.back().module_offset == module_offset_)
    return traps_.back().label;
  traps_.push_back({a_.newLabel(), code, module_offset_});
  return traps_.back().label;
}

// --- frame ---------------------------------------------------------------------------------------

void Codegen::emit_prologue() {
  module_offset_ = 0;
  record_here();
  const std::vector<ValType>& params = graph_.signature().params;
  const std::vector<ValueId>& values = graph_.block(graph_.entry()).params;
  if (convention_) {
    // The area entry: the parameters into the convention's registers (the frame is not made
    // yet: the area is at rsp + 8), then on into the register entry.
    for (size_t i = 0; i < values.size(); ++i) {
      if (location(values[i]).kind == Location::kNone) continue;
      ValType t = params[i];
      int32_t offset = 8 + static_cast<int32_t>(vm::value_offset(params, i));
      load_value(t, reg_for(reg_kind(t), convention_->params[i].reg), x86::ptr(x86::rsp, offset));
    }
    register_entry_ = static_cast<uint32_t>(a_.offset());
    record_here();
  }
  a_.push(x86::rbp);
  a_.mov(x86::rbp, x86::rsp);
  a_.push(x86::r14);
  int32_t below_rbp = 8 + allocation_.frame_slots_bytes + static_cast<int32_t>(out_area_);
  int32_t frame = ((below_rbp + 15) & ~15) - 8;
  if (frame > 0) a_.sub(x86::rsp, frame);
  a_.cmp(x86::rsp, x86::qword_ptr(x86::r14, vm::kContextStackLimit));
  a_.jb(get(TrapCode::kStackExhausted));
  // Nothing is in a register yet but the parameters of the register convention, which the
  // stub the check may call preserves.
  emit_attention_check();
  if (convention_) {
    std::vector<Move> moves;
    for (size_t i = 0; i < values.size(); ++i) {
      const Location& to = location(values[i]);
      if (to.kind == Location::kNone) continue;
      ValType t = params[i];
      moves.push_back({convention_->params[i], to, reg_kind(t), t});
    }
    emit_moves(std::move(moves));
    return;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (location(values[i]).kind == Location::kNone) continue;
    int32_t offset = 16 + static_cast<int32_t>(vm::value_offset(params, i));
    load_from_area(values[i], x86::ptr(x86::rbp, offset));
  }
}

void Codegen::emit_attention_check() {
  if (!options_.interrupt_checks) return;
  AttentionStub stub{a_.newLabel(), a_.newLabel(), module_offset_};
  a_.cmp(x86::dword_ptr(x86::r14, vm::kContextAttention), 0);
  a_.jne(stub.label);
  a_.bind(stub.resume);
  attention_.push_back(stub);
}

void Codegen::emit_return(const Inst& inst) {
  const std::vector<ValType>& results = graph_.signature().results;
  // The area is above rbp and holds nothing live (parameters were loaded at entry).
  for (size_t j = 0; j < inst.operands.size(); ++j) {
    int32_t offset = 16 + static_cast<int32_t>(vm::value_offset(results, j));
    store_to_area(inst.operands[j], x86::ptr(x86::rbp, offset));
  }
  // A caller through the register entry reads the result from its register, any other from the
  // area: both are written, as the function does not know which kind called it.
  if (convention_ && convention_->result) {
    ValType t = graph_.signature().results[0];
    emit_move({location(inst.operands[0]), *convention_->result, reg_kind(t), t});
  }
  a_.leave();
  a_.ret();
}

// --- blocks and edges ----------------------------------------------------------------------------

void Codegen::emit_block(size_t k) {
  if (liveness_.loop_header[k]) a_.align(asmjit::AlignMode::kCode, 16);
  a_.bind(block_labels_[k]);
  if (code_.logger()) a_.comment(block_name(liveness_.order[k]).c_str());
  if (liveness_.loop_header[k]) {
    const Block& block = graph_.block(liveness_.order[k]);
    module_offset_ = block.insts.empty() ? 0 : graph_.inst(block.insts.front()).module_offset;
    emit_attention_check();
  }
  for (ValueId p : graph_.block(liveness_.order[k]).params) save_at_definition(p);
  for (InstId id : graph_.block(liveness_.order[k]).insts) {
    const Inst& inst = graph_.inst(id);
    if (inst.dead) continue;
    module_offset_ = inst.module_offset;
    // Emitted by the branch or trap_if, the arithmetic or the lea after it.
    if (fused_[id.index] || fused_loads_.fused[id.index] || lea_forms_.taken[id.index]) continue;
    if (is_terminator(inst.kind)) {
      emit_terminator(inst, k);
    } else {
      emit_inst(id, inst);
      for (uint32_t r = 0; r < inst.num_results; ++r) save_at_definition(graph_.result(id, r));
    }
    if (error_) return;
  }
}

bool Codegen::edge_has_moves(const BlockCall& call) const {
  const std::vector<ValueId>& params = graph_.block(call.block).params;
  for (size_t i = 0; i < params.size(); ++i) {
    const Location& to = allocation_.locations[params[i].index];
    if (to.kind != Location::kNone && !(location(call.args[i]) == to)) return true;
  }
  return false;
}

void Codegen::emit_edge(const BlockCall& call, size_t k) {
  const std::vector<ValueId>& params = graph_.block(call.block).params;
  std::vector<Move> moves;
  for (size_t i = 0; i < params.size(); ++i) {
    const Location& to = allocation_.locations[params[i].index];
    if (to.kind == Location::kNone) continue;  // a parameter nothing uses
    ValType t = graph_.type_of(params[i]);
    moves.push_back({location(call.args[i]), to, reg_kind(t), t});
  }
  std::erase_if(moves, [](const Move& m) { return m.src == m.dst; });
  edge_moves_ += static_cast<uint32_t>(moves.size());
  emit_moves(std::move(moves));
  uint32_t target = liveness_.order_index[call.block.index];
  if (target != k + 1) a_.jmp(block_labels_[target]);
}

void Codegen::emit_moves(std::vector<Move> moves) {
  // Constants depend on nothing and go last: their destinations have been read by then, and
  // making them may use rax, the cycle temporary.
  std::vector<Move> constants;
  std::erase_if(moves, [&](const Move& m) {
    if (m.src.kind != Location::kConstant) return false;
    constants.push_back(m);
    return true;
  });
  for (const Move& m : sequentialize(std::move(moves), kMoveTemp)) emit_move(m);
  for (const Move& m : constants) emit_move(m);
}

void Codegen::emit_move(const Move& m) {
  auto mem = [](const Location& l) { return x86::ptr(x86::rbp, l.slot); };
  bool src_reg = m.src.kind == Location::kReg, dst_reg = m.dst.kind == Location::kReg;
  if (m.src.kind == Location::kConstant) {
    if (dst_reg) return materialize(m.type, m.src.bits, reg_for(m.kind, m.dst.reg));
    a_.mov(x86::rax, m.src.bits);
    a_.mov(mem(m.dst), x86::rax);
    return;
  }
  if (src_reg && dst_reg) {
    if (m.kind == RegKind::kGp)
      a_.mov(x86::gpq(m.dst.reg), x86::gpq(m.src.reg));
    else
      a_.movaps(x86::xmm(m.dst.reg), x86::xmm(m.src.reg));
  } else if (src_reg) {
    store_value(m.type, mem(m.dst), reg_for(m.kind, m.src.reg));
  } else if (dst_reg) {
    load_value(m.type == ValType::kI32 ? ValType::kI64 : m.type, reg_for(m.kind, m.dst.reg),
               mem(m.src));
  } else {
    // Slot to slot, through the scratch register the cycle temporary is not.
    x86::Reg transit = m.kind == RegKind::kGp ? x86::Reg(x86::rcx) : x86::Reg(x86::xmm14);
    ValType t = m.type == ValType::kI32 ? ValType::kI64 : m.type;
    load_value(t, transit, mem(m.src));
    store_value(t, mem(m.dst), transit);
  }
}

void Codegen::emit_terminator(const Inst& inst, size_t k) {
  switch (inst.kind) {
    case InstKind::kJump:
      return emit_edge(inst.targets[0], k);
    case InstKind::kBranch:
      return emit_branch(inst, k);
    case InstKind::kSwitch:
      return emit_switch(inst, k);
    case InstKind::kReturn:
      return emit_return(inst);
    case InstKind::kTrap:
      a_.jmp(get(inst.trap_code));
      return;
    default:
      return unsupported("this terminator");
  }
}

void Codegen::emit_branch(const Inst& inst, size_t k) {
  x86::CondCode when = branch_condition(inst.operands[0]);
  const BlockCall& yes = inst.targets[0];
  const BlockCall& no = inst.targets[1];
  auto label = [&](const BlockCall& c) {
    return block_labels_[liveness_.order_index[c.block.index]];
  };
  bool yes_moves = edge_has_moves(yes), no_moves = edge_has_moves(no);
  if (!yes_moves && !no_moves && liveness_.order_index[yes.block.index] != k + 1) {
    // Branch to yes and fall through to no when no comes next (a loop's back edge and exit).
    a_.j(when, label(yes));
    return emit_edge(no, k);
  }
  if (!no_moves) {
    a_.j(x86::negateCond(when), label(no));
    return emit_edge(yes, k);
  }
  if (!yes_moves) {
    a_.j(when, label(yes));
    return emit_edge(no, k);
  }
  Label pad = a_.newLabel();
  a_.j(x86::negateCond(when), pad);
  emit_edge(yes, k);
  if (liveness_.order_index[yes.block.index] == k + 1) a_.jmp(label(yes));
  a_.bind(pad);
  emit_edge(no, k);
}

void Codegen::emit_switch(const Inst& inst, size_t k) {
  x86::Gpd index = gp(inst.operands[0], 0).r32();
  size_t cases = inst.targets.size() - 1;
  // Each edge with moves gets a pad; the others jump straight to their block.
  std::vector<Label> entry(inst.targets.size());
  std::vector<bool> padded(inst.targets.size(), false);
  for (size_t i = 0; i < inst.targets.size(); ++i) {
    const BlockCall& c = inst.targets[i];
    padded[i] = edge_has_moves(c);
    entry[i] = padded[i] ? a_.newLabel() : block_labels_[liveness_.order_index[c.block.index]];
  }
  if (cases <= 4) {
    for (size_t i = 0; i < cases; ++i) {
      a_.cmp(index, static_cast<uint32_t>(i));
      a_.je(entry[i]);
    }
    a_.jmp(entry[cases]);
  } else {
    JumpTable table{a_.newLabel(), {}};
    for (size_t i = 0; i < cases; ++i) table.targets.push_back(entry[i]);
    a_.cmp(index, static_cast<uint32_t>(cases));
    a_.jae(entry[cases]);
    a_.lea(x86::rax, x86::ptr(table.table));
    a_.movsxd(x86::rcx, x86::dword_ptr(x86::rax, index.r64(), 2));
    a_.add(x86::rax, x86::rcx);
    a_.jmp(x86::rax);
    jump_tables_.push_back(std::move(table));
  }
  for (size_t i = 0; i < inst.targets.size(); ++i) {
    if (!padded[i]) continue;
    a_.bind(entry[i]);
    emit_edge(inst.targets[i], k);
    // A pad that falls through would run into the next pad, not the next block.
    if (liveness_.order_index[inst.targets[i].block.index] == k + 1) a_.jmp(block_labels_[k + 1]);
  }
}

// --- stubs ---------------------------------------------------------------------------------------

void Codegen::emit_stubs() {
  // keel_rt_trap(ctx, code in esi, pc = the stub, fp = this frame); it does not return.
  auto call_trap = [&](Label at) {
    a_.mov(x86::rdi, x86::r14);
    a_.lea(x86::rdx, x86::ptr(at));
    a_.mov(x86::rcx, x86::rbp);
    a_.call(x86::qword_ptr(x86::r14, vm::builtin_offset(vm::Builtin::kTrap)));
  };
  for (const TrapStub& stub : traps_) {
    a_.bind(stub.label);
    source_map_.push_back({static_cast<uint32_t>(a_.offset()), stub.module_offset});
    if (stub.code == TrapCode::kNone)
      a_.mov(x86::esi, x86::eax);
    else
      a_.mov(x86::esi, static_cast<uint32_t>(stub.code));
    call_trap(stub.label);
  }
  // keel_rt_attention is a SysV function: it may clobber the caller-saved allocatable
  // registers, which hold live values at a loop header. rsp stays 16-aligned.
  static constexpr uint8_t kClobberedGp[] = {6, 7, 8, 9, 10, 11};
  constexpr int32_t kSaveBytes = 8 * std::size(kClobberedGp) + 16 * std::size(kAllocatableXmm);
  constexpr int32_t kSaveArea = (kSaveBytes + 15) & ~15;
  for (const AttentionStub& stub : attention_) {
    a_.bind(stub.label);
    source_map_.push_back({static_cast<uint32_t>(a_.offset()), stub.module_offset});
    a_.sub(x86::rsp, kSaveArea);
    int32_t at = 0;
    for (uint8_t r : kClobberedGp) a_.mov(x86::qword_ptr(x86::rsp, at), x86::gpq(r)), at += 8;
    for (uint8_t r : kAllocatableXmm)
      a_.movdqu(x86::xmmword_ptr(x86::rsp, at), x86::xmm(r)), at += 16;
    a_.mov(x86::rdi, x86::r14);
    a_.mov(x86::esi, func_index_);
    a_.call(x86::qword_ptr(x86::r14, vm::builtin_offset(vm::Builtin::kAttention)));
    Label trap = a_.newLabel();
    a_.test(x86::eax, x86::eax);
    a_.jnz(trap);
    at = 0;
    for (uint8_t r : kClobberedGp) a_.mov(x86::gpq(r), x86::qword_ptr(x86::rsp, at)), at += 8;
    for (uint8_t r : kAllocatableXmm)
      a_.movdqu(x86::xmm(r), x86::xmmword_ptr(x86::rsp, at)), at += 16;
    a_.add(x86::rsp, kSaveArea);
    a_.jmp(stub.resume);
    a_.bind(trap);
    source_map_.push_back({static_cast<uint32_t>(a_.offset()), stub.module_offset});
    a_.mov(x86::esi, x86::eax);
    call_trap(trap);
  }
  for (const AreaCallStub& stub : area_calls_) emit_area_call_stub(stub);
  for (const JumpTable& table : jump_tables_) {
    a_.align(asmjit::AlignMode::kData, 4);
    a_.bind(table.table);
    for (const Label& target : table.targets) a_.embedLabelDelta(target, table.table, 4);
  }
  constants_.emit(a_);
}

}  // namespace keel::jit::opt

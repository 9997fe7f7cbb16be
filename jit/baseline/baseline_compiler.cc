#include "jit/baseline/baseline_compiler.h"
#include "jit/common/asm_errors.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "jit/baseline/baseline_emitter.h"

namespace keel::jit {

namespace x86 = asmjit::x86;
using asmjit::Label;
using vm::TrapCode;

namespace {
thread_local RecordingErrorHandler t_asm_errors;

// A placeholder that forces a 32-bit immediate encoding, patched with the real frame size.
constexpr int32_t kFramePlaceholder = 0x10000;
// The same for tier-up budget charges, patched with their weight.
constexpr int32_t kWeightPlaceholder = 0x10000;
}  // namespace

BaselineCompiler::BaselineCompiler() = default;

Result<CompiledFunction> compile_baseline(const ValidationContext& ctx, uint32_t func_index,
                                          const CompileOptions& options) {
  // Reused per thread: the assembler's buffers and the compiler's vectors keep their capacity.
  thread_local BaselineCompiler compiler;
  return compiler.compile(ctx, func_index, options);
}

Result<CompiledFunction> BaselineCompiler::compile(const ValidationContext& ctx,
                                                   uint32_t func_index,
                                                   const CompileOptions& options) {
  vctx_ = &ctx;
  module_ = &ctx.module;
  options_ = options;
  func_index_ = func_index;
  if (func_index >= module_->functions.size() || module_->functions[func_index].imported)
    return make_error(ErrorKind::kUsage, "not a defined function", kNoOffset, func_index);
  type_ = &module_->function_type(func_index);
  stack_.clear();
  control_.clear();
  traps_.clear();
  attention_.clear();
  budget_charges_.clear();
  osr_points_.clear();
  jump_tables_.clear();
  constants_.clear();
  source_map_.clear();
  trap_sites_.clear();
  used_ = {};
  fused_cc_.reset();
  reachable_ = true;
  error_.reset();
  max_out_area_ = 0;

  code_.reset();
  code_.init(asmjit::Environment::host());
  t_asm_errors.error = asmjit::kErrorOk;
  code_.setErrorHandler(&t_asm_errors);
  code_.attach(&a_);

  // A context may be freed and another built at its address: the module and features must
  // match too before a decoder (which caches both) is reused.
  if (decoder_ctx_ != &ctx || decoder_module_ != &ctx.module ||
      !(decoder_features_ == ctx.features)) {
    decoder_storage_.reset();
    trusting_decoder_storage_.reset();
    decoder_ctx_ = &ctx;
    decoder_module_ = &ctx.module;
    decoder_features_ = ctx.features;
  }
  auto run = [&](auto& storage, auto*& current) -> Status {
    using Decoder = std::remove_reference_t<decltype(*storage)>;
    if (!storage) storage = std::make_unique<Decoder>(ctx, *this);
    current = storage.get();
    bool ok = storage->decode_function(func_index);
    current = nullptr;
    if (!ok) return storage->take_error();
    return {};
  };
  Status decoded = options.validated ? run(trusting_decoder_storage_, trusting_decoder_)
                                     : run(decoder_storage_, decoder_);
  if (!decoded.ok()) return std::move(decoded).error();
  if (error_) return make_error(ErrorKind::kUsage, *error_, kNoOffset, func_index);
  finish();
  if (t_asm_errors.error != asmjit::kErrorOk)
    return make_error(ErrorKind::kUsage, "code generation failed: " + t_asm_errors.text, kNoOffset,
                      func_index);

  CompiledFunction out;
  asmjit::CodeBuffer& buffer = code_.textSection()->buffer();
  out.code.assign(buffer.data(), buffer.data() + buffer.size());
  int32_t frame = static_cast<int32_t>((max_slot_ + max_out_area_ + 15) & ~15u) - 8;
  std::memcpy(out.code.data() + frame_patch_ - 4, &frame, 4);
  for (const BudgetCharge& charge : budget_charges_)
    std::memcpy(out.code.data() + charge.code_offset, &charge.weight, 4);
  out.source_map = source_map_;
  out.trap_sites = trap_sites_;
  out.osr_points = osr_points_;
  return out;
}

uint32_t BaselineCompiler::module_offset() const {
  if (decoder_) return static_cast<uint32_t>(decoder_->current_offset());
  if (trusting_decoder_) return static_cast<uint32_t>(trusting_decoder_->current_offset());
  return 0;
}

Op BaselineCompiler::next_opcode() const {
  if (decoder_) return decoder_->peek_opcode();
  if (trusting_decoder_) return trusting_decoder_->peek_opcode();
  return Op::kInvalid;
}

void BaselineCompiler::record(uint32_t code_offset) {
  uint32_t at = module_offset();
  if (!source_map_.empty() && source_map_.back().code_offset == code_offset) {
    source_map_.back().module_offset = at;
    return;
  }
  source_map_.push_back({code_offset, at});
}

void BaselineCompiler::unsupported(const char* what) {
  if (!error_) error_ = std::string("tier 1 does not compile ") + what;
  reachable_ = false;
}

Label BaselineCompiler::get(TrapCode code) {
  uint32_t at = module_offset();
  // One stub per instruction and code: an instruction may test the same condition twice.
  if (!traps_.empty() && traps_.back().code == code && traps_.back().module_offset == at)
    return traps_.back().label;
  traps_.push_back({a_.newLabel(), code, at});
  return traps_.back().label;
}

void BaselineCompiler::call_helper(vm::Builtin fn) {
  record_here();
  a_.call(x86::qword_ptr(x86::r14, vm::builtin_offset(fn)));
}

void BaselineCompiler::check_helper_trap() {
  a_.test(x86::eax, x86::eax);
  a_.jnz(get(TrapCode::kNone));
}

// --- function entry and exit ---------------------------------------------------------------------

void BaselineCompiler::start_function(uint32_t, std::span<const ValType> locals) {
  size_t num_params = type_->params.size();
  local_types_.assign(locals.begin(), locals.end());
  local_disp_.resize(locals.size());
  uint32_t param_offset = 0;
  for (size_t i = 0; i < num_params; ++i) {
    local_disp_[i] = 16 + static_cast<int32_t>(param_offset);
    param_offset += vm::area_value_size(locals[i]);
  }
  int32_t end = 8;
  for (size_t i = num_params; i < locals.size(); ++i) {
    int32_t size = slot_size(locals[i]);
    end = (end + size + size - 1) & ~(size - 1);
    local_disp_[i] = -end;
  }
  locals_end_ = end;
  max_slot_ = end;
  local_loc_.assign(locals.size(), {});
  local_stamp_.assign(locals.size(), 0);
  target_reg_.assign(locals.size(), kNoReg);
  stamp_ = 0;
  states_.clear();
  std::fill(&reg_owner_[0][0], &reg_owner_[0][0] + 32, -1);
  local_regs_ = {};
  control_.push_back(
      Control{FrameKind::kFunction, false, false, 0, {}, type_->results, a_.newLabel(), {}});
  emit_prologue(locals);
}

void BaselineCompiler::emit_prologue(std::span<const ValType> locals) {
  record_here();
  a_.push(x86::rbp);
  a_.mov(x86::rbp, x86::rsp);
  a_.push(x86::r14);
  a_.sub(x86::rsp, kFramePlaceholder);
  frame_patch_ = a_.offset();
  a_.cmp(x86::rsp, x86::qword_ptr(x86::r14, vm::kContextStackLimit));
  a_.jb(get(TrapCode::kStackExhausted));
  // Declared locals start at zero.
  size_t num_params = type_->params.size();
  size_t zero_bytes = static_cast<size_t>(locals_end_ - 8);
  if (locals.size() > num_params) {
    if (zero_bytes <= 64) {
      a_.xor_(x86::eax, x86::eax);
      for (int32_t off = 16; off <= locals_end_; off += 8)
        a_.mov(x86::qword_ptr(x86::rbp, -off), x86::rax);
    } else {
      // No wasm value is live yet, so rdi/rcx are free here.
      a_.lea(x86::rdi, x86::ptr(x86::rbp, -locals_end_));
      a_.mov(x86::ecx, static_cast<uint32_t>(zero_bytes / 8));
      a_.xor_(x86::eax, x86::eax);
      a_.rep().stosq();
    }
  }
  emit_attention_check();
  // A call is charged the whole body, as if it ran straight through: budgets count bytes of wasm.
  emit_tier_up_check(module_->functions[func_index_].body.size);
}

void BaselineCompiler::emit_attention_check() {
  if (!options_.interrupt_checks) return;
  AttentionStub stub{a_.newLabel(), a_.newLabel(), module_offset(), used_, vm::Builtin::kAttention};
  a_.cmp(x86::dword_ptr(x86::r14, vm::kContextAttention), 0);
  a_.jne(stub.label);
  a_.bind(stub.resume);
  attention_.push_back(stub);
}

uint32_t BaselineCompiler::emit_tier_up_check(uint32_t weight, const Control* loop) {
  if (!options_.tier_up_counters) return kNoCharge;
  AttentionStub stub{a_.newLabel(), a_.newLabel(), module_offset(), used_, vm::Builtin::kTierUp};
  // Every stack value is in its slot here (the loop spilled the stack), those of enclosing blocks
  // below the loop's parameters too: OSR reads them all.
  if (loop && options_.osr_points) {
    OsrPoint point{module_offset(), {}};
    auto bytes = [](ValType t) -> uint8_t {
      return t == ValType::kV128 ? 16 : t == ValType::kI32 || t == ValType::kF32 ? 4 : 8;
    };
    for (size_t i = 0; i < local_types_.size(); ++i)
      point.values.push_back({local_disp_[i], bytes(local_types_[i])});
    for (const VarState& v : stack_) point.values.push_back({-v.offset, bytes(v.type)});
    stub.osr_point = static_cast<uint32_t>(osr_points_.size());
    stub.state_begin = loop->state_begin;
    stub.state_len = loop->state_len;
    osr_points_.push_back(std::move(point));
  }
  uint32_t defined = func_index_ - module_->num_imported_functions;
  // rax is the emitters' scratch register, free at entry and at loop headers. The immediate
  // placeholder forces the 32-bit encoding, so the weight can be patched in afterwards.
  a_.mov(x86::rax, x86::qword_ptr(x86::r14, vm::kContextTierBudgets));
  a_.sub(x86::dword_ptr(x86::rax, static_cast<int32_t>(defined * 4)), kWeightPlaceholder);
  auto charge = static_cast<uint32_t>(budget_charges_.size());
  budget_charges_.push_back(
      {static_cast<uint32_t>(a_.offset()) - 4, module_offset(), std::max(weight, 1u)});
  a_.js(stub.label);
  a_.bind(stub.resume);
  attention_.push_back(stub);
  return charge;
}

void BaselineCompiler::emit_return() {
  std::span<const ValType> results = type_->results;
  size_t base = stack_.size() - results.size();
  uint32_t offset = 16;
  for (size_t j = 0; j < results.size(); ++j) {
    store_value(stack_[base + j], x86::ptr(x86::rbp, static_cast<int32_t>(offset)));
    offset += vm::area_value_size(results[j]);
  }
  a_.leave();
  a_.ret();
}

void BaselineCompiler::finish() {
  for (const TrapStub& stub : traps_) {
    a_.bind(stub.label);
    source_map_.push_back({static_cast<uint32_t>(a_.offset()), stub.module_offset});
    if (stub.code == TrapCode::kNone)
      a_.mov(x86::esi, x86::eax);
    else
      a_.mov(x86::esi, static_cast<uint32_t>(stub.code));
    a_.mov(x86::rdi, x86::r14);
    a_.lea(x86::rdx, x86::ptr(stub.label));
    a_.mov(x86::rcx, x86::rbp);
    a_.call(x86::qword_ptr(x86::r14, vm::builtin_offset(vm::Builtin::kTrap)));
  }
  for (const AttentionStub& stub : attention_) {
    // Checks sit where stack values are in memory (entry, loop headers), but locals may be in
    // registers the helper clobbers: they are saved below rsp, which stays 16-aligned.
    a_.bind(stub.label);
    source_map_.push_back({static_cast<uint32_t>(a_.offset()), stub.module_offset});
    bool osr = stub.osr_point != kNoOsrPoint;
    if (osr) {
      // The runtime reads the whole frame: locals in registers go to their slots too.
      for (uint32_t i = stub.state_begin; i < stub.state_begin + stub.state_len; ++i) {
        const LocalReg& e = states_[i];
        store_value(VarState{local_types_[e.local], Loc::kReg, e.reg}, local_mem(e.local));
      }
    }
    // Xmm registers are saved whole: they may hold v128 locals.
    int32_t saved = std::popcount(stub.live.gp) * 8 + std::popcount(stub.live.xmm) * 16;
    int32_t bytes = (saved + 15) & ~15;
    auto each_live = [&](auto&& fn) {
      int32_t at = 0;
      for (uint8_t r = 0; r < 16; ++r) {
        if (stub.live.has(RegClass::kGp, r)) fn(x86::Reg(x86::gpq(r)), at), at += 8;
        if (stub.live.has(RegClass::kXmm, r)) fn(x86::Reg(x86::xmm(r)), at), at += 16;
      }
    };
    if (bytes) {
      a_.sub(x86::rsp, bytes);
      each_live([&](const x86::Reg& reg, int32_t at) {
        if (reg.isGp())
          a_.mov(x86::qword_ptr(x86::rsp, at), reg.as<x86::Gp>());
        else
          a_.movdqu(x86::xmmword_ptr(x86::rsp, at), reg.as<x86::Xmm>());
      });
    }
    a_.mov(x86::rdi, x86::r14);
    a_.mov(x86::esi, func_index_);
    if (osr) {
      a_.mov(x86::edx, stub.osr_point);
      a_.mov(x86::rcx, x86::rbp);
      a_.call(x86::qword_ptr(x86::r14, vm::builtin_offset(vm::Builtin::kTierUpLoop)));
      a_.test(x86::rax, x86::rax);
    } else {
      a_.call(x86::qword_ptr(x86::r14, vm::builtin_offset(stub.helper)));
      a_.test(x86::eax, x86::eax);
    }
    Label taken = a_.newLabel();
    a_.jnz(taken);
    if (bytes) {
      each_live([&](const x86::Reg& reg, int32_t at) {
        if (reg.isGp())
          a_.mov(reg.as<x86::Gp>(), x86::qword_ptr(x86::rsp, at));
        else
          a_.movdqu(reg.as<x86::Xmm>(), x86::xmmword_ptr(x86::rsp, at));
      });
      a_.add(x86::rsp, bytes);
    }
    a_.jmp(stub.resume);
    a_.bind(taken);
    if (osr) {
      // On-stack replacement: this frame goes, and the OSR entry (rax) runs in its place as if
      // this function's caller had called it.
      a_.leave();
      a_.jmp(x86::rax);
      continue;
    }
    source_map_.push_back({static_cast<uint32_t>(a_.offset()), stub.module_offset});
    a_.mov(x86::esi, x86::eax);
    a_.mov(x86::rdi, x86::r14);
    a_.lea(x86::rdx, x86::ptr(taken));
    a_.mov(x86::rcx, x86::rbp);
    a_.call(x86::qword_ptr(x86::r14, vm::builtin_offset(vm::Builtin::kTrap)));
  }
  for (const JumpTable& table : jump_tables_) {
    a_.align(asmjit::AlignMode::kData, 4);
    a_.bind(table.table);
    for (const Label& target : table.targets) a_.embedLabelDelta(target, table.table, 4);
  }
  constants_.emit(a_);
}

// --- control flow --------------------------------------------------------------------------------

void BaselineCompiler::go_dead() {
  reachable_ = false;
  resize_stack(control_.back().height);
}

void BaselineCompiler::block(Op op, const BlockSig& sig) {
  // After an unsupported construct nothing more is emitted, but frames are still tracked.
  if (op == Op::kTry) unsupported("exception handling");
  FrameKind kind = op == Op::kBlock  ? FrameKind::kBlock
                   : op == Op::kLoop ? FrameKind::kLoop
                                     : FrameKind::kIf;
  uint32_t np = static_cast<uint32_t>(sig.params.size());
  if (!reachable_) {
    uint32_t height = stack_.size() >= np ? static_cast<uint32_t>(stack_.size()) - np : 0;
    control_.push_back(Control{kind, true, false, height, sig.params, sig.results, {}, {}});
    return;
  }
  Control c{kind, false, false, 0, sig.params, sig.results, a_.newLabel(), {}};
  if (kind == FrameKind::kLoop) {
    spill_stack();
    c.state_begin = snapshot();
    c.state_len = static_cast<uint32_t>(states_.size()) - c.state_begin;
    c.state_set = true;
    adopt(c.state_begin, c.state_len);  // back-edges may bring locals newer than their slots
    a_.bind(c.label);
    emit_attention_check();
    c.budget_charge = emit_tier_up_check(1, &c);  // its weight is set at the loop's end
  } else if (kind == FrameKind::kIf) {
    x86::CondCode cc = pop_condition();
    spill_stack();
    c.entry_begin = snapshot();
    c.entry_len = static_cast<uint32_t>(states_.size()) - c.entry_begin;
    c.else_label = a_.newLabel();
    a_.j(x86::negateCond(cc), c.else_label);
  }
  c.height = static_cast<uint32_t>(stack_.size()) - np;
  control_.push_back(c);
}

void BaselineCompiler::move_to_label(const Control& target) {
  std::span<const ValType> types = target.label_types();
  size_t arity = types.size();
  size_t src = stack_.size() - arity;
  // Values below the target's height are the same ones there: they just go to their own slots.
  for (size_t i = 0; i < target.height; ++i)
    if (stack_[i].loc != Loc::kStack) spill(stack_[i]);
  int32_t base = target.height == 0 ? locals_end_ : stack_[target.height - 1].offset;
  // Ascending order never overwrites a source not yet moved (targets sit at or below sources).
  for (size_t i = 0; i < arity; ++i) {
    int32_t size = slot_size(types[i]);
    base = (base + size + size - 1) & ~(size - 1);
    VarState& v = stack_[src + i];
    if (v.loc == Loc::kStack && v.offset == base) continue;
    store_value(v, slot(base));
  }
  if (base > max_slot_) max_slot_ = base;
}

void BaselineCompiler::branch_to(Control& target) {
  if (target.kind == FrameKind::kFunction) return emit_return();
  move_to_label(target);
  reach_label(target);
  if (target.kind != FrameKind::kLoop) target.label_reached = true;
  a_.jmp(target.label);
}

void BaselineCompiler::else_(const ControlFrame&) {
  Control& c = control_.back();
  if (c.dead || error_) return;
  if (reachable_) branch_to(c);
  a_.bind(c.else_label);
  c.kind = FrameKind::kElse;
  // The false path starts as the `if` left it: stack values spilled, locals where they were.
  resize_stack(c.height);
  adopt(c.entry_begin, c.entry_len);
  for (ValType t : c.params) push_stack(t);
  reachable_ = true;
}

void BaselineCompiler::end(const ControlFrame&) {
  Control& c = control_.back();
  if (error_) {
    reachable_ = false;
    control_.pop_back();
    return;
  }
  if (c.kind == FrameKind::kFunction) {
    if (reachable_) emit_return();
    control_.pop_back();
    return;
  }
  if (c.dead) {
    resize_stack(c.height);
    for (ValType t : c.results) push_stack(t);
    control_.pop_back();
    return;
  }
  if (c.budget_charge != kNoCharge) {
    // Each pass through the header is charged the loop's body, the bytes one iteration runs.
    BudgetCharge& charge = budget_charges_[c.budget_charge];
    charge.weight = std::max(module_offset() - charge.module_offset, 1u);
  }
  bool joins = c.label_reached || c.kind == FrameKind::kIf;
  if (c.kind == FrameKind::kLoop || !joins) {
    // Only the fall-through reaches here: the cache state carries on as it is.
    if (!reachable_) {
      resize_stack(c.height);
      for (ValType t : c.results) push_stack(t);
    }
    control_.pop_back();
    return;
  }
  if (reachable_) {
    move_to_label(c);
    reach_label(c);
  }
  if (c.kind == FrameKind::kIf) {
    // No else: a false condition arrives with the entry state and the parameters in the
    // result slots (an if without else has the same parameter and result types).
    if (!c.state_set) {
      c.state_begin = c.entry_begin;
      c.state_len = c.entry_len;
      c.state_set = true;
    }
    if (same_state(c.entry_begin, c.entry_len, c.state_begin, c.state_len)) {
      a_.bind(c.else_label);
    } else {
      if (reachable_) a_.jmp(c.label);
      a_.bind(c.else_label);
      resize_stack(c.height);
      adopt(c.entry_begin, c.entry_len);
      conform(c.state_begin, c.state_len);
    }
  }
  a_.bind(c.label);
  resize_stack(c.height);
  adopt(c.state_begin, c.state_len);
  for (ValType t : c.results) push_stack(t);
  reachable_ = true;
  control_.pop_back();
}

void BaselineCompiler::br(uint32_t depth) {
  if (!reachable_) return;
  branch_to(label_frame(depth));
  go_dead();
}

void BaselineCompiler::br_if(uint32_t depth) {
  if (!reachable_) return;
  Control& target = label_frame(depth);
  x86::CondCode cc = pop_condition();
  if (target.kind == FrameKind::kFunction) {
    Label skip = a_.newLabel();
    a_.j(x86::negateCond(cc), skip);
    emit_return();
    a_.bind(skip);
    return;
  }
  spill_stack();
  size_t arity = target.label_types().size();
  bool same = !target.state_set || matches_state(target.state_begin, target.state_len);
  if (stack_.size() - arity == target.height && same) {
    // The values already sit in the target's slots and the locals in its registers.
    reach_label(target);
    if (target.kind != FrameKind::kLoop) target.label_reached = true;
    a_.j(cc, target.label);
  } else {
    Label skip = a_.newLabel();
    a_.j(x86::negateCond(cc), skip);
    branch_to(target);
    a_.bind(skip);
  }
}

void BaselineCompiler::br_table(std::span<const uint32_t> targets, uint32_t default_depth) {
  if (!reachable_) return;
  uint8_t index = pop_to_reg();
  spill_stack();
  // Each distinct target gets one landing pad that moves the values and jumps.
  std::vector<std::pair<uint32_t, Label>> pads;
  auto pad_for = [&](uint32_t depth) {
    for (auto& [d, l] : pads)
      if (d == depth) return l;
    pads.push_back({depth, a_.newLabel()});
    return pads.back().second;
  };
  Label def = pad_for(default_depth);
  x86::Gpd idx = x86::gpd(index);
  if (targets.size() <= 4) {
    for (size_t i = 0; i < targets.size(); ++i) {
      a_.cmp(idx, static_cast<uint32_t>(i));
      a_.je(pad_for(targets[i]));
    }
    a_.jmp(def);
  } else {
    JumpTable table{a_.newLabel(), {}};
    table.targets.reserve(targets.size());
    for (uint32_t depth : targets) table.targets.push_back(pad_for(depth));
    a_.cmp(idx, static_cast<uint32_t>(targets.size()));
    a_.jae(def);
    a_.lea(x86::rax, x86::ptr(table.table));
    a_.movsxd(x86::rcx, x86::dword_ptr(x86::rax, idx.r64(), 2));
    a_.add(x86::rax, x86::rcx);
    a_.jmp(x86::rax);
    jump_tables_.push_back(std::move(table));
  }
  for (auto& [depth, label] : pads) {
    a_.bind(label);
    branch_to(label_frame(depth));
  }
  go_dead();
}

void BaselineCompiler::return_() {
  if (!reachable_) return;
  emit_return();
  go_dead();
}

void BaselineCompiler::unreachable() {
  if (!reachable_) return;
  a_.jmp(get(TrapCode::kUnreachable));
  go_dead();
}

void BaselineCompiler::exception_op(Op, uint32_t) {
  unsupported("exception handling");
}

}  // namespace keel::jit

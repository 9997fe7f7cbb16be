#include "bench/regalloc_compare_backend.h"

#include <asmjit/x86.h>

#include <algorithm>
#include <chrono>

#include "jit/common/asm_errors.h"
#include "jit/optimizing/compare_fusion.h"
#include "jit/optimizing/register_allocator.h"
#include "runtime/vm_abi.h"

namespace keel::bench {

using jit::opt::BlockCall;
using jit::opt::BlockId;
using jit::opt::Graph;
using jit::opt::Inst;
using jit::opt::InstId;
using jit::opt::InstKind;
using jit::opt::ValueId;
namespace x86 = asmjit::x86;

namespace {

bool is_int(ValType t) {
  return t == ValType::kI32 || t == ValType::kI64;
}

// The integer kWasm instructions the lowering below knows, and how.
enum class IntOp {
  kNone,
  kAlu,  // add sub mul and or xor
  kShift,
  kCompare,
  kEqz,
  kBitCount,  // clz ctz popcnt
  kDivRem,
  kConvert,  // wrap, extends
};

IntOp classify(Op op) {
  switch (op) {
    case Op::kI32Add:
    case Op::kI32Sub:
    case Op::kI32Mul:
    case Op::kI32And:
    case Op::kI32Or:
    case Op::kI32Xor:
    case Op::kI64Add:
    case Op::kI64Sub:
    case Op::kI64Mul:
    case Op::kI64And:
    case Op::kI64Or:
    case Op::kI64Xor:
      return IntOp::kAlu;
    case Op::kI32Shl:
    case Op::kI32ShrS:
    case Op::kI32ShrU:
    case Op::kI32Rotl:
    case Op::kI32Rotr:
    case Op::kI64Shl:
    case Op::kI64ShrS:
    case Op::kI64ShrU:
    case Op::kI64Rotl:
    case Op::kI64Rotr:
      return IntOp::kShift;
    case Op::kI32Eqz:
    case Op::kI64Eqz:
      return IntOp::kEqz;
    case Op::kI32Clz:
    case Op::kI32Ctz:
    case Op::kI32Popcnt:
    case Op::kI64Clz:
    case Op::kI64Ctz:
    case Op::kI64Popcnt:
      return IntOp::kBitCount;
    case Op::kI32DivS:
    case Op::kI32DivU:
    case Op::kI32RemS:
    case Op::kI32RemU:
    case Op::kI64DivS:
    case Op::kI64DivU:
    case Op::kI64RemS:
    case Op::kI64RemU:
      return IntOp::kDivRem;
    case Op::kI32WrapI64:
    case Op::kI64ExtendI32S:
    case Op::kI64ExtendI32U:
    case Op::kI32Extend8S:
    case Op::kI32Extend16S:
    case Op::kI64Extend8S:
    case Op::kI64Extend16S:
    case Op::kI64Extend32S:
      return IntOp::kConvert;
    default:
      break;
  }
  if (jit::opt::compare_condition(op)) {
    const OpSig& sig = op_info(op).sig;
    if (sig.num_params == 2 && is_int(sig.params[0])) return IntOp::kCompare;
  }
  return IntOp::kNone;
}

bool is_int_access(Op op) {
  switch (op) {
    case Op::kI32Load:
    case Op::kI64Load:
    case Op::kI32Load8S:
    case Op::kI32Load8U:
    case Op::kI32Load16S:
    case Op::kI32Load16U:
    case Op::kI64Load8S:
    case Op::kI64Load8U:
    case Op::kI64Load16S:
    case Op::kI64Load16U:
    case Op::kI64Load32S:
    case Op::kI64Load32U:
    case Op::kI32Store:
    case Op::kI64Store:
    case Op::kI32Store8:
    case Op::kI32Store16:
    case Op::kI64Store8:
    case Op::kI64Store16:
    case Op::kI64Store32:
      return true;
    default:
      return false;
  }
}

bool mentions_float(const OpSig& sig) {
  auto is_float = [](ValType t) { return t == ValType::kF32 || t == ValType::kF64; };
  for (uint8_t i = 0; i < sig.num_params; ++i)
    if (is_float(sig.params[i])) return true;
  return is_float(sig.result);
}

const char* type_reason(ValType t) {
  if (t == ValType::kF32 || t == ValType::kF64) return "float";
  if (t == ValType::kV128) return "simd";
  return "reference types";
}

uint32_t access_size(Op op) {
  return 1u << natural_alignment_log2(op_info(op).imm);
}

// keel's trap stub (mov esi, code; mov rdi, r14; lea rdx, [rip]; mov rcx, rbp; mov rax, imm64;
// call rax) is 30 bytes: each stub here is filler and a jump to the epilogue of about that size,
// so code sizes compare like for like without this back end following keel's trap ABI.
constexpr uint32_t kTrapStubBytes = 30;

// keel's calls clobber every register but r14 and r15 (pinned to the context and memory base) and
// rbp: the same survive calls here, for asmjit to use as it likes (rsp is never allocated).
constexpr asmjit::RegMask kPreservedGp = (1u << 4) | (1u << 5) | (1u << 14) | (1u << 15);

class Lowering {
 public:
  Lowering(const Graph& graph, const Module& module, const platform::CpuFeatures& cpu)
      : graph_(graph), cpu_(cpu), num_imported_functions_(module.num_imported_functions) {}

  CompilerBackendResult run(bool want_assembly) {
    CompilerBackendResult out;
    jit::RecordingErrorHandler errors;
    asmjit::StringLogger logger;
    code_.init(asmjit::Environment::host());
    code_.setErrorHandler(&errors);
    if (want_assembly) {
      logger.addFlags(asmjit::FormatFlags::kMachineCode);
      code_.setLogger(&logger);
    }
    code_.attach(&cc_);
    fused_ = jit::opt::find_fusible_compares(graph_);
    uses_ = graph_.use_counts();
    vregs_.assign(graph_.num_values(), x86::Gp());
    const std::vector<BlockId>& layout = graph_.layout();
    order_index_.assign(graph_.num_blocks(), UINT32_MAX);
    for (size_t i = 0; i < layout.size(); ++i) {
      order_index_[layout[i].index] = static_cast<uint32_t>(i);
      labels_.push_back(cc_.newLabel());
    }
    // Context, memory base and the parameter area are virtual registers like any value (keel
    // pins the first two in r14 and r15 and reaches the area through rbp).
    asmjit::FuncNode* func =
        cc_.addFunc(asmjit::FuncSignatureT<void, void*, void*, void*>(asmjit::CallConvId::kHost));
    // keel keeps the rbp chain for backtraces: asmjit then cannot allocate rbp either.
    func->frame().setPreservedFP();
    func->detail()._callConv.setPreservedRegs(asmjit::RegGroup::kGp, kPreservedGp);
    func->frame()._preservedRegs[asmjit::RegGroup::kGp] = kPreservedGp;
    ctx_ = cc_.newGpq();
    memory_ = cc_.newGpq();
    area_ = cc_.newGpq();
    func->setArg(0, ctx_);
    func->setArg(1, memory_);
    func->setArg(2, area_);
    uint32_t area_bytes = 0;
    for (BlockId b : layout)
      for (InstId id : graph_.block(b).insts) {
        const Inst& inst = graph_.inst(id);
        if (!inst.dead && inst.kind == InstKind::kCall)
          area_bytes =
              std::max(area_bytes, vm::call_area_bytes(graph_.call_signature(inst.call_signature)));
      }
    if (area_bytes > 0) {
      out_area_ = cc_.newStack(area_bytes, 16);
      // Where asmjit put the area shows in the listing only through this lea (dead, one per
      // function): the tool needs it to tell area accesses from spill slots.
      x86::Gp marker = cc_.newGpq();
      cc_.lea(marker, out_area_);
      out.call_area_bytes = area_bytes;
    }
    emit_entry();
    for (size_t k = 0; k < layout.size(); ++k) emit_block(k);
    for (const asmjit::Label& stub : trap_stubs_) {
      cc_.bind(stub);
      // The ret (a jump to the epilogue) ends the stub's block: falling from one stub into the
      // next would join blocks with unrelated register assignments.
      cc_.db(0xcc, kTrapStubBytes - 2);
      cc_.ret();
    }
    cc_.endFunc();
    for (const JumpTable& table : jump_tables_) {
      cc_.align(asmjit::AlignMode::kData, 4);
      cc_.bind(table.label);
      for (const asmjit::Label& target : table.targets) cc_.embedLabelDelta(target, table.label, 4);
    }
    auto finalize_start = std::chrono::steady_clock::now();
    cc_.finalize();
    out.finalize_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - finalize_start).count();
    if (errors.error != asmjit::kErrorOk) {
      out.error = errors.text;
      return out;
    }
    asmjit::CodeBuffer& buffer = code_.textSection()->buffer();
    out.code.assign(buffer.data(), buffer.data() + buffer.size());
    if (want_assembly) out.assembly = logger.data();
    out.ok = true;
    return out;
  }

 private:
  struct JumpTable {
    asmjit::Label label;
    std::vector<asmjit::Label> targets;
  };

  ValType type_of(ValueId v) const { return graph_.type_of(graph_.resolve(v)); }

  const Inst* constant_def(ValueId v) const {
    v = graph_.resolve(v);
    if (!jit::opt::is_immediate_constant(graph_, v)) return nullptr;
    return &graph_.inst(graph_.value(v).inst);
  }

  x86::Gp new_reg(ValType t) { return t == ValType::kI64 ? cc_.newGpq() : cc_.newGpd(); }

  // The virtual register of a value that has one (everything but immediate constants).
  x86::Gp vreg(ValueId v) {
    v = graph_.resolve(v);
    x86::Gp& r = vregs_[v.index];
    if (!r.isValid()) r = new_reg(graph_.type_of(v));
    return r;
  }

  // An operand in a register: immediate constants are made where they are used, as keel
  // rematerializes them.
  x86::Gp use(ValueId v) {
    if (const Inst* c = constant_def(v)) {
      x86::Gp r = new_reg(c->type);
      materialize(r, c->type, c->imm[0]);
      return r;
    }
    return vreg(v);
  }

  void materialize(const x86::Gp& r, ValType t, uint64_t bits) {
    if (t == ValType::kI32)
      cc_.mov(r.r32(), static_cast<uint32_t>(bits));
    else
      cc_.mov(r.r64(), bits);
  }

  // The right operand as an immediate when keel would use one.
  bool immediate(ValueId v, bool wide, int32_t& imm) const {
    const Inst* c = constant_def(v);
    if (!c) return false;
    int64_t bits = static_cast<int64_t>(c->imm[0]);
    if (!wide) bits = static_cast<int32_t>(bits);
    if (bits != static_cast<int32_t>(bits)) return false;
    imm = static_cast<int32_t>(bits);
    return true;
  }

  asmjit::Label trap_stub() {
    trap_stubs_.push_back(cc_.newLabel());
    return trap_stubs_.back();
  }

  void emit_entry() {
    // keel's prologue checks the stack limit; the stand-in keeps its size and its stub.
    cc_.cmp(x86::rsp, x86::qword_ptr(ctx_, vm::kContextStackLimit));
    cc_.jb(trap_stub());
    const std::vector<ValType>& params = graph_.signature().params;
    const std::vector<ValueId>& values = graph_.block(graph_.entry()).params;
    for (size_t i = 0; i < values.size(); ++i) {
      if (uses_[values[i].index] == 0) continue;
      auto offset = static_cast<int32_t>(vm::value_offset(params, i));
      x86::Gp r = vreg(values[i]);
      cc_.mov(r, x86::ptr(area_, offset, r.size()));
    }
  }

  void emit_block(size_t k) {
    BlockId b = graph_.layout()[k];
    cc_.bind(labels_[k]);
    for (InstId id : graph_.block(b).insts) {
      const Inst& inst = graph_.inst(id);
      if (inst.dead || fused_[id.index]) continue;
      if (jit::opt::is_terminator(inst.kind))
        emit_terminator(inst, k);
      else
        emit_inst(id, inst);
    }
  }

  void emit_inst(InstId id, const Inst& inst) {
    ValueId result = inst.num_results ? graph_.result(id) : ValueId();
    switch (inst.kind) {
      case InstKind::kConst:
        if (uses_[result.index] == 0 || constant_def(result)) return;
        materialize(vreg(result), inst.type, inst.imm[0]);
        return;
      case InstKind::kWasm:
        return emit_wasm(inst, result);
      case InstKind::kSelect:
        return emit_select(inst, result);
      case InstKind::kLoad:
        return emit_load(inst, result);
      case InstKind::kStore:
        return emit_store(inst);
      case InstKind::kGlobalGet: {
        x86::Gp cell = global_cell(inst.index);
        x86::Gp d = vreg(result);
        cc_.mov(d, x86::ptr(cell, 0, d.size()));
        return;
      }
      case InstKind::kGlobalSet: {
        x86::Gp v = use(inst.operands[0]);
        x86::Gp cell = global_cell(inst.index);
        cc_.mov(x86::ptr(cell, 0, v.size()), v);
        return;
      }
      case InstKind::kTrapIf:
        cc_.j(branch_condition(inst.operands[0]), trap_stub());
        return;
      case InstKind::kCall:
        return emit_call(id, inst);
      default:
        return;  // unsupported_reason turned these away
    }
  }

  // keel's direct call: the arguments and results in the stack area at the call, the callee
  // through this module's code slots. The context and memory base are not arguments: keel's
  // callee finds them in r14 and r15, which calls preserve, and here they may live there too.
  void emit_call(InstId id, const Inst& inst) {
    const FuncType& type = graph_.call_signature(inst.call_signature);
    auto area_slot = [&](const std::vector<ValType>& types, size_t i, uint32_t size) {
      x86::Mem m = out_area_.cloneAdjusted(vm::value_offset(types, i));
      m.setSize(size);
      return m;
    };
    for (size_t i = 0; i < type.params.size(); ++i) {
      x86::Gp v = use(inst.operands[i]);
      cc_.mov(area_slot(type.params, i, 8), v.r64());
    }
    // keel loads the callee's VMFuncRef into rax for the lazy-compile stub: the same loads.
    x86::Gp callee = cc_.newGpq();
    cc_.mov(callee, x86::qword_ptr(ctx_, vm::kContextFuncs));
    cc_.mov(callee, x86::qword_ptr(callee, static_cast<int32_t>(8 * inst.index)));
    x86::Gp slots = cc_.newGpq();
    cc_.mov(slots, x86::qword_ptr(ctx_, vm::kContextCodeSlots));
    asmjit::InvokeNode* call = nullptr;
    auto slot = static_cast<int32_t>(8 * (inst.index - num_imported_functions_));
    cc_.invoke(&call, x86::qword_ptr(slots, slot),
               asmjit::FuncSignatureT<void>(asmjit::CallConvId::kHost));
    call->detail()._callConv.setPreservedRegs(asmjit::RegGroup::kGp, kPreservedGp);
    for (uint32_t j = 0; j < inst.num_results; ++j) {
      ValueId r = graph_.result(id, j);
      if (uses_[r.index] == 0) continue;
      x86::Gp d = vreg(r);
      cc_.mov(d, area_slot(type.results, j, d.size()));
    }
  }

  x86::Gp global_cell(uint32_t index) {
    x86::Gp cell = cc_.newGpq();
    cc_.mov(cell, x86::qword_ptr(ctx_, vm::kContextGlobals));
    cc_.mov(cell, x86::qword_ptr(cell, static_cast<int32_t>(8 * index)));
    return cell;
  }

  void emit_wasm(const Inst& inst, ValueId result) {
    IntOp kind = classify(inst.op);
    ValType operand_type = op_info(inst.op).sig.params[0];
    bool wide = operand_type == ValType::kI64;
    auto sized = [&](const x86::Gp& r) { return wide ? x86::Gp(r.r64()) : x86::Gp(r.r32()); };
    x86::Gp lhs = sized(use(inst.operands[0]));
    int32_t imm = 0;
    bool rhs_imm = inst.operands.size() > 1 && immediate(inst.operands[1], wide, imm);
    x86::Gp rhs = inst.operands.size() > 1 && !rhs_imm ? sized(use(inst.operands[1])) : x86::Gp();
    x86::Gp d = vreg(result);
    x86::Gp dw = sized(d);
    switch (kind) {
      case IntOp::kAlu:
        return emit_alu(inst.op, dw, lhs, rhs, rhs_imm, imm);
      case IntOp::kShift:
        return emit_shift(inst.op, dw, lhs, rhs, rhs_imm, imm, wide);
      case IntOp::kCompare: {
        // The zeroing comes first so that d is written whole before its low byte is set.
        cc_.xor_(d.r32(), d.r32());
        if (rhs_imm)
          cc_.cmp(lhs, imm);
        else
          cc_.cmp(lhs, rhs);
        cc_.set(*jit::opt::compare_condition(inst.op), d.r8());
        return;
      }
      case IntOp::kEqz:
        cc_.xor_(d.r32(), d.r32());
        cc_.test(lhs, lhs);
        cc_.sete(d.r8());
        return;
      case IntOp::kBitCount:
        if (inst.op == Op::kI32Clz || inst.op == Op::kI64Clz)
          cc_.lzcnt(dw, lhs);
        else if (inst.op == Op::kI32Ctz || inst.op == Op::kI64Ctz)
          cc_.tzcnt(dw, lhs);
        else
          cc_.popcnt(dw, lhs);
        return;
      case IntOp::kDivRem:
        return emit_div(inst.op, dw, lhs, rhs_imm ? sized(use(inst.operands[1])) : rhs, wide);
      case IntOp::kConvert:
        return emit_convert(inst.op, d, lhs);
      case IntOp::kNone:
        return;
    }
  }

  void emit_alu(Op op, const x86::Gp& d, const x86::Gp& lhs, const x86::Gp& rhs, bool rhs_imm,
                int32_t imm) {
    bool add = op == Op::kI32Add || op == Op::kI64Add;
    bool sub = op == Op::kI32Sub || op == Op::kI64Sub;
    bool mul = op == Op::kI32Mul || op == Op::kI64Mul;
    // keel picks lea or mov + op by whether the allocator gave d lhs's register; before
    // allocation the three-operand lea is the form that constrains nothing.
    if (rhs_imm && mul) return void(cc_.imul(d, lhs, imm));
    if (rhs_imm && add) return void(cc_.lea(d, x86::ptr(lhs.r64(), imm)));
    if (rhs_imm && sub && imm != INT32_MIN) return void(cc_.lea(d, x86::ptr(lhs.r64(), -imm)));
    if (!rhs_imm && add) return void(cc_.lea(d, x86::ptr(lhs.r64(), rhs.r64())));
    cc_.mov(d, lhs);
    asmjit::InstId id = x86::Inst::kIdXor;
    if (add) id = x86::Inst::kIdAdd;
    if (sub) id = x86::Inst::kIdSub;
    if (mul) id = x86::Inst::kIdImul;
    if (op == Op::kI32And || op == Op::kI64And) id = x86::Inst::kIdAnd;
    if (op == Op::kI32Or || op == Op::kI64Or) id = x86::Inst::kIdOr;
    if (rhs_imm)
      cc_.emit(id, d, asmjit::Imm(imm));
    else
      cc_.emit(id, d, rhs);
  }

  void emit_shift(Op op, const x86::Gp& d, const x86::Gp& lhs, const x86::Gp& rhs, bool rhs_imm,
                  int32_t imm, bool wide) {
    asmjit::InstId id = x86::Inst::kIdRor;
    bool shl = op == Op::kI32Shl || op == Op::kI64Shl;
    bool sar = op == Op::kI32ShrS || op == Op::kI64ShrS;
    bool shr = op == Op::kI32ShrU || op == Op::kI64ShrU;
    if (shl) id = x86::Inst::kIdShl;
    if (sar) id = x86::Inst::kIdSar;
    if (shr) id = x86::Inst::kIdShr;
    if (op == Op::kI32Rotl || op == Op::kI64Rotl) id = x86::Inst::kIdRol;
    if (rhs_imm) {
      int count = imm & (wide ? 63 : 31);
      cc_.mov(d, lhs);
      if (count != 0) cc_.emit(id, d, asmjit::Imm(count));
      return;
    }
    if (cpu_.bmi2 && (shl || sar || shr)) {
      if (shl) cc_.shlx(d, lhs, rhs);
      if (sar) cc_.sarx(d, lhs, rhs);
      if (shr) cc_.shrx(d, lhs, rhs);
      return;
    }
    // The count must be in cl: a fresh register for it lets the allocator put it there.
    x86::Gp count = cc_.newGpd();
    cc_.mov(count, rhs.r32());
    cc_.mov(d, lhs);
    cc_.emit(id, d, count.r8());
  }

  // As keel: a zero divisor traps, and -1 never reaches idiv (INT_MIN / -1 would fault).
  void emit_div(Op op, const x86::Gp& d, const x86::Gp& lhs, const x86::Gp& rhs, bool wide) {
    bool is_signed =
        op == Op::kI32DivS || op == Op::kI32RemS || op == Op::kI64DivS || op == Op::kI64RemS;
    bool rem = op == Op::kI32RemS || op == Op::kI32RemU || op == Op::kI64RemS || op == Op::kI64RemU;
    cc_.test(rhs, rhs);
    cc_.jz(trap_stub());
    x86::Gp lo = wide ? cc_.newGpq() : cc_.newGpd();
    x86::Gp hi = wide ? cc_.newGpq() : cc_.newGpd();
    asmjit::Label done = cc_.newLabel();
    if (is_signed) {
      asmjit::Label normal = cc_.newLabel();
      cc_.cmp(rhs, -1);
      cc_.jne(normal);
      if (rem) {
        cc_.xor_(d.r32(), d.r32());
      } else {
        asmjit::Label overflow = trap_stub();
        cc_.mov(d, lhs);
        cc_.neg(d);
        cc_.jo(overflow);
      }
      cc_.jmp(done);
      cc_.bind(normal);
      cc_.mov(lo, lhs);
      if (wide)
        cc_.cqo(hi, lo);
      else
        cc_.cdq(hi, lo);
      cc_.idiv(hi, lo, rhs);
    } else {
      cc_.mov(lo, lhs);
      cc_.xor_(hi.r32(), hi.r32());
      cc_.div(hi, lo, rhs);
    }
    cc_.mov(d, rem ? hi : lo);
    cc_.bind(done);
  }

  void emit_convert(Op op, const x86::Gp& d, const x86::Gp& lhs) {
    switch (op) {
      case Op::kI32WrapI64:
      case Op::kI64ExtendI32U:
        return void(cc_.mov(d.r32(), lhs.r32()));
      case Op::kI64ExtendI32S:
      case Op::kI64Extend32S:
        return void(cc_.movsxd(d.r64(), lhs.r32()));
      case Op::kI32Extend8S:
        return void(cc_.movsx(d.r32(), lhs.r8()));
      case Op::kI32Extend16S:
        return void(cc_.movsx(d.r32(), lhs.r16()));
      case Op::kI64Extend8S:
        return void(cc_.movsx(d.r64(), lhs.r8()));
      case Op::kI64Extend16S:
        return void(cc_.movsx(d.r64(), lhs.r16()));
      default:
        return;
    }
  }

  void emit_select(const Inst& inst, ValueId result) {
    x86::Gp d = vreg(result);
    if (const Inst* c = constant_def(inst.operands[0])) {
      ValueId chosen = static_cast<uint32_t>(c->imm[0]) ? inst.operands[1] : inst.operands[2];
      return copy_into(d, chosen);
    }
    copy_into(d, inst.operands[2]);
    x86::Gp yes = use(inst.operands[1]);
    x86::Gp cond = use(inst.operands[0]).r32();
    cc_.test(cond, cond);
    cc_.cmovnz(d, d.size() == 8 ? x86::Gp(yes.r64()) : x86::Gp(yes.r32()));
  }

  void copy_into(const x86::Gp& d, ValueId v) {
    if (const Inst* c = constant_def(v)) return materialize(d, c->type, c->imm[0]);
    cc_.mov(d, vreg(v));
  }

  x86::Mem address(const Inst& inst) {
    // i32 registers are zero-extended, so the 64-bit view is the index; unsupported_reason
    // turned away offsets above INT32_MAX.
    x86::Gp index = use(inst.operands[0]);
    x86::Mem m = x86::ptr(memory_, index.r64(), 0, static_cast<int32_t>(inst.imm[0]));
    m.setSize(access_size(inst.op));
    return m;
  }

  void emit_load(const Inst& inst, ValueId result) {
    x86::Mem m = address(inst);
    x86::Gp d = vreg(result);
    switch (inst.op) {
      case Op::kI32Load:
      case Op::kI64Load32U:
        return void(cc_.mov(d.r32(), m));
      case Op::kI64Load:
        return void(cc_.mov(d.r64(), m));
      case Op::kI32Load8S:
      case Op::kI32Load16S:
        return void(cc_.movsx(d.r32(), m));
      case Op::kI32Load8U:
      case Op::kI32Load16U:
      case Op::kI64Load8U:
      case Op::kI64Load16U:
        return void(cc_.movzx(d.r32(), m));
      case Op::kI64Load8S:
      case Op::kI64Load16S:
        return void(cc_.movsx(d.r64(), m));
      case Op::kI64Load32S:
        return void(cc_.movsxd(d.r64(), m));
      default:
        return;
    }
  }

  void emit_store(const Inst& inst) {
    x86::Gp v = use(inst.operands[1]);
    x86::Mem m = address(inst);
    switch (access_size(inst.op)) {
      case 1:
        return void(cc_.mov(m, v.r8()));
      case 2:
        return void(cc_.mov(m, v.r16()));
      case 4:
        return void(cc_.mov(m, v.r32()));
      default:
        return void(cc_.mov(m, v.r64()));
    }
  }

  asmjit::x86::CondCode branch_condition(ValueId cond) {
    cond = graph_.resolve(cond);
    const jit::opt::Value& value = graph_.value(cond);
    if (value.is_param || !fused_[value.inst.index]) {
      x86::Gp c = use(cond).r32();
      cc_.test(c, c);
      return x86::CondCode::kNZ;
    }
    const Inst& compare = graph_.inst(value.inst);
    bool wide = type_of(compare.operands[0]) == ValType::kI64;
    auto sized = [&](const x86::Gp& r) { return wide ? x86::Gp(r.r64()) : x86::Gp(r.r32()); };
    x86::Gp lhs = sized(use(compare.operands[0]));
    int32_t imm = 0;
    if (compare.operands.size() == 1)
      cc_.test(lhs, lhs);
    else if (immediate(compare.operands[1], wide, imm))
      cc_.cmp(lhs, imm);
    else
      cc_.cmp(lhs, sized(use(compare.operands[1])));
    return *jit::opt::compare_condition(compare.op);
  }

  // --- control flow: the same shapes as keel's codegen.cc ---

  bool edge_has_moves(const BlockCall& call) const {
    for (ValueId p : graph_.block(call.block).params)
      if (uses_[p.index] != 0) return true;
    return false;
  }

  void emit_edge(const BlockCall& call, size_t k) {
    const std::vector<ValueId>& params = graph_.block(call.block).params;
    // A parallel move, sequentialized as keel's parallel_move.cc does: a move goes once no
    // other pending move still reads its destination; a cycle (a loop's rotated values) is
    // broken by copying one destination to a temporary. Constants read nothing and go last.
    struct Move {
      x86::Gp dst;
      x86::Gp src;       // invalid for a constant
      ValueId constant;  // the immediate-constant argument
    };
    std::vector<Move> moves, constants;
    for (size_t i = 0; i < params.size(); ++i) {
      if (uses_[params[i].index] == 0) continue;
      if (constant_def(call.args[i])) {
        constants.push_back({vreg(params[i]), x86::Gp(), call.args[i]});
        continue;
      }
      x86::Gp src = vreg(call.args[i]), dst = vreg(params[i]);
      if (src.id() != dst.id()) moves.push_back({dst, src, ValueId()});
    }
    while (!moves.empty()) {
      auto read_by_other = [&](const Move& m) {
        return std::any_of(moves.begin(), moves.end(), [&](const Move& other) {
          return &other != &m && other.src.id() == m.dst.id();
        });
      };
      auto ready = std::find_if(moves.begin(), moves.end(),
                                [&](const Move& m) { return !read_by_other(m); });
      if (ready == moves.end()) {
        x86::Gp saved = moves.front().dst.size() == 8 ? cc_.newGpq() : cc_.newGpd();
        cc_.mov(saved, moves.front().dst);
        for (Move& m : moves)
          if (m.src.id() == moves.front().dst.id()) m.src = saved;
        continue;
      }
      cc_.mov(ready->dst, ready->src);
      moves.erase(ready);
    }
    for (const Move& m : constants) copy_into(m.dst, m.constant);
    uint32_t target = order_index_[call.block.index];
    if (target != k + 1) cc_.jmp(labels_[target]);
  }

  void emit_terminator(const Inst& inst, size_t k) {
    switch (inst.kind) {
      case InstKind::kJump:
        return emit_edge(inst.targets[0], k);
      case InstKind::kBranch:
        return emit_branch(inst, k);
      case InstKind::kSwitch:
        return emit_switch(inst, k);
      case InstKind::kReturn: {
        const std::vector<ValType>& results = graph_.signature().results;
        for (size_t j = 0; j < inst.operands.size(); ++j) {
          auto offset = static_cast<int32_t>(vm::value_offset(results, j));
          x86::Gp v = use(inst.operands[j]);
          cc_.mov(x86::qword_ptr(area_, offset), v.r64());
        }
        cc_.ret();
        return;
      }
      case InstKind::kTrap:
        cc_.jmp(trap_stub());
        return;
      default:
        return;
    }
  }

  asmjit::Label label_of(const BlockCall& c) { return labels_[order_index_[c.block.index]]; }

  void emit_branch(const Inst& inst, size_t k) {
    x86::CondCode when = branch_condition(inst.operands[0]);
    const BlockCall& yes = inst.targets[0];
    const BlockCall& no = inst.targets[1];
    bool yes_moves = edge_has_moves(yes), no_moves = edge_has_moves(no);
    if (!yes_moves && !no_moves && order_index_[yes.block.index] != k + 1) {
      cc_.j(when, label_of(yes));
      return emit_edge(no, k);
    }
    if (!no_moves) {
      cc_.j(x86::negateCond(when), label_of(no));
      return emit_edge(yes, k);
    }
    if (!yes_moves) {
      cc_.j(when, label_of(yes));
      return emit_edge(no, k);
    }
    asmjit::Label pad = cc_.newLabel();
    cc_.j(x86::negateCond(when), pad);
    emit_edge(yes, k);
    if (order_index_[yes.block.index] == k + 1) cc_.jmp(label_of(yes));
    cc_.bind(pad);
    emit_edge(no, k);
  }

  void emit_switch(const Inst& inst, size_t k) {
    x86::Gp index = use(inst.operands[0]).r32();
    size_t cases = inst.targets.size() - 1;
    std::vector<asmjit::Label> entry(inst.targets.size());
    std::vector<bool> padded(inst.targets.size(), false);
    for (size_t i = 0; i < inst.targets.size(); ++i) {
      padded[i] = edge_has_moves(inst.targets[i]);
      entry[i] = padded[i] ? cc_.newLabel() : label_of(inst.targets[i]);
    }
    if (cases <= 4) {
      for (size_t i = 0; i < cases; ++i) {
        cc_.cmp(index, static_cast<uint32_t>(i));
        cc_.je(entry[i]);
      }
      cc_.jmp(entry[cases]);
    } else {
      JumpTable table{cc_.newLabel(), {}};
      asmjit::JumpAnnotation* annotation = cc_.newJumpAnnotation();
      // asmjit's allocator asserts (ralocal.cpp, dst.equals(cur)) when a target of an annotated
      // jump has been entered elsewhere with another assignment, so the table reaches a block
      // without moves through a jump of its own, which only the table enters.
      std::vector<std::pair<asmjit::Label, asmjit::Label>> trampolines;  // (from, to)
      for (size_t i = 0; i < cases; ++i) {
        asmjit::Label target = entry[i];
        if (!padded[i]) {
          auto known = std::find_if(trampolines.begin(), trampolines.end(),
                                    [&](const auto& t) { return t.second.id() == target.id(); });
          if (known == trampolines.end()) {
            trampolines.emplace_back(cc_.newLabel(), target);
            annotation->addLabel(trampolines.back().first);
            target = trampolines.back().first;
          } else {
            target = known->first;
          }
        } else {
          annotation->addLabel(target);
        }
        table.targets.push_back(target);
      }
      cc_.cmp(index, static_cast<uint32_t>(cases));
      cc_.jae(entry[cases]);
      x86::Gp base = cc_.newGpq(), target = cc_.newGpq();
      cc_.lea(base, x86::ptr(table.label));
      cc_.movsxd(target, x86::dword_ptr(base, index.r64(), 2));
      cc_.add(target, base);
      cc_.jmp(target, annotation);
      for (const auto& [from, to] : trampolines) {
        cc_.bind(from);
        cc_.jmp(to);
      }
      jump_tables_.push_back(std::move(table));
    }
    for (size_t i = 0; i < inst.targets.size(); ++i) {
      if (!padded[i]) continue;
      cc_.bind(entry[i]);
      emit_edge(inst.targets[i], k);
      if (order_index_[inst.targets[i].block.index] == k + 1) cc_.jmp(labels_[k + 1]);
    }
  }

  const Graph& graph_;
  const platform::CpuFeatures& cpu_;
  uint32_t num_imported_functions_;
  x86::Mem out_area_;
  asmjit::CodeHolder code_;
  x86::Compiler cc_;
  std::vector<bool> fused_;
  std::vector<uint32_t> uses_;
  std::vector<x86::Gp> vregs_;
  std::vector<uint32_t> order_index_;
  std::vector<asmjit::Label> labels_;
  std::vector<asmjit::Label> trap_stubs_;
  std::vector<JumpTable> jump_tables_;
  x86::Gp ctx_, memory_, area_;
};

}  // namespace

std::string unsupported_reason(const Graph& graph, const Module& module) {
  for (ValType t : graph.signature().params)
    if (!is_int(t)) return type_reason(t);
  for (ValType t : graph.signature().results)
    if (!is_int(t)) return type_reason(t);
  for (BlockId b : graph.layout()) {
    for (ValueId p : graph.block(b).params)
      if (!is_int(graph.type_of(p))) return type_reason(graph.type_of(p));
    for (InstId id : graph.block(b).insts) {
      const Inst& inst = graph.inst(id);
      if (inst.dead) continue;
      switch (inst.kind) {
        case InstKind::kConst:
        case InstKind::kSelect:
        case InstKind::kTrapIf:
        case InstKind::kJump:
        case InstKind::kBranch:
        case InstKind::kSwitch:
        case InstKind::kReturn:
        case InstKind::kTrap:
          break;
        case InstKind::kGlobalGet:
        case InstKind::kGlobalSet:
          if (inst.kind == InstKind::kGlobalSet && !is_int(graph.type_of(inst.operands[0])))
            return type_reason(graph.type_of(inst.operands[0]));
          break;
        case InstKind::kWasm:
          if (classify(inst.op) != IntOp::kNone) break;
          if (mentions_float(op_info(inst.op).sig)) return "float";
          return std::string(op_text(inst.op));
        case InstKind::kLoad:
        case InstKind::kStore:
          if (inst.index != 0 || module.memories.empty() || module.memories[0].type.limits.is64)
            return "memory64 or multiple memories";
          if (!is_int_access(inst.op)) {
            if (mentions_float(op_info(inst.op).sig)) return "float";
            if (inst.type == ValType::kV128 ||
                (inst.operands.size() > 1 && graph.type_of(inst.operands[1]) == ValType::kV128))
              return "simd";
            return std::string(op_text(inst.op));
          }
          if (inst.imm[0] > INT32_MAX) return "memory offset above 2 GiB";
          break;
        case InstKind::kCall:
          if (inst.index < module.num_imported_functions) return "call to an import";
          break;
        case InstKind::kCallIndirect:
          return "call_indirect";
        case InstKind::kRuntimeCall:
          return "runtime call (memory.grow, bulk memory)";
        case InstKind::kMemorySize:
          return "memory.size";
        case InstKind::kTableGet:
        case InstKind::kTableSet:
        case InstKind::kTableSize:
          return "table";
        default:
          return "reference types";
      }
      for (uint32_t i = 0; i < inst.num_results; ++i) {
        ValType t = graph.type_of(graph.result(id, i));
        if (!is_int(t)) return type_reason(t);
      }
    }
  }
  return {};
}

CompilerBackendResult compile_with_asmjit_compiler(const Graph& graph, const Module& module,
                                                   const platform::CpuFeatures& cpu,
                                                   bool want_assembly) {
  Lowering lowering(graph, module, cpu);
  return lowering.run(want_assembly);
}

}  // namespace keel::bench

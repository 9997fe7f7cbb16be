#include "jit/optimizing/verifier.h"

#include <algorithm>
#include <string>

#include "jit/optimizing/dominators.h"
#include "jit/optimizing/printer.h"

namespace keel::jit::opt {

namespace {

class Verifier {
 public:
  explicit Verifier(const Graph& graph)
      : graph_(graph), dom_(graph), position_(graph.num_insts(), 0) {}

  Status run() {
    const std::vector<BlockId>& layout = graph_.layout();
    if (layout.empty() || layout[0] != graph_.entry()) return fail("the entry block is not first");
    const Block& entry = graph_.block(graph_.entry());
    const std::vector<ValType>& params = graph_.signature().params;
    if (entry.params.size() != params.size()) return fail("entry parameters differ from signature");
    for (size_t i = 0; i < params.size(); ++i)
      if (graph_.type_of(entry.params[i]) != params[i])
        return fail("entry parameter " + value_name(entry.params[i]) + " has the wrong type");

    for (BlockId b : layout) {
      const Block& block = graph_.block(b);
      if (block.removed) return fail(block_name(b) + " is removed but still laid out");
      for (uint32_t i = 0; i < block.insts.size(); ++i) position_[block.insts[i].index] = i;
    }
    for (BlockId b : layout) KEEL_TRY(check_block(b));
    return check_predecessors();
  }

 private:
  Status fail(const std::string& message) const { return make_error(ErrorKind::kInvalid, message); }

  Status check_block(BlockId b) {
    const Block& block = graph_.block(b);
    if (block.insts.empty()) return fail(block_name(b) + " is empty");
    for (size_t i = 0; i < block.insts.size(); ++i) {
      InstId id = block.insts[i];
      const Inst& inst = graph_.inst(id);
      std::string where = block_name(b) + ": " + print_inst(graph_, id);
      if (inst.dead) return fail(where + ": a dead instruction is still in its block");
      if (inst.block != b) return fail(where + ": the instruction names another block");
      bool last = i + 1 == block.insts.size();
      if (is_terminator(inst.kind) && !last) return fail(where + ": terminator before block end");
      if (!is_terminator(inst.kind) && last) return fail(block_name(b) + " lacks a terminator");
      for (const ValueId& v : inst.operands) KEEL_TRY(check_use(v, b, id, where));
      for (const BlockCall& call : inst.targets) {
        for (const ValueId& v : call.args) KEEL_TRY(check_use(v, b, id, where));
        KEEL_TRY(check_block_call(call, where));
      }
      KEEL_TRY(check_types(id, inst, where));
    }
    return {};
  }

  Status check_use(ValueId v, BlockId use_block, InstId user, const std::string& where) {
    if (!v.valid() || v.index >= graph_.num_values()) return fail(where + ": unknown value");
    const Value& value = graph_.value(v);
    std::string name = value_name(v);
    if (value.alias.valid()) return fail(where + ": " + name + " is an unresolved alias");
    BlockId def_block;
    if (value.is_param) {
      const Block& block = graph_.block(value.block);
      if (block.removed || value.index >= block.params.size() || block.params[value.index] != v)
        return fail(where + ": " + name + " is no longer a block parameter");
      def_block = value.block;
    } else {
      const Inst& def = graph_.inst(value.inst);
      if (def.dead) return fail(where + ": " + name + " is defined by a removed instruction");
      def_block = def.block;
    }
    if (!dom_.reachable(use_block)) return {};
    bool dominated = def_block == use_block
                         ? value.is_param || position_[value.inst.index] < position_[user.index]
                         : dom_.dominates(def_block, use_block);
    if (!dominated) return fail(where + ": the definition of " + name + " does not dominate it");
    return {};
  }

  Status check_block_call(const BlockCall& call, const std::string& where) {
    if (!call.block.valid() || call.block.index >= graph_.num_blocks() ||
        graph_.block(call.block).removed)
      return fail(where + ": branch to a missing block");
    if (call.block == graph_.entry()) return fail(where + ": branch to the entry block");
    const std::vector<ValueId>& params = graph_.block(call.block).params;
    if (params.size() != call.args.size())
      return fail(where + ": " + std::to_string(call.args.size()) + " arguments for " +
                  std::to_string(params.size()) + " parameters of " + block_name(call.block));
    for (size_t i = 0; i < params.size(); ++i)
      if (graph_.type_of(params[i]) != graph_.type_of(call.args[i]))
        return fail(where + ": argument " + value_name(call.args[i]) + " does not match " +
                    value_name(params[i]));
    return {};
  }

  Status expect_operands(const Inst& inst, std::initializer_list<ValType> types,
                         const std::string& where) {
    if (inst.operands.size() != types.size()) return fail(where + ": wrong operand count");
    size_t i = 0;
    for (ValType t : types) {
      if (t != ValType::kBottom && graph_.type_of(inst.operands[i]) != t)
        return fail(where + ": operand " + value_name(inst.operands[i]) + " is not " +
                    val_type_name(t));
      ++i;
    }
    return {};
  }

  Status expect_result(const Inst& inst, bool has_result, const std::string& where) {
    if ((inst.num_results == 1) != has_result || inst.num_results > 1)
      return fail(where + ": wrong result count");
    return {};
  }

  Status expect_values(std::span<const ValueId> values, size_t begin,
                       const std::vector<ValType>& types, const std::string& where) {
    if (values.size() - begin < types.size()) return fail(where + ": too few operands");
    for (size_t i = 0; i < types.size(); ++i)
      if (graph_.type_of(values[begin + i]) != types[i])
        return fail(where + ": operand " + value_name(values[begin + i]) + " is not " +
                    val_type_name(types[i]));
    return {};
  }

  // Checks a wasm signature from opcodes.def; memory instructions accept an i64 address.
  Status check_signature(const Inst& inst, const std::string& where) {
    const OpInfo& info = op_info(inst.op);
    if (info.sig.polymorphic) return fail(where + ": polymorphic wasm instruction");
    if (inst.operands.size() != info.sig.num_params) return fail(where + ": wrong operand count");
    for (size_t i = 0; i < info.sig.num_params; ++i) {
      ValType actual = graph_.type_of(inst.operands[i]);
      bool address = i == 0 && is_memarg(info.imm);
      if (actual != info.sig.params[i] && !(address && actual == ValType::kI64))
        return fail(where + ": operand " + value_name(inst.operands[i]) + " is not " +
                    val_type_name(info.sig.params[i]));
    }
    if (inst.num_results != info.sig.num_results ||
        (inst.num_results && inst.type != info.sig.result))
      return fail(where + ": result does not match the signature");
    return {};
  }

  Status check_lanes(const Inst& inst, const std::string& where) {
    ImmKind imm = op_info(inst.op).imm;
    if (imm == ImmKind::Shuffle) {
      for (int i = 0; i < 16; ++i)
        if (((inst.imm[i / 8] >> (8 * (i % 8))) & 0xff) >= 32)
          return fail(where + ": shuffle lane out of range");
    } else if (uint32_t lanes = lane_count(imm); lanes && inst.imm[1] >= lanes) {
      return fail(where + ": lane index out of range");
    }
    return {};
  }

  Status check_types(InstId id, const Inst& inst, const std::string& where) {
    using VT = ValType;
    constexpr VT kAny = VT::kBottom;
    (void)id;
    switch (inst.kind) {
      case InstKind::kConst:
        if (inst.type == VT::kBottom || is_ref_type(inst.type)) return fail(where + ": bad type");
        return expect_operands(inst, {}, where);
      case InstKind::kWasm: {
        // Instructions with other immediates (constants, indices, memargs) have their own kinds.
        if (inst.op >= Op::kCount) return fail(where + ": not a wasm instruction");
        ImmKind imm = op_info(inst.op).imm;
        if (imm != ImmKind::None && imm != ImmKind::Shuffle && lane_count(imm) == 0)
          return fail(where + ": not a pure wasm instruction");
        KEEL_TRY(check_lanes(inst, where));
        return check_signature(inst, where);
      }
      case InstKind::kSelect:
        KEEL_TRY(expect_operands(inst, {VT::kI32, inst.type, inst.type}, where));
        return expect_result(inst, true, where);
      case InstKind::kMulHigh:
        if ((inst.type != VT::kI32 && inst.type != VT::kI64) || inst.index > 1)
          return fail(where + ": mul_high is signed or unsigned, on i32 or i64");
        KEEL_TRY(expect_operands(inst, {inst.type, inst.type}, where));
        return expect_result(inst, true, where);
      case InstKind::kRefNull:
        if (!is_ref_type(inst.type)) return fail(where + ": not a reference type");
        return expect_operands(inst, {}, where);
      case InstKind::kRefFunc:
        if (inst.type != VT::kFuncRef) return fail(where + ": ref.func is a funcref");
        return expect_operands(inst, {}, where);
      case InstKind::kRefIsNull:
        if (inst.operands.size() != 1 || !is_ref_type(graph_.type_of(inst.operands[0])))
          return fail(where + ": ref.is_null takes a reference");
        if (inst.type != VT::kI32) return fail(where + ": ref.is_null yields i32");
        return {};
      case InstKind::kLoad:
      case InstKind::kStore:
        if (inst.op >= Op::kCount || !is_memarg(op_info(inst.op).imm))
          return fail(where + ": not a memory instruction");
        if ((inst.kind == InstKind::kLoad) != (op_info(inst.op).sig.num_results == 1))
          return fail(where + ": load and store confused");
        KEEL_TRY(check_lanes(inst, where));
        return check_signature(inst, where);
      case InstKind::kGlobalGet:
        KEEL_TRY(expect_operands(inst, {}, where));
        return expect_result(inst, true, where);
      case InstKind::kOsrValue:
        if (inst.block != graph_.entry())
          return fail(where + ": osr.value outside the entry block");
        KEEL_TRY(expect_operands(inst, {}, where));
        return expect_result(inst, true, where);
      case InstKind::kGlobalSet:
        KEEL_TRY(expect_operands(inst, {kAny}, where));
        return expect_result(inst, false, where);
      case InstKind::kTableGet:
        if (!is_ref_type(inst.type)) return fail(where + ": table.get yields a reference");
        return expect_operands(inst, {VT::kI32}, where);
      case InstKind::kTableSet:
        KEEL_TRY(expect_operands(inst, {VT::kI32, kAny}, where));
        if (!is_ref_type(graph_.type_of(inst.operands[1])))
          return fail(where + ": table.set stores a reference");
        return {};
      case InstKind::kTableSize:
      case InstKind::kMemorySize:
        if (inst.type != VT::kI32 && inst.type != VT::kI64) return fail(where + ": bad type");
        return expect_operands(inst, {}, where);
      case InstKind::kRuntimeCall:
        return {};
      case InstKind::kCall:
      case InstKind::kCallIndirect: {
        const FuncType& sig = graph_.call_signature(inst.call_signature);
        size_t extra = inst.kind == InstKind::kCallIndirect ? 1 : 0;
        if (inst.operands.size() != sig.params.size() + extra)
          return fail(where + ": wrong argument count");
        KEEL_TRY(expect_values(inst.operands, 0, sig.params, where));
        if (extra && graph_.type_of(inst.operands.back()) != VT::kI32)
          return fail(where + ": the callee index is not i32");
        return {};
      }
      case InstKind::kTrapIf:
        if (inst.trap_code == TrapCode::kNone) return fail(where + ": trap_if without a code");
        return expect_operands(inst, {VT::kI32}, where);
      case InstKind::kJump:
        if (inst.targets.size() != 1) return fail(where + ": jump needs one target");
        return expect_operands(inst, {}, where);
      case InstKind::kBranch:
        if (inst.targets.size() != 2) return fail(where + ": brif needs two targets");
        return expect_operands(inst, {VT::kI32}, where);
      case InstKind::kSwitch:
        if (inst.targets.empty()) return fail(where + ": br_table needs a default");
        return expect_operands(inst, {VT::kI32}, where);
      case InstKind::kReturn:
        if (inst.operands.size() != graph_.signature().results.size())
          return fail(where + ": wrong number of return values");
        return expect_values(inst.operands, 0, graph_.signature().results, where);
      case InstKind::kTrap:
        if (inst.trap_code == TrapCode::kNone) return fail(where + ": trap without a code");
        return expect_operands(inst, {}, where);
    }
    return fail(where + ": unknown instruction kind");
  }

  // The incremental predecessor lists must list exactly the edges of the laid-out terminators.
  Status check_predecessors() {
    for (BlockId b : graph_.layout()) {
      std::vector<Edge> expected;
      for (BlockId p : graph_.layout()) {
        InstId term = graph_.terminator(p);
        const std::vector<BlockCall>& targets = graph_.inst(term).targets;
        for (uint32_t slot = 0; slot < targets.size(); ++slot)
          if (targets[slot].block == b) expected.push_back(Edge{term, slot});
      }
      std::vector<Edge> actual(graph_.block(b).preds.begin(), graph_.block(b).preds.end());
      auto order = [](const Edge& x, const Edge& y) {
        return x.inst != y.inst ? x.inst < y.inst : x.slot < y.slot;
      };
      std::sort(expected.begin(), expected.end(), order);
      std::sort(actual.begin(), actual.end(), order);
      if (expected != actual) return fail(block_name(b) + ": stale predecessor list");
    }
    return {};
  }

  const Graph& graph_;
  DominatorTree dom_;
  std::vector<uint32_t> position_;
};

}  // namespace

Status verify(const Graph& graph) {
  return Verifier(graph).run();
}

}  // namespace keel::jit::opt

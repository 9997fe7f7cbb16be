#include "jit/optimizing/ssa_builder.h"

#include <cstdlib>

namespace keel::jit::opt {

namespace {

// The single value other than `param` itself that every incoming edge passes for it, or an
// invalid id when there are two or more (or none).
ValueId trivial_replacement(const Graph& graph, ValueId param) {
  const Value& value = graph.value(param);
  ValueId same;
  for (const Edge& e : graph.block(value.block).preds) {
    const ValueList& args = graph.inst(e.inst).targets[e.slot].args;
    if (value.index >= args.size()) return ValueId();  // an edge not filled in yet
    ValueId arg = graph.resolve(args[value.index]);
    if (arg == same || arg == param) continue;
    if (same.valid()) return ValueId();
    same = arg;
  }
  return same;
}

}  // namespace

Variable SsaBuilder::declare_var(ValType type) {
  var_types_.push_back(type);
  defs_.emplace_back();
  return Variable{static_cast<uint32_t>(var_types_.size() - 1)};
}

SsaBuilder::BlockState& SsaBuilder::state(BlockId block) {
  if (blocks_.size() <= block.index) blocks_.resize(block.index + 1);
  // The entry has no incoming edges: it is sealed from the start.
  if (block == graph_.entry()) blocks_[block.index].sealed = true;
  return blocks_[block.index];
}

bool SsaBuilder::is_sealed(BlockId block) const {
  return block == graph_.entry() || (block.index < blocks_.size() && blocks_[block.index].sealed);
}

void SsaBuilder::def_var(Variable var, BlockId block, ValueId value) {
  std::vector<ValueId>& defs = defs_[var.index];
  if (defs.size() <= block.index) defs.resize(block.index + 1);
  defs[block.index] = value;
}

ValueId SsaBuilder::lookup(Variable var, BlockId block) const {
  const std::vector<ValueId>& defs = defs_[var.index];
  return block.index < defs.size() ? graph_.resolve(defs[block.index]) : ValueId();
}

ValueId SsaBuilder::use_var(Variable var, BlockId block) {
  ValueId known = lookup(var, block);
  return known.valid() ? known : use_var_recursive(var, block);
}

ValueId SsaBuilder::use_var_recursive(Variable var, BlockId block) {
  ValType type = var_types_[var.index];
  ValueId result;
  if (!is_sealed(block)) {
    result = graph_.add_block_param(block, type);
    state(block).incomplete.push_back(Pending{var, result});
  } else {
    // The one predecessor block, if every edge comes from it (no allocation: this runs for
    // every use of a local that its block does not define).
    BlockId single;
    bool several = false;
    for (const Edge& e : graph_.block(block).preds) {
      BlockId from = graph_.inst(e.inst).block;
      if (!single.valid()) {
        single = from;
      } else if (from != single) {
        several = true;
        break;
      }
    }
    if (visiting_.size() <= block.index) visiting_.resize(block.index + 1, 0);
    if (!single.valid() || visiting_[block.index] == chain_) {
      // Only the entry (before a definition) and unreachable blocks get here, the latter also
      // through a cycle of single predecessors; wasm locals start as zero.
      result = zero_of(type);
    } else if (!several) {
      uint32_t before = visiting_[block.index];
      visiting_[block.index] = chain_;
      result = use_var(var, single);
      visiting_[block.index] = before;
    } else {
      ValueId param = graph_.add_block_param(block, type);
      def_var(var, block, param);  // breaks the cycle through loops
      uint32_t outer = chain_;
      chain_ = ++chains_;
      add_param_args(var, block, param);
      chain_ = outer;
      result = try_remove_trivial(param);
    }
  }
  def_var(var, block, result);
  return result;
}

void SsaBuilder::add_param_args(Variable var, BlockId block, ValueId param) {
  // Recursion may append instructions and parameters elsewhere: re-fetch after each use_var.
  size_t edges = graph_.block(block).preds.size();
  for (size_t i = 0; i < edges; ++i) {
    Edge e = graph_.block(block).preds[i];
    ValueId arg = use_var(var, graph_.inst(e.inst).block);
    ValueList& args = graph_.inst(e.inst).targets[e.slot].args;
    // Parameters before `param` all have their arguments, so it lands in its own position.
    if (args.size() != graph_.value(param).index) std::abort();
    args.push_back(arg);
  }
}

ValueId SsaBuilder::try_remove_trivial(ValueId param) {
  ValueId same = trivial_replacement(graph_, param);
  if (!same.valid()) return param;
  graph_.remove_block_param(graph_.value(param).block, graph_.value(param).index);
  graph_.make_alias(param, same);
  return same;
}

ValueId SsaBuilder::zero_of(ValType type) {
  Inst inst;
  if (is_ref_type(type)) {
    inst.kind = InstKind::kRefNull;
  } else {
    inst.kind = InstKind::kConst;
  }
  inst.type = type;
  inst.effects = default_effects(inst);
  return graph_.result(graph_.insert(graph_.entry(), 0, std::move(inst)));
}

void SsaBuilder::seal(BlockId block) {
  if (is_sealed(block)) return;
  for (size_t i = 0; i < state(block).incomplete.size(); ++i) {
    Pending pending = state(block).incomplete[i];
    add_param_args(pending.var, block, pending.param);
  }
  // Trivial ones go only once all are filled in: removing one shifts the positions of the others.
  for (size_t i = 0; i < state(block).incomplete.size(); ++i) {
    ValueId param = state(block).incomplete[i].param;
    if (!graph_.value(param).alias.valid()) try_remove_trivial(param);
  }
  state(block).incomplete.clear();
  state(block).sealed = true;
}

void SsaBuilder::finish() {
  for (BlockId b : graph_.layout()) seal(b);
  remove_trivial_block_params(graph_);
}

bool remove_trivial_block_params(Graph& graph) {
  bool any = false;
  for (bool changed = true; changed;) {
    changed = false;
    for (BlockId b : graph.layout()) {
      if (b == graph.entry()) continue;
      for (size_t i = graph.block(b).params.size(); i-- > 0;) {
        ValueId param = graph.block(b).params[i];
        ValueId same = trivial_replacement(graph, param);
        if (!same.valid()) continue;
        graph.remove_block_param(b, static_cast<uint32_t>(i));
        graph.make_alias(param, same);
        changed = any = true;
      }
    }
  }
  graph.resolve_aliases();
  return any;
}

}  // namespace keel::jit::opt

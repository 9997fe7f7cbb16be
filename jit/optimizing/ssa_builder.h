// SSA construction while the graph is being built, after Braun et al., "Simple and Efficient
// Construction of Static Single Assignment Form" (CC 2013): it needs no dominance information, so
// the one-pass wasm decoder can map locals to variables and define and use them as it goes.
// Merges become block parameters; the edges into a block get the matching arguments.
//
// A block may be sealed once all edges into it exist (a loop header after its back edges). Until
// then a use in it makes a provisional parameter that seal() completes. finish() removes the
// parameters that turned out trivial (every incoming argument the same value, or itself).
//
// A block's own parameters (a wasm block's results, a loop's parameters) must be added before
// any use_var in or through it, and edges into a block may be made only while it is unsealed:
// variable parameters always come last, and each edge gets their arguments in order.
#pragma once

#include <vector>

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

struct Variable {
  uint32_t index = 0;
};

class SsaBuilder {
 public:
  explicit SsaBuilder(Graph& graph) : graph_(graph) {}

  Variable declare_var(ValType type);
  void def_var(Variable var, BlockId block, ValueId value);
  // The value of `var` at the end of `block` so far (at the current point while building it).
  ValueId use_var(Variable var, BlockId block);
  void seal(BlockId block);
  bool is_sealed(BlockId block) const;
  // Seals what is left and removes trivial block parameters; resolves aliases in the graph.
  void finish();

 private:
  struct Pending {
    Variable var;
    ValueId param;
  };
  struct BlockState {
    bool sealed = false;
    std::vector<Pending> incomplete;
  };

  BlockState& state(BlockId block);
  ValueId lookup(Variable var, BlockId block) const;
  ValueId use_var_recursive(Variable var, BlockId block);
  void add_param_args(Variable var, BlockId block, ValueId param);
  ValueId try_remove_trivial(ValueId param);
  ValueId zero_of(ValType type);

  Graph& graph_;
  std::vector<ValType> var_types_;
  std::vector<std::vector<ValueId>> defs_;  // [var][block]
  std::vector<BlockState> blocks_;
  // Blocks on the current chain of single predecessors, by the chain's number: a block whose
  // number is `chain_` closes a cycle (unreachable code). A lookup that goes on through a merge
  // starts a new chain, since the merge's parameter breaks any cycle through it; the blocks of
  // the chain that led there are still on the stack but not on the new chain.
  std::vector<uint32_t> visiting_;
  uint32_t chain_ = 1, chains_ = 1;
};

// Removes block parameters whose incoming arguments are all one value (ignoring the parameter
// itself), until none is left; returns whether any went. Resolves aliases.
bool remove_trivial_block_params(Graph& graph);

}  // namespace keel::jit::opt

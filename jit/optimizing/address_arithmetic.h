// Integer additions of a scaled index and a displacement as one x86 `lea`: `(x << 3) + y + 48`
// takes one instruction instead of four (mov, shl, add, add), which is most of the address
// arithmetic clang emits for arrays in linear memory. An add whose operands are an add or a
// shift by 1, 2 or 3 that has no other use and comes right before it (nothing that emits code in
// between) takes that instruction into its lea, which is then not emitted on its own. lea reads
// every operand before it writes its result, and the operands of the instructions it takes are
// still in their registers then, as nothing ran since their last use.
#pragma once

#include <cstdint>
#include <vector>

#include "jit/optimizing/ir.h"
#include "jit/optimizing/load_fusion.h"

namespace keel::jit::opt {

struct LeaForm {
  ValueId base;       // may be invalid (no base)
  ValueId index;      // may be invalid (no index)
  uint8_t scale = 0;  // log2: index * 2^scale
  int32_t displacement = 0;
};

struct AddressArithmetic {
  std::vector<bool> taken;    // by InstId: emitted as part of a later add's lea
  std::vector<int32_t> form;  // by InstId of an add emitted as a lea: index into `forms`, or -1
  std::vector<LeaForm> forms;
};

// Leaves alone the instructions that take a fused load, whose operand is not in a register.
AddressArithmetic find_lea_forms(const Graph& graph, const FusedLoads& loads);

}  // namespace keel::jit::opt

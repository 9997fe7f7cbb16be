// The textual dump of tier-2 IR, for debugging and for tests that compare a function's text
// before and after a pass. Stable: values, blocks and immediates print from their ids and bits.
//
//   function (i32, i32) -> (i32) {
//   block0(v0: i32, v1: i32):
//     v2 = i32.add v0, v1
//     brif v2, block1(v2), block2
//   ...
#pragma once

#include <functional>
#include <string>

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// `annotate`, when given, adds a comment after each instruction (its module offset, its
// registers): empty strings add nothing.
using InstAnnotator = std::function<std::string(InstId)>;
std::string print_graph(const Graph& graph, const InstAnnotator& annotate = {});
std::string print_inst(const Graph& graph, InstId id);
std::string value_name(ValueId id);  // "v3"
std::string block_name(BlockId id);  // "block1"
// "integer_divide_by_zero": the runtime's trap message in identifier form.
std::string trap_name(TrapCode code);

}  // namespace keel::jit::opt

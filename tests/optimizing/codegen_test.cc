// Tier 2's back end on hand-built graphs: each test compiles IR, installs the code and runs it
// through the entry trampoline (codegen_harness.h), checking results and traps; where the
// graph is in the IR interpreter's subset the interpreter is the reference.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "codegen_harness.h"
#include "ir_interpreter.h"
#include "jit/optimizing/builder.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/ssa_builder.h"
#include "jit/optimizing/verifier.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;
using test::RunResult;
using test::Tier2Harness;

// Compiles one function and runs it on each input, checking it against the interpreter.
void expect_matches_interpreter(const Graph& g, const std::vector<std::vector<uint64_t>>& inputs) {
  ASSERT_TRUE(verify(g).ok()) << print_graph(g);
  Tier2Harness h;
  uint32_t f = h.add_function(g);
  ASSERT_TRUE(h.build()) << h.error() << "\n" << print_graph(g);
  for (const std::vector<uint64_t>& in : inputs) {
    test::Outcome want = test::interpret(g, in);
    ASSERT_TRUE(want.finished);
    RunResult got = h.call(f, in);
    EXPECT_EQ(got.trap != vm::TrapCode::kNone, want.trapped) << print_graph(g);
    if (!want.trapped) {
      std::vector<uint64_t> masked;
      for (size_t i = 0; i < want.results.size(); ++i)
        masked.push_back(g.signature().results[i] == VT::kI32 ? want.results[i] & 0xffffffffu
                                                              : want.results[i]);
      EXPECT_EQ(got.results, masked) << print_graph(g);
    }
  }
}

TEST(Codegen, ReturnsArithmeticOfParameters) {
  Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32}});
  Builder b(g);
  ValueId x = g.block(g.entry()).params[0], y = g.block(g.entry()).params[1];
  ValueId sum = b.wasm(Op::kI32Add, {x, y});
  ValueId prod = b.wasm(Op::kI32Mul, {sum, b.i32_const(3)});
  b.ret({b.wasm(Op::kI32Sub, {prod, x})});
  expect_matches_interpreter(g, {{1, 2}, {0xffffffff, 5}, {100, 0}});
}

}  // namespace
}  // namespace keel::jit::opt

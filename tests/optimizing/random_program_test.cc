// Seeded random functions built through the SSA builder the way the wasm graph builder will
// (locals as variables, loops with back edges, blocks sealed as soon as their predecessors
// exist), then checked: the graph verifies, and every pass, alone or in the pipeline, leaves it
// valid and computing the same results and traps on a set of inputs.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ir_interpreter.h"
#include "jit/optimizing/builder.h"
#include "jit/optimizing/passes/cfg_simplification.h"
#include "jit/optimizing/passes/constant_folding.h"
#include "jit/optimizing/passes/copy_propagation.h"
#include "jit/optimizing/passes/dce.h"
#include "jit/optimizing/passes/gvn.h"
#include "jit/optimizing/passes/licm.h"
#include "jit/optimizing/passes/pipeline.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/ssa_builder.h"
#include "jit/optimizing/verifier.h"
#include "random_program.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;
using test::RandomProgram;

const std::vector<std::vector<uint64_t>> kInputs = {
    {0, 0}, {1, 2}, {0xffffffff, 7}, {0x80000000, 0xffffffff}, {0x1234, 3}, {100, 0}, {5, 5},
};

std::vector<test::Outcome> run_all(const Graph& g) {
  std::vector<test::Outcome> out;
  for (const std::vector<uint64_t>& in : kInputs) out.push_back(test::interpret(g, in));
  return out;
}

void check_same(const Graph& before, const Graph& after, const std::vector<test::Outcome>& want,
                const std::string& what) {
  Status status = verify(after);
  ASSERT_TRUE(status.ok()) << what << ": " << status.error().message << "\nbefore:\n"
                           << print_graph(before) << "after:\n"
                           << print_graph(after);
  EXPECT_EQ(run_all(after), want) << what << "\nbefore:\n"
                                  << print_graph(before) << "after:\n"
                                  << print_graph(after);
}

TEST(RandomPrograms, BuilderMakesValidSsaAndPassesKeepSemantics) {
  int finished = 0, trapped = 0;
  size_t params = 0, insts_before = 0, insts_after = 0;
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Graph g = RandomProgram(seed).build();
    Status status = verify(g);
    ASSERT_TRUE(status.ok()) << status.error().message << "\n" << print_graph(g);
    for (BlockId b : g.layout()) params += b != g.entry() ? g.block(b).params.size() : 0;
    std::vector<test::Outcome> want = run_all(g);
    for (const test::Outcome& o : want) {
      ASSERT_TRUE(o.finished) << print_graph(g);
      trapped += o.trapped;
      finished += !o.trapped;
    }

    struct Single {
      const char* name;
      bool (*run)(Graph&);
    };
    for (Single pass : {Single{"constant folding", run_constant_folding},
                        Single{"copy propagation", run_copy_propagation}, Single{"gvn", run_gvn},
                        Single{"dce", run_dce}, Single{"licm", run_licm}}) {
      Graph copy = g;
      pass.run(copy);
      check_same(g, copy, want, pass.name);
    }
    Graph all = g;
    PassOptions options;
    options.verify_after_each_pass = true;
    Status piped = run_passes(all, options);
    ASSERT_TRUE(piped.ok()) << piped.error().message << "\n" << print_graph(g);
    check_same(g, all, want, "pipeline");
    for (BlockId b : g.layout()) insts_before += g.block(b).insts.size();
    for (BlockId b : all.layout()) insts_after += all.block(b).insts.size();
    if (HasFatalFailure() || HasNonfatalFailure()) return;
  }
  // Both outcomes must be common enough for the comparison to mean something.
  EXPECT_GT(finished, 1000);
  EXPECT_GT(trapped, 100);
  EXPECT_GT(params, 1000u);                  // merges and loops made block parameters
  EXPECT_LT(insts_after, insts_before / 2);  // and the passes had something to do
}

}  // namespace
}  // namespace keel::jit::opt

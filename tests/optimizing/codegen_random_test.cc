// The back end's differential test: every seeded random program (random_program.h) is compiled
// by tier 2, as built and after the pass pipeline, and run on a set of inputs; results and traps
// must match the IR interpreter's. Programs with many locals force spills.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "codegen_harness.h"
#include "ir_interpreter.h"
#include "jit/optimizing/passes/pipeline.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/verifier.h"
#include "random_program.h"

namespace keel::jit::opt {
namespace {

const std::vector<std::vector<uint64_t>> kInputs = {
    {0, 0}, {1, 2}, {0xffffffff, 7}, {0x80000000, 0xffffffff}, {0x1234, 3}, {100, 0}, {5, 5},
};

struct Tally {
  uint32_t functions = 0, runs = 0, traps = 0, mismatches = 0;
  uint64_t allocated = 0, spilled = 0, call_saved = 0, non_contiguous_loops = 0;
  uint64_t rematerialized = 0, fused = 0, edge_moves = 0;
};

// Compiles `g` and compares every input's outcome with the interpreter's. With `features`, g
// may call RandomProgram::callee_graph() (function 0) and use a page of memory, which both
// sides carry from one input to the next and must agree on at the end.
void check(const Graph& g, const std::string& what, Tally& tally, uint32_t features = 0) {
  test::Tier2Harness h(features ? 1 : 0);
  Graph callee = test::RandomProgram::callee_graph();
  if (features) h.add_function(callee);
  uint32_t f = h.add_function(g);
  std::vector<uint8_t> memory(65536, 0);
  test::Environment env;
  env.memory = &memory;
  env.call = [&](uint32_t,
                 const std::vector<uint64_t>& args) -> std::optional<std::vector<uint64_t>> {
    test::Outcome o = test::interpret(callee, args, 100000, &env);
    if (o.trapped) return std::nullopt;
    return o.results;
  };
  ASSERT_TRUE(h.build()) << what << ": " << h.error() << "\n" << print_graph(g);
  ++tally.functions;
  tally.allocated += h.stats().allocated_values;
  tally.spilled += h.stats().spilled_values;
  tally.call_saved += h.stats().call_saved_values;
  tally.non_contiguous_loops += h.stats().non_contiguous_loops;
  tally.rematerialized += h.stats().rematerialized_values;
  tally.fused += h.stats().fused_compares;
  tally.edge_moves += h.stats().edge_moves;
  for (const std::vector<uint64_t>& in : kInputs) {
    test::Outcome want = test::interpret(g, in, 100000, &env);
    ASSERT_TRUE(want.finished) << print_graph(g);
    test::RunResult got = h.call(f, in);
    ++tally.runs;
    tally.traps += want.trapped;
    bool same = (got.trap != vm::TrapCode::kNone) == want.trapped;
    if (same && !want.trapped) {
      std::vector<uint64_t> masked;
      for (uint64_t r : want.results) masked.push_back(r & 0xffffffffu);  // i32 results
      same = got.results == masked;
    }
    if (!same) {
      ++tally.mismatches;
      ADD_FAILURE() << what << " input " << in[0] << ", " << in[1] << ": trap "
                    << static_cast<int>(got.trap) << " want trapped " << want.trapped << "\n"
                    << print_graph(g);
      return;
    }
  }
  if (features) {
    EXPECT_EQ(std::memcmp(h.memory(), memory.data(), memory.size()), 0)
        << what << ": memory differs\n"
        << print_graph(g);
  }
}

// KEEL_TIER2_SEED_FACTOR=n runs n times as many seeds (each range continues past its end into
// seeds the default run does not use), for a longer search by hand.
uint32_t seed_factor() {
  const char* text = std::getenv("KEEL_TIER2_SEED_FACTOR");
  int factor = text ? std::atoi(text) : 1;
  return factor > 1 ? static_cast<uint32_t>(factor) : 1;
}

void run_seeds(int num_vars, uint32_t first, uint32_t last, Tally& tally, uint32_t features = 0) {
  uint32_t count = last - first + 1;
  if (seed_factor() > 1) first = first * 1000, last = first + count * seed_factor() - 1;
  for (uint32_t seed = first; seed <= last; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed) + ", " + std::to_string(num_vars) + " locals");
    Graph g = test::RandomProgram(seed, num_vars, features).build();
    ASSERT_TRUE(verify(g).ok()) << print_graph(g);
    check(g, "as built", tally, features);
    Graph optimized = g;
    ASSERT_TRUE(run_passes(optimized, PassOptions{}).ok());
    check(optimized, "after the pipeline", tally, features);
    if (tally.mismatches > 5 || testing::Test::HasFatalFailure()) return;
  }
}

TEST(CodegenRandomPrograms, MatchTheInterpreter) {
  Tally tally;
  run_seeds(4, 1, 400, tally);
  EXPECT_EQ(tally.mismatches, 0u);
  EXPECT_EQ(tally.functions, 800u * seed_factor());
  EXPECT_GT(tally.traps, 100u);  // traps are common enough to be compared
  EXPECT_EQ(tally.non_contiguous_loops, 0u);
  EXPECT_GT(tally.fused, 500u);  // back-edge and trap_if conditions are fused compares
  std::printf(
      "tier 2 random programs (4 locals): %u functions, %u runs, %u traps, %u mismatches; "
      "%llu values, %llu spilled, %llu constants rematerialized, %llu fused compares, %llu edge "
      "moves\n",
      tally.functions, tally.runs, tally.traps, tally.mismatches,
      static_cast<unsigned long long>(tally.allocated),
      static_cast<unsigned long long>(tally.spilled),
      static_cast<unsigned long long>(tally.rematerialized),
      static_cast<unsigned long long>(tally.fused),
      static_cast<unsigned long long>(tally.edge_moves));
}

TEST(CodegenRandomPrograms, MatchTheInterpreterUnderRegisterPressure) {
  Tally tally;
  run_seeds(24, 1001, 1300, tally);
  EXPECT_EQ(tally.mismatches, 0u);
  EXPECT_GT(tally.spilled, 100u);  // the point of this test: values had to live in slots
  std::printf(
      "tier 2 random programs (24 locals): %u functions, %u runs, %u traps, %u "
      "mismatches; %llu values, %llu spilled\n",
      tally.functions, tally.runs, tally.traps, tally.mismatches,
      static_cast<unsigned long long>(tally.allocated),
      static_cast<unsigned long long>(tally.spilled));
}

TEST(CodegenRandomPrograms, MatchTheInterpreterWithCallsAndMemory) {
  Tally tally;
  using P = test::RandomProgram;
  run_seeds(6, 2001, 2300, tally, P::kCalls | P::kMemory);
  run_seeds(16, 3001, 3200, tally, P::kCalls);
  EXPECT_EQ(tally.mismatches, 0u);
  EXPECT_GT(tally.call_saved, 300u);  // values lived across calls
  EXPECT_GT(tally.traps, 200u);
  std::printf(
      "tier 2 random programs with calls and memory: %u functions, %u runs, %u traps, "
      "%u mismatches; %llu values, %llu spilled, %llu saved around calls\n",
      tally.functions, tally.runs, tally.traps, tally.mismatches,
      static_cast<unsigned long long>(tally.allocated),
      static_cast<unsigned long long>(tally.spilled),
      static_cast<unsigned long long>(tally.call_saved));
}

TEST(CodegenRandomPrograms, MatchTheInterpreterWithFloatLocals) {
  Tally tally;
  using P = test::RandomProgram;
  run_seeds(4, 4001, 4300, tally, P::kFloats);
  run_seeds(20, 5001, 5200, tally, P::kFloats | P::kCalls | P::kMemory);
  EXPECT_EQ(tally.mismatches, 0u);
  EXPECT_GT(tally.spilled, 100u);
  std::printf(
      "tier 2 random programs with f64 locals: %u functions, %u runs, %u traps, "
      "%u mismatches; %llu values, %llu spilled, %llu saved around calls\n",
      tally.functions, tally.runs, tally.traps, tally.mismatches,
      static_cast<unsigned long long>(tally.allocated),
      static_cast<unsigned long long>(tally.spilled),
      static_cast<unsigned long long>(tally.call_saved));
}

}  // namespace
}  // namespace keel::jit::opt

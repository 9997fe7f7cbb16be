// The graph builder: wasm functions become graphs that verify and compute what the wasm does
// (checked with the IR interpreter), and every function of the spec suite's modules builds into a
// graph that verifies before and after the passes, identically with and without validation.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "base/byte_buffer.h"
#include "ir_interpreter.h"
#include "jit/optimizing/graph_builder.h"
#include "jit/optimizing/passes/pipeline.h"
#include "optimizing/graph_test_util.h"
#include "support/wasm_builder.h"
#include "validate/validator.h"
#include "wast_script.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;
using keel::test::Bytes;
using keel::test::WasmBuilder;
namespace op = keel::test::op;
using keel::test::cat;
using keel::test::i32_const;
using keel::test::local_get;
using keel::test::u32;

constexpr uint8_t kI32 = 0x7f;
constexpr uint8_t kI32Mul = 0x6c, kI32Sub = 0x6b, kI32LtS = 0x48;

Bytes local_set(uint32_t i) {
  return cat(op::kLocalSet, u32(i));
}
Bytes local_tee(uint32_t i) {
  return cat(op::kLocalTee, u32(i));
}

// Loads `b`, builds function `f`'s graph (validating and not), checks both verify and print the
// same, and returns the validating one.
Graph build(const WasmBuilder& b, uint32_t f) {
  auto module = load_module(ByteBuffer::copy_of(b.build()));
  EXPECT_TRUE(module.ok()) << (module.ok() ? "" : module.error().to_string());
  if (!module.ok()) return Graph(FuncType{});
  ValidationContext ctx(*module);
  std::fill(ctx.declared_functions.begin(), ctx.declared_functions.end(), 1);
  auto checked = build_graph(ctx, f);
  auto trusted = build_graph(ctx, f, {.validated = true});
  EXPECT_TRUE(checked.ok()) << (checked.ok() ? "" : checked.error().to_string());
  EXPECT_TRUE(trusted.ok());
  if (!checked.ok() || !trusted.ok()) return Graph(FuncType{});
  expect_valid(*checked);
  EXPECT_EQ(print_graph(*checked), print_graph(*trusted));
  return std::move(*checked);
}

uint64_t run1(const Graph& g, std::vector<uint64_t> args) {
  test::Outcome o = test::interpret(g, args);
  EXPECT_TRUE(o.finished && !o.trapped) << print_graph(g);
  return o.results.empty() ? ~0ull : o.results[0] & 0xffffffffu;
}

// Runs the graph before and after the pass pipeline on each input.
void expect_results(Graph g, const std::vector<std::pair<std::vector<uint64_t>, uint64_t>>& cases) {
  for (const auto& [args, expected] : cases) EXPECT_EQ(run1(g, args), expected) << print_graph(g);
  ASSERT_TRUE(run_passes(g).ok());
  expect_valid(g);
  for (const auto& [args, expected] : cases) EXPECT_EQ(run1(g, args), expected) << print_graph(g);
}

TEST(GraphBuilder, LoopWithLocalsIsFactorial) {
  WasmBuilder b;
  uint32_t t = b.type({VT::kI32}, {VT::kI32});
  // acc = 1; block { loop { br_if 1 (n == 0); acc *= n; n -= 1; br 0 } } acc
  uint32_t f =
      b.func(t,
             cat(i32_const(1), local_set(1), op::kBlock, op::kBlockEmpty, op::kLoop,
                 op::kBlockEmpty, local_get(0), op::kI32Eqz, op::kBrIf, u32(1), local_get(1),
                 local_get(0), kI32Mul, local_set(1), local_get(0), i32_const(1), kI32Sub,
                 local_set(0), op::kBr, u32(0), op::kEnd, op::kEnd, local_get(1)),
             {{1, VT::kI32}});
  Graph g = build(b, f);
  // The loop header carries both locals; nothing else makes a block parameter.
  expect_results(std::move(g), {{{0}, 1}, {{1}, 1}, {{5}, 120}, {{10}, 3628800}});
}

TEST(GraphBuilder, BrTableAndReturns) {
  WasmBuilder b;
  uint32_t t = b.type({VT::kI32}, {VT::kI32});
  // block { block { block { br_table 0 1 2 (x) } return 10 } return 20 } 30
  uint32_t f = b.func(
      t, cat(op::kBlock, op::kBlockEmpty, op::kBlock, op::kBlockEmpty, op::kBlock, op::kBlockEmpty,
             local_get(0), op::kBrTable, u32(2), u32(0), u32(1), u32(2), op::kEnd, i32_const(10),
             op::kReturn, op::kEnd, i32_const(20), op::kReturn, op::kEnd, i32_const(30)));
  expect_results(build(b, f), {{{0}, 10}, {{1}, 20}, {{2}, 30}, {{99}, 30}});
}

TEST(GraphBuilder, IfElseWithParamsAndIfWithoutElse) {
  WasmBuilder b;
  uint32_t t = b.type({VT::kI32, VT::kI32}, {VT::kI32});
  uint32_t bt = b.type({VT::kI32}, {VT::kI32});
  // y, then if (x) [i32 -> i32] { *2 } else { +3 }, then if (x == 0) [i32 -> i32] { +100 }
  uint32_t f = b.func(t, cat(local_get(1), local_get(0), op::kIf, u32(bt), i32_const(2), kI32Mul,
                             op::kElse, i32_const(3), op::kI32Add, op::kEnd, local_get(0),
                             op::kI32Eqz, op::kIf, u32(bt), i32_const(100), op::kI32Add, op::kEnd));
  expect_results(build(b, f), {{{1, 5}, 10}, {{0, 5}, 108}, {{7, 0}, 0}});
}

TEST(GraphBuilder, SelectTeeAndDeadCode) {
  WasmBuilder b;
  uint32_t t = b.type({VT::kI32}, {VT::kI32});
  // block(i32) { x*x via tee; br 0; <dead: arithmetic, a block, unreachable> } then
  // select(that, 7, x < 3)
  uint32_t f = b.func(
      t,
      cat(op::kBlock, kI32, local_get(0), local_tee(1), local_get(1), kI32Mul, op::kBr, u32(0),
          i32_const(1), op::kI32Add, op::kBlock, kI32, op::kUnreachable, op::kEnd, op::kDrop,
          op::kEnd, i32_const(7), local_get(0), i32_const(3), kI32LtS, op::kSelect),
      {{1, VT::kI32}});
  expect_results(build(b, f), {{{2}, 4}, {{5}, 7}, {{0xfffffffc}, 16}});
}

TEST(GraphBuilder, ReturnFromInsideLoopsAndUnreachableEnd) {
  WasmBuilder b;
  uint32_t t = b.type({VT::kI32}, {VT::kI32});
  // loop { if (x > 40) return x; x += 7; br 0 } unreachable
  uint32_t f = b.func(
      t, cat(op::kLoop, op::kBlockEmpty, local_get(0), i32_const(40), 0x4a, op::kIf,
             op::kBlockEmpty, local_get(0), op::kReturn, op::kEnd, local_get(0), i32_const(7),
             op::kI32Add, local_set(0), op::kBr, u32(0), op::kEnd, op::kUnreachable));
  expect_results(build(b, f), {{{41}, 41}, {{0}, 42}, {{40}, 47}});
}

TEST(GraphBuilder, UnsupportedInstructionsAreNamed) {
  WasmBuilder b;
  uint32_t t = b.type({}, {});
  uint32_t callee = b.func(t, {});
  uint32_t f = b.func(t, cat(uint8_t{0x12}, u32(callee)));  // return_call
  auto module = load_module(ByteBuffer::copy_of(b.build()), Features::all());
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  ValidationContext ctx(*module);
  auto g = build_graph(ctx, f);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().message, "tier 2 does not compile return_call yet");
}

// Every function of every module the core spec suite loads (its .wast scripts, read by the spec
// runner's script layer): it builds, or says which instruction it cannot express; the graph
// verifies before and after the passes; and the validating and trusting decoders build the same
// graph.
TEST(GraphBuilder, EverySpecFunctionVerifies) {
  namespace fs = std::filesystem;
  fs::path dir = KEEL_SPEC_SUITE_DIR;
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " is missing: put shared/ beside the repository";
  size_t modules = 0, functions = 0, built = 0;
  std::map<std::string, size_t> unsupported;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".wast") continue;
    auto script_modules = spec::read_wast_modules(entry.path());
    ASSERT_TRUE(script_modules.ok()) << script_modules.error().message;
    for (const auto& bytes : *script_modules) {
      auto module = load_module(bytes);
      if (!module.ok()) continue;  // the suite's invalid and malformed modules
      ++modules;
      ValidationContext ctx(*module);
      // load_module validated it, C.refs included; the runtime's context lists them again.
      std::fill(ctx.declared_functions.begin(), ctx.declared_functions.end(), 1);
      for (uint32_t f = module->num_imported_functions; f < module->functions.size(); ++f) {
        ++functions;
        auto g = build_graph(ctx, f, {.validated = true});
        if (!g.ok()) {
          ++unsupported[g.error().message];
          continue;
        }
        Status valid = verify(*g);
        ASSERT_TRUE(valid.ok()) << entry.path() << " function " << f << ": "
                                << valid.error().message << "\n"
                                << print_graph(*g);
        auto checked = build_graph(ctx, f);
        ASSERT_TRUE(checked.ok()) << entry.path() << " function " << f << ": "
                                  << checked.error().to_string();
        ASSERT_EQ(print_graph(*checked), print_graph(*g)) << entry.path() << " function " << f;
        ASSERT_TRUE(run_passes(*g).ok());
        valid = verify(*g);
        ASSERT_TRUE(valid.ok()) << entry.path() << " function " << f
                                << " after the passes: " << valid.error().message << "\n"
                                << print_graph(*g);
        ++built;
      }
    }
  }
  std::string reasons;
  for (const auto& [message, count] : unsupported)
    reasons += "\n  " + std::to_string(count) + " x " + message;
  std::printf("spec modules: %zu, functions: %zu, built and verified: %zu, not built: %zu%s\n",
              modules, functions, built, functions - built, reasons.c_str());
  EXPECT_GT(modules, 1000u);
  EXPECT_EQ(built, functions) << reasons;
}

}  // namespace
}  // namespace keel::jit::opt

// Strength reduction: the simple rewrites as IR text before and after, then every rewrite checked
// against wasm's own definition (fold_wasm_op) for many divisors and dividends, in the IR
// interpreter and in tier-2 machine code; and the back end's division by a constant, which
// needs no checks.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "codegen_harness.h"
#include "ir_interpreter.h"
#include "jit/optimizing/builder.h"
#include "jit/optimizing/codegen.h"
#include "jit/optimizing/passes/strength_reduction.h"
#include "jit/optimizing/printer.h"
#include "jit/optimizing/verifier.h"
#include "jit/optimizing/wasm_semantics.h"
#include "optimizing/graph_test_util.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

ValueId param(const Graph& g, size_t i) {
  return g.block(g.entry()).params[i];
}

// f(x) = op(x, c), or op(c, x) with `constant_first`.
Graph binary_with_constant(Op op, uint64_t c, bool constant_first = false) {
  VT type = op_info(op).sig.params[0];
  Graph g(FuncType{{type}, {type}});
  Builder b(g);
  ValueId k = b.constant(type, c);
  ValueId x = param(g, 0);
  b.ret({constant_first ? b.wasm(op, {k, x}) : b.wasm(op, {x, k})});
  return g;
}

std::string reduced(Graph& g) {
  EXPECT_TRUE(run_strength_reduction(g));
  expect_valid(g);
  EXPECT_FALSE(run_strength_reduction(g)) << "a second run still rewrites";
  return print_graph(g);
}

TEST(StrengthReduction, MultiplicationByPowersOfTwoZeroAndOne) {
  Graph g = binary_with_constant(Op::kI32Mul, 8);
  EXPECT_EQ(reduced(g),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const 8\n"
            "  v3 = i32.const 3\n"
            "  v4 = i32.shl v0, v3\n"
            "  return v4\n"
            "}\n");
  Graph wide = binary_with_constant(Op::kI64Mul, uint64_t{1} << 40, true);
  EXPECT_EQ(reduced(wide),
            "function (i64) -> (i64) {\n"
            "block0(v0: i64):\n"
            "  v1 = i64.const 1099511627776\n"
            "  v3 = i64.const 40\n"
            "  v4 = i64.shl v0, v3\n"
            "  return v4\n"
            "}\n");
  Graph one = binary_with_constant(Op::kI32Mul, 1);
  EXPECT_EQ(reduced(one),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const 1\n"
            "  return v0\n"
            "}\n");
  Graph zero = binary_with_constant(Op::kI64Mul, 0, true);
  EXPECT_EQ(reduced(zero),
            "function (i64) -> (i64) {\n"
            "block0(v0: i64):\n"
            "  v1 = i64.const 0\n"
            "  v3 = i64.const 0\n"
            "  return v3\n"
            "}\n");
  Graph other = binary_with_constant(Op::kI32Mul, 10);
  EXPECT_FALSE(run_strength_reduction(other));
}

TEST(StrengthReduction, UnsignedDivisionAndRemainderByPowersOfTwo) {
  Graph div = binary_with_constant(Op::kI32DivU, 16);
  EXPECT_EQ(reduced(div),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const 16\n"
            "  v3 = i32.const 4\n"
            "  v4 = i32.shr_u v0, v3\n"
            "  return v4\n"
            "}\n");
  Graph rem = binary_with_constant(Op::kI64RemU, 16);
  EXPECT_EQ(reduced(rem),
            "function (i64) -> (i64) {\n"
            "block0(v0: i64):\n"
            "  v1 = i64.const 16\n"
            "  v3 = i64.const 15\n"
            "  v4 = i64.and v0, v3\n"
            "  return v4\n"
            "}\n");
}

TEST(StrengthReduction, SignedDivisionByPowersOfTwoRoundsTowardZero) {
  Graph div = binary_with_constant(Op::kI32DivS, static_cast<uint32_t>(-4));
  EXPECT_EQ(reduced(div),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const -4\n"
            "  v3 = i32.const 31\n"
            "  v4 = i32.shr_s v0, v3\n"
            "  v5 = i32.const 30\n"
            "  v6 = i32.shr_u v4, v5\n"
            "  v7 = i32.add v0, v6\n"
            "  v8 = i32.const 2\n"
            "  v9 = i32.shr_s v7, v8\n"
            "  v10 = i32.const 0\n"
            "  v11 = i32.sub v10, v9\n"
            "  return v11\n"
            "}\n");
  Graph rem = binary_with_constant(Op::kI64RemS, 2);
  EXPECT_EQ(reduced(rem),
            "function (i64) -> (i64) {\n"
            "block0(v0: i64):\n"
            "  v1 = i64.const 2\n"
            "  v3 = i64.const 63\n"
            "  v4 = i64.shr_u v0, v3\n"
            "  v5 = i64.add v0, v4\n"
            "  v6 = i64.const -2\n"
            "  v7 = i64.and v5, v6\n"
            "  v8 = i64.sub v0, v7\n"
            "  return v8\n"
            "}\n");
}

TEST(StrengthReduction, OtherDivisorsMultiplyByTheReciprocal) {
  Graph div = binary_with_constant(Op::kI32DivU, 10);
  EXPECT_EQ(reduced(div),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const 10\n"
            "  v3 = i32.const -858993459\n"
            "  v4 = mul_high_u v0, v3\n"
            "  v5 = i32.const 3\n"
            "  v6 = i32.shr_u v4, v5\n"
            "  return v6\n"
            "}\n");
  Graph even = binary_with_constant(Op::kI32DivU, 14);
  // 7 needs a 33-bit reciprocal; the halved dividends of 14 do not.
  EXPECT_EQ(reduced(even),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const 14\n"
            "  v3 = i32.const 1\n"
            "  v4 = i32.shr_u v0, v3\n"
            "  v5 = i32.const -1840700269\n"
            "  v6 = mul_high_u v4, v5\n"
            "  v7 = i32.const 2\n"
            "  v8 = i32.shr_u v6, v7\n"
            "  return v8\n"
            "}\n");
  Graph rem = binary_with_constant(Op::kI32RemS, 7);
  EXPECT_EQ(reduced(rem),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const 7\n"
            "  v3 = i32.const -1840700269\n"
            "  v4 = mul_high_s v0, v3\n"
            "  v5 = i32.add v4, v0\n"
            "  v6 = i32.const 2\n"
            "  v7 = i32.shr_s v5, v6\n"
            "  v8 = i32.const 31\n"
            "  v9 = i32.shr_u v7, v8\n"
            "  v10 = i32.add v7, v9\n"
            "  v11 = i32.const 7\n"
            "  v12 = i32.mul v10, v11\n"
            "  v13 = i32.sub v0, v12\n"
            "  return v13\n"
            "}\n");
}

TEST(StrengthReduction, DivisionsThatMayTrapStay) {
  for (Op op : {Op::kI32DivS, Op::kI32DivU, Op::kI32RemS, Op::kI32RemU, Op::kI64DivS, Op::kI64DivU,
                Op::kI64RemS, Op::kI64RemU}) {
    Graph by_zero = binary_with_constant(op, 0);
    EXPECT_FALSE(run_strength_reduction(by_zero)) << op_text(op);
  }
  Graph narrow = binary_with_constant(Op::kI32DivS, 0xffffffff);
  EXPECT_FALSE(run_strength_reduction(narrow));
  Graph wide = binary_with_constant(Op::kI64DivS, ~uint64_t{0});
  EXPECT_FALSE(run_strength_reduction(wide));
  // rem_s by -1 is 0 for every dividend, the minimum included.
  Graph rem = binary_with_constant(Op::kI32RemS, 0xffffffff);
  EXPECT_EQ(reduced(rem),
            "function (i32) -> (i32) {\n"
            "block0(v0: i32):\n"
            "  v1 = i32.const -1\n"
            "  v3 = i32.const 0\n"
            "  return v3\n"
            "}\n");
}

// --- exact for every input ----------------------------------------------------------------------

constexpr Op kRewritten32[] = {Op::kI32Mul, Op::kI32DivS, Op::kI32DivU, Op::kI32RemS, Op::kI32RemU};
constexpr Op kRewritten64[] = {Op::kI64Mul, Op::kI64DivS, Op::kI64DivU, Op::kI64RemS, Op::kI64RemU};

// All small divisors and their negations, +-2^k and their neighbours, the extremes, and some
// random ones of every magnitude.
std::vector<uint64_t> divisors(unsigned bits, std::mt19937_64& rng, int num_random) {
  uint64_t mask = bits == 64 ? ~uint64_t{0} : uint64_t{0xffffffff};
  std::set<uint64_t> out;
  for (uint64_t d = 0; d <= 300; ++d) out.insert(d), out.insert((0 - d) & mask);
  for (unsigned k = 0; k < bits; ++k) {
    uint64_t p = uint64_t{1} << k;
    for (uint64_t v : {p, p - 1, p + 1, p * 3, (p << 1) - 1})
      out.insert(v & mask), out.insert((0 - v) & mask);
  }
  uint64_t min = uint64_t{1} << (bits - 1);
  for (uint64_t v : {min, min + 1, min - 1, min + 7, min / 3, min / 5 * 3, mask / 7, mask / 10})
    out.insert(v & mask);
  for (int i = 0; i < num_random; ++i) out.insert((rng() & mask) >> (rng() % bits));
  return {out.begin(), out.end()};
}

// The edges of the range, near multiples of d (quotients change there), and random values.
std::vector<uint64_t> dividends(unsigned bits, uint64_t d, std::mt19937_64& rng, int num_random) {
  uint64_t mask = bits == 64 ? ~uint64_t{0} : uint64_t{0xffffffff};
  uint64_t min = uint64_t{1} << (bits - 1);
  std::vector<uint64_t> out;
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{3}, min, min + 1, min + 2,
                     min - 1, min - 2, d, d - 1, d + 1, d * 2, d * 2 - 1, d * 3 + 1})
    out.push_back(v & mask), out.push_back((0 - v) & mask);
  for (uint64_t top : {min, mask}) {
    if (d == 0) break;
    // The largest multiples of d in the signed and unsigned ranges, and their neighbours.
    uint64_t m = (top / d) * d;
    for (uint64_t v : {m, m - 1, m + 1, m - d, m - d + 1, m - d - 1})
      out.push_back(v & mask), out.push_back((0 - v) & mask);
  }
  for (int i = 0; i < num_random; ++i) out.push_back(rng() & mask);
  for (int i = 0; i < num_random / 4; ++i) out.push_back((rng() & mask) >> (rng() % bits));
  return out;
}

std::string describe(Op op, uint64_t n, uint64_t d) {
  return std::string(op_text(op)) + " " + std::to_string(n) + ", " + std::to_string(d);
}

// Runs each rewritten graph in the interpreter on the dividends and compares with the wasm
// definition, counting the graphs the pass rewrote.
void check_in_interpreter(std::span<const Op> ops, unsigned bits, uint64_t seed, int& rewritten) {
  std::mt19937_64 rng(seed);
  uint64_t mask = bits == 64 ? ~uint64_t{0} : uint64_t{0xffffffff};
  for (uint64_t d : divisors(bits, rng, 300)) {
    for (Op op : ops) {
      Graph g = binary_with_constant(op, d);
      if (!run_strength_reduction(g)) continue;
      ++rewritten;
      Status status = verify(g);
      ASSERT_TRUE(status.ok()) << status.error().message << "\n" << print_graph(g);
      for (uint64_t n : dividends(bits, d, rng, 200)) {
        std::vector<uint64_t> operands{n, d};
        std::optional<uint64_t> want = fold_wasm_op(op, operands);
        test::Outcome got = test::interpret(g, {n});
        ASSERT_TRUE(got.finished);
        ASSERT_EQ(got.trapped, !want.has_value()) << describe(op, n, d) << "\n" << print_graph(g);
        if (want) {
          ASSERT_EQ(got.results[0] & mask, *want) << describe(op, n, d) << "\n" << print_graph(g);
        }
      }
    }
  }
}

TEST(StrengthReduction, ExactForI32InTheInterpreter) {
  int rewritten = 0;
  check_in_interpreter(kRewritten32, 32, 1, rewritten);
  EXPECT_GT(rewritten, 3900);
  std::printf("i32: %d rewritten graphs\n", rewritten);
}

TEST(StrengthReduction, ExactForI64InTheInterpreter) {
  int rewritten = 0;
  check_in_interpreter(kRewritten64, 64, 2, rewritten);
  EXPECT_GT(rewritten, 5000);
  std::printf("i64: %d rewritten graphs\n", rewritten);
}

// A dense sweep of the i32 dividends, from both ends of the range, for divisors whose
// reciprocals take each of the rewrite's shapes (W-bit or W+1-bit multiplier, with and without
// a shift, negative divisors, a quotient of 0 or 1).
TEST(StrengthReduction, ExactOnADenseSweepOfI32Dividends) {
  for (uint32_t d : {3u, 7u, 10u, 14u, 641u, 0x7fffffffu, 0x80000001u, 0xfffffff9u, 0xfffffffdu}) {
    for (Op op : {Op::kI32DivS, Op::kI32DivU, Op::kI32RemS, Op::kI32RemU}) {
      Graph g = binary_with_constant(op, d);
      ASSERT_TRUE(run_strength_reduction(g));
      // 2^16 + 1 apart: every high half and every low half, and many remainders of each divisor.
      for (uint64_t n = 0; n <= 0xffffffffu; n += 0x10001) {
        for (uint64_t v : {n, 0xffffffffu - n}) {
          std::vector<uint64_t> operands{v, d};
          std::optional<uint64_t> want = fold_wasm_op(op, operands);
          test::Outcome got = test::interpret(g, {v});
          ASSERT_EQ(got.results[0] & 0xffffffffu, *want) << describe(op, v, d);
        }
      }
    }
  }
}

// The same in machine code: mul_high's lowering and the rewrites' registers.
TEST(StrengthReduction, MachineCodeMatchesTheWasmDefinition) {
  std::mt19937_64 rng(3);
  for (unsigned bits : {32u, 64u}) {
    uint64_t mask = bits == 64 ? ~uint64_t{0} : uint64_t{0xffffffff};
    std::span<const Op> ops =
        bits == 64 ? std::span<const Op>(kRewritten64) : std::span<const Op>(kRewritten32);
    std::vector<uint64_t> all = divisors(bits, rng, 20);
    // A sample of the divisors keeps compilation time down.
    for (size_t i = 0; i < all.size(); i += 3) {
      uint64_t d = all[i];
      test::Tier2Harness h;
      std::vector<uint32_t> functions;
      std::vector<Op> compiled;
      for (Op op : ops) {
        Graph g = binary_with_constant(op, d);
        if (!run_strength_reduction(g)) continue;
        functions.push_back(h.add_function(std::move(g)));
        compiled.push_back(op);
      }
      if (functions.empty()) continue;
      ASSERT_TRUE(h.build()) << h.error();
      for (uint64_t n : dividends(bits, d, rng, 8)) {
        for (size_t k = 0; k < functions.size(); ++k) {
          std::vector<uint64_t> operands{n, d};
          std::optional<uint64_t> want = fold_wasm_op(compiled[k], operands);
          test::RunResult got = h.call(functions[k], {n});
          ASSERT_EQ(got.trap, vm::TrapCode::kNone) << describe(compiled[k], n, d);
          ASSERT_EQ(got.results[0] & mask, *want) << describe(compiled[k], n, d);
        }
      }
    }
  }
}

// --- the back end's constant divisors ------------------------------------------------------------

// The function's body: from its first block to its return, without the prologue's stack and
// attention checks and the out-of-line stubs.
std::string body_of(const std::string& assembly) {
  size_t begin = assembly.find("block0");
  return assembly.substr(begin, assembly.find("ret", begin) - begin);
}

std::string body_assembly(const Graph& g) {
  Module module;
  module.types.push_back(g.signature());
  Function function;
  function.type_index = 0;
  module.functions.push_back(function);
  module.memories.push_back(Memory{});
  runtime::CompileOptions options;
  options.tier = runtime::Tier::kOptimizing;
  options.cpu = platform::host_cpu_features();
  CodegenStats stats;
  stats.want_assembly = true;
  auto compiled = compile_graph(g, module, 0, options, &stats);
  EXPECT_TRUE(compiled.ok());
  return body_of(stats.assembly);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Without strength reduction a division by a constant is still a division, but one that cannot
// trap: no zero test, no -1 path. Its divisor 0 or -1 keeps them.
TEST(StrengthReduction, BackEndDividesByConstantsWithoutChecks) {
  std::string by_seven = body_assembly(binary_with_constant(Op::kI32DivS, 7));
  EXPECT_EQ(count(by_seven, "idiv"), 1u) << by_seven;
  EXPECT_EQ(count(by_seven, "test"), 0u) << by_seven;
  EXPECT_EQ(count(by_seven, "neg"), 0u) << by_seven;
  std::string by_minus_one = body_assembly(binary_with_constant(Op::kI64DivS, ~uint64_t{0}));
  EXPECT_EQ(count(by_minus_one, "neg"), 1u) << by_minus_one;
  std::string by_zero = body_assembly(binary_with_constant(Op::kI32DivU, 0));
  EXPECT_EQ(count(by_zero, "test"), 1u) << by_zero;

  // And they compute what wasm says, INT_MIN and -1 dividends included.
  test::Tier2Harness h;
  uint32_t div = h.add_function(binary_with_constant(Op::kI32DivS, 7));
  uint32_t rem = h.add_function(binary_with_constant(Op::kI64RemS, 0x100000001ull));
  ASSERT_TRUE(h.build()) << h.error();
  for (uint64_t n : {0ull, 1ull, 0x80000000ull, 0xffffffffull, 0x7fffffffull}) {
    std::vector<uint64_t> operands{n, 7};
    EXPECT_EQ(h.call(div, {n}).results[0] & 0xffffffffu, *fold_wasm_op(Op::kI32DivS, operands));
  }
  for (uint64_t n : {0ull, 0x8000000000000000ull, ~0ull, 0x7fffffffffffffffull}) {
    std::vector<uint64_t> operands{n, 0x100000001ull};
    EXPECT_EQ(h.call(rem, {n}).results[0], *fold_wasm_op(Op::kI64RemS, operands));
  }
}

}  // namespace
}  // namespace keel::jit::opt

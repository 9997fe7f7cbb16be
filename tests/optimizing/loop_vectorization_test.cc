// Loop vectorization on IR: which loops become a versioned f64x2 copy, what the preheader checks,
// and the loops it must leave alone. What the vector loops compute is checked by running them
// (loop_vectorization.wast, against wabt's interpreter).
#include "jit/optimizing/passes/loop_vectorization.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/printer.h"
#include "optimizing/graph_test_util.h"

namespace keel::jit::opt {
namespace {

using VT = ValType;

size_t count(const std::string& text, const std::string& what) {
  return occurrences(text, what);
}

// (dst, src, bytes, a): for p = 0; p != bytes; p += 16: body(builder, p, dst, src, a); the body
// builds the loop's memory operations.
using Body = std::function<void(Builder&, ValueId p, ValueId dst, ValueId src, ValueId a)>;
Graph counted_loop(const Body& body, int32_t step = 16) {
  Graph g(FuncType{{VT::kI32, VT::kI32, VT::kI32, VT::kF64}, {}});
  Builder b(g);
  const std::vector<ValueId> params = g.block(g.entry()).params;
  BlockId loop = g.create_block(), exit = g.create_block();
  ValueId p = g.add_block_param(loop, VT::kI32);
  b.jump(loop, {b.i32_const(0)});
  b.set_block(loop);
  body(b, p, params[0], params[1], params[3]);
  ValueId next = b.wasm(Op::kI32Add, {p, b.i32_const(step)});
  b.branch(b.wasm(Op::kI32Ne, {next, params[2]}), loop, {next}, exit);
  b.set_block(exit);
  b.ret();
  return g;
}

// dst[i] += a * src[i], two lanes a pass: the second lane's addresses are the first's + 8.
void axpy(Builder& b, ValueId p, ValueId dst, ValueId src, ValueId a) {
  ValueId d = b.wasm(Op::kI32Add, {p, dst}), s = b.wasm(Op::kI32Add, {p, src});
  for (int lane : {0, 1}) {
    ValueId dl = lane ? b.wasm(Op::kI32Add, {d, b.i32_const(8)}) : d;
    ValueId sl = lane ? b.wasm(Op::kI32Add, {s, b.i32_const(8)}) : s;
    ValueId product = b.wasm(Op::kF64Mul, {a, b.load(Op::kF64Load, 0, 0, sl)});
    b.store(Op::kF64Store, 0, 0, dl,
            b.wasm(Op::kF64Add, {product, b.load(Op::kF64Load, 0, 0, dl)}));
  }
}

TEST(LoopVectorization, PairsTheLanesOfAnUnrolledLoopAndKeepsTheScalarCopy) {
  Graph g = counted_loop(axpy);
  ASSERT_TRUE(run_loop_vectorization(g));
  expect_valid(g);
  std::string text = print_graph(g);
  // The vector loop: one load per array, the multiply and add, one store; `a` in both lanes.
  EXPECT_EQ(count(text, "v128.load mem0"), 2u) << text;
  EXPECT_EQ(count(text, "f64x2.mul"), 1u) << text;
  EXPECT_EQ(count(text, "f64x2.add"), 1u) << text;
  EXPECT_EQ(count(text, "v128.store mem0"), 1u) << text;
  EXPECT_EQ(count(text, "f64x2.splat v3"), 1u) << text;
  // The scalar loop as it was, for when the checks fail.
  EXPECT_EQ(count(text, "f64.mul"), 2u) << text;
  EXPECT_EQ(count(text, "f64.store"), 2u) << text;
  // The checks: the distance to the bound is a whole number of steps, both arrays' last pass
  // ends inside the memory, and the arrays are the same or 16 bytes apart at least.
  EXPECT_EQ(count(text, "memory.size mem0"), 1u) << text;
  EXPECT_EQ(count(text, "i64.le_u"), 3u) << text;
  EXPECT_EQ(count(text, "i64.ne"), 1u) << text;
}

TEST(LoopVectorization, SplatsAValueFromBeforeTheLoop) {
  Graph g = counted_loop([](Builder& b, ValueId p, ValueId dst, ValueId, ValueId a) {
    ValueId d = b.wasm(Op::kI32Add, {dst, p});
    b.store(Op::kF64Store, 0, 8, d, a);
    b.store(Op::kF64Store, 0, 0, d, a);
  });
  ASSERT_TRUE(run_loop_vectorization(g));
  expect_valid(g);
  std::string text = print_graph(g);
  EXPECT_EQ(count(text, "v128.store mem0[v"), 1u) << text;
  EXPECT_EQ(count(text, "f64x2.splat"), 1u) << text;
  // One array: no check of distances.
  EXPECT_EQ(count(text, "i64.ne"), 0u) << text;
}

// Loops that look like pairs but are not, or whose pairs would show.
TEST(LoopVectorization, LeavesAloneWhatItCannotPair) {
  auto unchanged = [](const char* what, const Body& body, int32_t step = 16) {
    Graph g = counted_loop(body, step);
    std::string before = print_graph(g);
    EXPECT_FALSE(run_loop_vectorization(g)) << what;
    EXPECT_EQ(print_graph(g), before) << what;
  };
  unchanged("lane 1 reads what lane 0 stored", [](Builder& b, ValueId p, ValueId dst, ValueId src,
                                                  ValueId a) {
    ValueId d = b.wasm(Op::kI32Add, {p, dst}), s = b.wasm(Op::kI32Add, {p, src});
    b.store(Op::kF64Store, 0, 0, d, b.wasm(Op::kF64Mul, {a, b.load(Op::kF64Load, 0, 0, s)}));
    b.store(Op::kF64Store, 0, 8, d,
            b.wasm(Op::kF64Add, {b.load(Op::kF64Load, 0, 0, d), b.load(Op::kF64Load, 0, 8, s)}));
  });
  unchanged("different operations in the lanes", [](Builder& b, ValueId p, ValueId dst, ValueId src,
                                                    ValueId a) {
    ValueId d = b.wasm(Op::kI32Add, {p, dst}), s = b.wasm(Op::kI32Add, {p, src});
    b.store(Op::kF64Store, 0, 0, d, b.wasm(Op::kF64Mul, {a, b.load(Op::kF64Load, 0, 0, s)}));
    b.store(Op::kF64Store, 0, 8, d, b.wasm(Op::kF64Add, {a, b.load(Op::kF64Load, 0, 8, s)}));
  });
  unchanged("a store without a partner",
            [](Builder& b, ValueId p, ValueId dst, ValueId, ValueId a) {
              ValueId d = b.wasm(Op::kI32Add, {p, dst});
              b.store(Op::kF64Store, 0, 0, d, a);
              b.store(Op::kF64Store, 0, 16, d, a);
            });
  unchanged("lanes 4 bytes apart", [](Builder& b, ValueId p, ValueId dst, ValueId, ValueId a) {
    ValueId d = b.wasm(Op::kI32Add, {p, dst});
    b.store(Op::kF64Store, 0, 0, d, a);
    b.store(Op::kF64Store, 0, 4, d, a);
  });
  unchanged("a lane used outside its pair",
            [](Builder& b, ValueId p, ValueId dst, ValueId src, ValueId) {
              ValueId d = b.wasm(Op::kI32Add, {p, dst}), s = b.wasm(Op::kI32Add, {p, src});
              ValueId x = b.load(Op::kF64Load, 0, 0, s), y = b.load(Op::kF64Load, 0, 8, s);
              b.store(Op::kF64Store, 0, 0, d, b.wasm(Op::kF64Add, {x, y}));
              b.store(Op::kF64Store, 0, 8, d, b.wasm(Op::kF64Add, {y, x}));
            });
  unchanged("a division that may trap", [](Builder& b, ValueId p, ValueId dst, ValueId, ValueId a) {
    ValueId d = b.wasm(Op::kI32Add, {p, dst});
    b.wasm(Op::kI32DivU, {p, dst});
    b.store(Op::kF64Store, 0, 0, d, a);
    b.store(Op::kF64Store, 0, 8, d, a);
  });
  unchanged(
      "a step that is not a power of two",
      [](Builder& b, ValueId p, ValueId dst, ValueId, ValueId a) {
        ValueId d = b.wasm(Op::kI32Add, {p, dst});
        b.store(Op::kF64Store, 0, 0, d, a);
        b.store(Op::kF64Store, 0, 8, d, a);
      },
      24);
  unchanged("an address not moved by the counter",
            [](Builder& b, ValueId, ValueId dst, ValueId, ValueId a) {
              b.store(Op::kF64Store, 0, 0, dst, a);
              b.store(Op::kF64Store, 0, 8, dst, a);
            });
  unchanged("f64.min, whose packed form keel lowers differently",
            [](Builder& b, ValueId p, ValueId dst, ValueId src, ValueId a) {
              ValueId d = b.wasm(Op::kI32Add, {p, dst}), s = b.wasm(Op::kI32Add, {p, src});
              for (int lane : {0, 1})
                b.store(Op::kF64Store, 0, 8 * lane, d,
                        b.wasm(Op::kF64Min, {a, b.load(Op::kF64Load, 0, 8 * lane, s)}));
            });
}

}  // namespace
}  // namespace keel::jit::opt

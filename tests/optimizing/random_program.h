// The seeded random-program generator the IR tests share: functions built through the SSA
// builder the way the wasm graph builder will (locals as variables, loops with back edges, blocks
// sealed as soon as their predecessors exist), in the IR interpreter's integer subset. Passes
// must keep what they compute; the back end must compute the same.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "jit/optimizing/builder.h"
#include "jit/optimizing/ssa_builder.h"

namespace keel::jit::opt::test {

using VT = ValType;

constexpr Op kBinary[] = {
    Op::kI32Add,  Op::kI32Sub,  Op::kI32Mul,  Op::kI32And,  Op::kI32Or,   Op::kI32Xor,
    Op::kI32Shl,  Op::kI32ShrS, Op::kI32ShrU, Op::kI32Rotl, Op::kI32Rotr, Op::kI32Eq,
    Op::kI32Ne,   Op::kI32LtS,  Op::kI32LtU,  Op::kI32GtS,  Op::kI32GeU,  Op::kI32LeS,
    Op::kI32DivS, Op::kI32DivU, Op::kI32RemS, Op::kI32RemU,
};
constexpr Op kUnary[] = {Op::kI32Eqz,    Op::kI32Clz,      Op::kI32Ctz,
                         Op::kI32Popcnt, Op::kI32Extend8S, Op::kI32Extend16S};
constexpr Op kWide[] = {Op::kI64Mul,  Op::kI64Rotl, Op::kI64ShrS, Op::kI64DivU,
                        Op::kI64RemS, Op::kI64Sub,  Op::kI64Clz,  Op::kI64LtS};
constexpr int32_t kInteresting[] = {0, 1, -1, 2, 7, 31, 32, INT32_MIN, INT32_MAX, 0x1234};

struct Terminator {
  enum Kind { kJump, kBranch, kSwitch, kBackBranch, kReturn } kind = kReturn;
  std::vector<int> targets;
};

class RandomProgram {
 public:
  // What else a program may do, besides integer arithmetic and control flow.
  enum Feature : uint32_t {
    kCalls = 1,   // call function kCallee (callee_graph()) with values live across
    kMemory = 2,  // i32 loads and stores on memory 0, sometimes out of bounds
    kFloats = 4,  // f64 locals (Xmm values across loops and merges) through bit operations
  };
  static constexpr uint32_t kCallee = 0;
  static inline const FuncType kCalleeType{{ValType::kI32, ValType::kI32},
                                           {ValType::kI32, ValType::kI32}};

  // `num_vars` locals (4: the programs the pass tests were tuned on; more: register pressure).
  explicit RandomProgram(uint32_t seed, int num_vars = 4, uint32_t features = 0)
      : rng_(seed), num_vars_(num_vars), features_(features) {}

  // The function kCalls programs call: (a, b) -> (a * 3 + (b ^ 0x55), a - b), trapping when
  // a is 0x1235.
  static Graph callee_graph() {
    Graph g(kCalleeType);
    Builder b(g);
    ValueId a = g.block(g.entry()).params[0], x = g.block(g.entry()).params[1];
    b.trap_if(b.wasm(Op::kI32Eq, {a, b.i32_const(0x1235)}), TrapCode::kUnreachable);
    ValueId r0 = b.wasm(Op::kI32Add, {b.wasm(Op::kI32Mul, {a, b.i32_const(3)}),
                                      b.wasm(Op::kI32Xor, {x, b.i32_const(0x55)})});
    b.ret({r0, b.wasm(Op::kI32Sub, {a, x})});
    return g;
  }

  Graph build() {
    Graph g(FuncType{{VT::kI32, VT::kI32}, {VT::kI32, VT::kI32}});
    int n = 3 + pick(8);
    plan(n);
    std::vector<BlockId> blocks{g.entry()};
    for (int i = 1; i < n; ++i) blocks.push_back(g.create_block());
    SsaBuilder ssa(g);
    Builder b(g);
    std::vector<Variable> vars;
    for (int i = 0; i < num_vars_; ++i) vars.push_back(ssa.declare_var(VT::kI32));
    fvars_.clear();
    if (features_ & kFloats)
      for (int i = 0; i < 3; ++i) fvars_.push_back(ssa.declare_var(VT::kF64));
    Variable fuel = ssa.declare_var(VT::kI32);
    ssa.def_var(vars[0], g.entry(), g.block(g.entry()).params[0]);
    ssa.def_var(vars[1], g.entry(), g.block(g.entry()).params[1]);
    ssa.def_var(vars[2], g.entry(), b.i32_const(constant()));
    ssa.def_var(fuel, g.entry(), b.i32_const(6));  // vars[3] starts as the implicit zero

    std::vector<int> last_pred(n, -1);
    for (int i = 0; i < n; ++i)
      for (int t : terms_[i].targets) last_pred[t] = std::max(last_pred[t], i);
    auto seal_ready = [&](int built) {
      for (int j = 1; j < n; ++j)
        if (last_pred[j] <= built && !ssa.is_sealed(blocks[j])) ssa.seal(blocks[j]);
    };
    seal_ready(0);
    for (int i = 0; i < n; ++i) {
      BlockId block = blocks[i];
      b.set_block(block);
      auto operand = [&]() {
        return pick(4) == 0 ? b.i32_const(constant()) : ssa.use_var(vars[pick(num_vars_)], block);
      };
      int statements = pick(6);
      ValueId last_a, last_b;
      Op last_op = Op::kInvalid;
      for (int s = 0; s < statements; ++s) {
        ValueId result;
        if (features_ && pick(5) == 0) {
          feature_statement(
              b, [&] { return operand(); },
              [&](ValueId v) { ssa.def_var(vars[pick(num_vars_)], block, v); },
              [&] { return ssa.use_var(fvars_[pick(fvars_.size())], block); },
              [&](ValueId v) { ssa.def_var(fvars_[pick(fvars_.size())], block, v); });
          continue;
        }
        int what = pick(20);
        if (last_op != Op::kInvalid && what < 3) {
          result = b.wasm(last_op, {last_a, last_b});  // a duplicate for GVN
        } else if (what < 5) {
          result = b.wasm(kUnary[pick(std::size(kUnary))], {operand()});
        } else if (what < 7) {
          ValueId wide_a = b.wasm(Op::kI64ExtendI32S, {operand()});
          ValueId wide_b = b.wasm(Op::kI64ExtendI32U, {operand()});
          Op op = kWide[pick(std::size(kWide))];
          ValueId r = op == Op::kI64Clz ? b.wasm(op, {wide_a}) : b.wasm(op, {wide_a, wide_b});
          result = g.type_of(r) == VT::kI64 ? b.wasm(Op::kI32WrapI64, {r}) : r;
        } else if (what < 8) {
          result = b.select(operand(), operand(), operand());
        } else if (what < 9) {
          b.trap_if(b.wasm(Op::kI32Eq, {operand(), b.i32_const(0x1234)}), TrapCode::kUnreachable);
          continue;
        } else {
          size_t count = std::size(kBinary);
          Op op = kBinary[pick(pick(3) == 0 ? count : count - 4)];  // divisions less often
          last_op = op;
          last_a = operand();
          last_b = operand();
          result = b.wasm(op, {last_a, last_b});
        }
        ssa.def_var(vars[pick(num_vars_)], block, result);
      }
      const Terminator& term = terms_[i];
      switch (term.kind) {
        case Terminator::kJump:
          b.jump(blocks[term.targets[0]]);
          break;
        case Terminator::kBranch:
          b.branch(operand(), blocks[term.targets[0]], {}, blocks[term.targets[1]]);
          break;
        case Terminator::kSwitch: {
          std::vector<BlockCall> cases;
          for (size_t k = 0; k + 1 < term.targets.size(); ++k)
            cases.push_back(BlockCall{blocks[term.targets[k]], {}});
          b.switch_(operand(), std::move(cases), BlockCall{blocks[term.targets.back()], {}});
          break;
        }
        case Terminator::kBackBranch: {
          ValueId left = b.wasm(Op::kI32Sub, {ssa.use_var(fuel, block), b.i32_const(1)});
          ssa.def_var(fuel, block, left);
          ValueId again = b.wasm(Op::kI32GtS, {left, b.i32_const(0)});
          b.branch(again, blocks[term.targets[0]], {}, blocks[term.targets[1]]);
          break;
        }
        case Terminator::kReturn:
          b.ret({ssa.use_var(vars[0], block), ssa.use_var(vars[pick(num_vars_)], block)});
          break;
      }
      seal_ready(i);
    }
    ssa.finish();
    return g;
  }

 private:
  int pick(size_t n) { return static_cast<int>(rng_() % n); }

  template <class Operand, class Define, class FloatOperand, class FloatDefine>
  void feature_statement(Builder& b, Operand&& operand, Define&& define,
                         FloatOperand&& float_operand, FloatDefine&& float_define) {
    std::vector<Feature> enabled;
    for (Feature f : {kCalls, kMemory, kFloats})
      if (features_ & f) enabled.push_back(f);
    Feature feature = enabled[pick(enabled.size())];
    if (feature == kFloats) {
      // Only bit operations: their results are exact, so the interpreter knows them.
      switch (pick(5)) {
        case 0: {
          Op extend = pick(2) ? Op::kI64ExtendI32U : Op::kI64ExtendI32S;
          ValueId bits = b.wasm(Op::kI64Mul, {b.wasm(extend, {operand()}),
                                              b.i64_const(0x100000001ll * (1 + pick(5)))});
          return float_define(b.wasm(Op::kF64ReinterpretI64, {bits}));
        }
        case 1:
          return float_define(b.wasm(pick(2) ? Op::kF64Neg : Op::kF64Abs, {float_operand()}));
        case 2:
          return float_define(b.wasm(Op::kF64Copysign, {float_operand(), float_operand()}));
        case 3:
          return float_define(b.select(operand(), float_operand(), float_operand()));
        default: {
          ValueId bits = b.wasm(Op::kI64ReinterpretF64, {float_operand()});
          ValueId shifted = b.wasm(Op::kI64ShrU, {bits, b.i64_const(pick(64))});
          return define(b.wasm(Op::kI32WrapI64, {shifted}));
        }
      }
    }
    if (feature == kCalls) {
      std::vector<ValueId> args{operand(), operand()};
      std::vector<ValueId> r = b.call(kCallee, kCalleeType, args);
      define(r[0]);
      define(r[1]);
      return;
    }
    static constexpr Op kLoads[] = {Op::kI32Load, Op::kI32Load8S, Op::kI32Load8U, Op::kI32Load16S,
                                    Op::kI32Load16U};
    static constexpr Op kStores[] = {Op::kI32Store, Op::kI32Store8, Op::kI32Store16};
    // Mostly inside the first page; an unmasked operand is often far outside it.
    ValueId address =
        pick(8) == 0 ? operand() : b.wasm(Op::kI32And, {operand(), b.i32_const(0xfffc)});
    uint64_t offset = 4 * static_cast<uint64_t>(pick(3));
    if (pick(2) == 0)
      define(b.load(kLoads[pick(std::size(kLoads))], 0, offset, address));
    else
      b.store(kStores[pick(std::size(kStores))], 0, offset, address, operand());
  }
  int32_t constant() {
    return pick(3) ? kInteresting[pick(std::size(kInteresting))]
                   : static_cast<int32_t>(rng_() % 100);
  }

  void plan(int n) {
    terms_.assign(n, {});
    for (int i = 0; i + 1 < n; ++i) {
      auto forward = [&] { return i + 1 + pick(n - i - 1); };
      Terminator& t = terms_[i];
      int kind = pick(10);
      if (i > 0 && kind < 3) {
        t.kind = Terminator::kBackBranch;
        t.targets = {1 + pick(i), forward()};
      } else if (kind < 5) {
        t.kind = Terminator::kJump;
        t.targets = {forward()};
      } else if (kind < 8) {
        t.kind = Terminator::kBranch;
        t.targets = {forward(), forward()};
      } else if (kind < 9 && i < n - 2) {
        t.kind = Terminator::kSwitch;
        t.targets = {forward(), forward(), forward()};
      } else {
        t.kind = Terminator::kReturn;
      }
    }
  }

  std::mt19937 rng_;
  int num_vars_;
  uint32_t features_;
  std::vector<Variable> fvars_;
  std::vector<Terminator> terms_;
};

}  // namespace keel::jit::opt::test

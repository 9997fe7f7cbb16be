// Runs one numeric instruction as a tiny JIT-compiled function and checks it against a C++
// reference: operands in fixed registers, the result, both operands and a few sentinel registers
// stored to memory afterwards, so the tests also see what the emitter clobbered.
#pragma once

#include <asmjit/x86.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/opcodes.h"
#include "jit/common/numeric_lowering.h"
#include "platform/cpu_features.h"

namespace keel::jit::testing {

using vm::TrapCode;

struct Outcome {
  uint64_t bits = 0;
  TrapCode trap = TrapCode::kNone;
};

// How the registers are arranged around the instruction.
// kSameOperands: lhs and rhs are one register (x op x), dst another.
enum class Shape { kDstIsLhs, kDstOther, kImm, kSameOperands };

inline const char* shape_name(Shape s) {
  switch (s) {
    case Shape::kDstIsLhs:
      return "dst==lhs";
    case Shape::kDstOther:
      return "dst!=lhs";
    case Shape::kImm:
      return "imm";
    default:
      return "lhs==rhs";
  }
}

inline bool is_float(ValType t) {
  return t == ValType::kF32 || t == ValType::kF64;
}

inline constexpr uint64_t kSentinel = 0x5a5a'1234'a5a5'9876;

class TestTraps final : public TrapLabels {
 public:
  explicit TestTraps(asmjit::x86::Assembler& a) : a_(a) {}
  asmjit::Label get(TrapCode code) override {
    auto it = labels_.find(code);
    if (it != labels_.end()) return it->second;
    asmjit::Label l = a_.newLabel();
    labels_.emplace(code, l);
    return l;
  }
  // Each stub records its code in out[3] and returns.
  void bind_stubs(const asmjit::x86::Gp& out) {
    for (auto& [code, label] : labels_) {
      a_.bind(label);
      a_.mov(asmjit::x86::qword_ptr(out, 24), static_cast<uint32_t>(code));
      a_.ret();
    }
  }

 private:
  asmjit::x86::Assembler& a_;
  std::map<TrapCode, asmjit::Label> labels_;
};

class RecordingErrors final : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error, const char* message, asmjit::BaseEmitter*) override {
    if (first.empty()) first = message;
  }
  std::string first;
};

using TestFn = void (*)(const uint64_t* in, uint64_t* out);

// One compiled instance of an instruction: fixed op, shape, CPU features and immediate.
class Compiled {
 public:
  Compiled(Op op, Shape shape, const platform::CpuFeatures& cpu, int32_t imm = 0) : op_(op) {
    using namespace asmjit;
    using namespace asmjit::x86;
    const OpSig& sig = op_info(op).sig;
    const bool binary = sig.num_params == 2;
    code_.init(runtime().environment());
    code_.setErrorHandler(&errors_);
    Assembler a(&code_);
    const Gp in = rdi, out = r11;
    a.mov(out, rsi);
    auto reg = [](ValType t, int gp, int xmm_index) -> x86::Reg {
      if (is_float(t)) return xmm(xmm_index);
      return gpq(gp);
    };
    const x86::Reg lhs = reg(sig.params[0], 8, 1);
    const x86::Reg rhs = !binary                         ? x86::Reg()
                         : shape == Shape::kSameOperands ? lhs
                                                         : reg(sig.params[1], 9, 2);
    x86::Reg dst = reg(sig.result, 10, 3);
    if (shape == Shape::kDstIsLhs && dst.group() == lhs.group()) dst = lhs;
    auto load = [&](const x86::Reg& r, ValType t, int index) {
      Mem m = qword_ptr(in, index * 8);
      switch (t) {
        case ValType::kI32:  // with garbage above bit 31: emitters must not rely on it
        case ValType::kI64:
          a.mov(r.as<Gp>(), m);
          break;
        case ValType::kF32:
          m.setSize(4);
          a.movd(r.as<Xmm>(), m);
          break;
        default:
          a.movq(r.as<Xmm>(), m);
          break;
      }
    };
    // Garbage everywhere the instruction must not read or must overwrite completely.
    a.mov(rax, kSentinel);
    for (const Gp& g : {r10, rsi}) a.mov(g, rax);
    for (const Xmm& x : {xmm0, xmm3, xmm13}) a.movq(x, rax);
    load(lhs, sig.params[0], 0);
    if (binary && shape != Shape::kImm && shape != Shape::kSameOperands) {
      load(rhs, sig.params[1], 1);
    }
    a.mov(rdi, rax);

    NumericOperands operands;
    operands.dst = dst;
    operands.lhs = lhs;
    if (binary) {
      if (shape == Shape::kImm) {
        operands.rhs_is_imm = true;
        operands.rhs_imm = imm;
      } else {
        operands.rhs = rhs;
      }
    }
    TestTraps traps(a);
    emit_numeric(a, op, operands, traps, cpu);

    auto store = [&](const x86::Reg& r, int index) {
      if (!r.isReg()) return;
      if (r.isGp()) {
        a.mov(qword_ptr(out, index * 8), r.as<Gp>());
      } else {
        a.movq(qword_ptr(out, index * 8), r.as<Xmm>());
      }
    };
    store(dst, 0);
    store(lhs, 1);
    store(rhs, 2);
    a.mov(qword_ptr(out, 24), 0);
    store(rdi, 4);
    store(rsi, 5);
    store(r10, 6);
    store(xmm0, 7);
    store(xmm3, 8);
    store(xmm13, 9);
    a.ret();
    traps.bind_stubs(out);
    if (!errors_.first.empty()) return;
    if (runtime().add(&fn_, &code_) != kErrorOk) fn_ = nullptr;
    dst_is_lhs_ = dst == lhs;
    rhs_in_reg_ = binary && shape != Shape::kImm && shape != Shape::kSameOperands;
    dst_ = dst;
  }
  ~Compiled() {
    if (fn_) runtime().release(fn_);
  }
  Compiled(const Compiled&) = delete;
  Compiled& operator=(const Compiled&) = delete;

  const std::string& error() const { return errors_.first; }

  // Runs the instruction; checks with gtest that nothing but dst was changed.
  Outcome run(uint64_t lhs, uint64_t rhs) const {
    const OpSig& sig = op_info(op_).sig;
    auto dirty = [](uint64_t v, ValType t) {
      return t == ValType::kI32 ? uint32_t(v) | 0xdead'beef'0000'0000ull : v;
    };
    uint64_t in[2] = {dirty(lhs, sig.params[0]), dirty(rhs, sig.params[1])};
    uint64_t out[10] = {};
    fn_(in, out);
    Outcome o{out[0], static_cast<TrapCode>(out[3])};
    if (o.trap != TrapCode::kNone) return o;
    auto width = [](ValType t) { return t == ValType::kI32 || t == ValType::kF32 ? 32 : 64; };
    auto trim = [&](uint64_t v, ValType t) { return width(t) == 32 ? uint64_t(uint32_t(v)) : v; };
    if (!dst_is_lhs_) {
      EXPECT_EQ(trim(out[1], sig.params[0]), trim(lhs, sig.params[0])) << "lhs clobbered";
    }
    if (rhs_in_reg_) {
      EXPECT_EQ(trim(out[2], sig.params[1]), trim(rhs, sig.params[1])) << "rhs clobbered";
    }
    EXPECT_EQ(out[4], kSentinel) << "rdi clobbered";
    EXPECT_EQ(out[5], kSentinel) << "rsi clobbered";
    EXPECT_EQ(out[7], kSentinel) << "xmm0 clobbered";
    EXPECT_EQ(out[9], kSentinel) << "xmm13 clobbered";
    if (!(dst_.isGp() && dst_.id() == asmjit::x86::Gp::kIdR10)) {
      EXPECT_EQ(out[6], kSentinel) << "r10 clobbered";
    }
    if (!(dst_.isXmm() && dst_.id() == 3)) {
      EXPECT_EQ(out[8], kSentinel) << "xmm3 clobbered";
    }
    if (sig.result == ValType::kI32) {
      EXPECT_EQ(o.bits >> 32, 0u) << "i32 result not zero-extended";
    }
    if (width(sig.result) == 32) o.bits = uint32_t(o.bits);
    return o;
  }

  bool ok() const { return fn_ != nullptr; }

 private:
  static asmjit::JitRuntime& runtime() {
    static asmjit::JitRuntime rt;
    return rt;
  }

  Op op_;
  asmjit::CodeHolder code_;
  RecordingErrors errors_;
  TestFn fn_ = nullptr;
  bool dst_is_lhs_ = false;
  bool rhs_in_reg_ = false;
  asmjit::x86::Reg dst_;
};

// The two CPU configurations every test runs under.
inline platform::CpuFeatures cpu_for(bool baseline) {
  return baseline ? platform::CpuFeatures::baseline() : platform::CpuFeatures::detect();
}

inline std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Float results: NaN results only need to be NaN, arithmetic (quiet bit set) and, when every NaN
// input was canonical, canonical as well. Everything else compares exactly.
inline bool float_matches(ValType t, uint64_t got, uint64_t want, bool inputs_canonical) {
  if (t == ValType::kF32) {
    const uint32_t g = uint32_t(got), w = uint32_t(want);
    const bool want_nan = (w & 0x7fffffffu) > 0x7f800000u;
    if (!want_nan) return g == w;
    if ((g & 0x7fffffffu) <= 0x7f800000u || !(g & 0x00400000u)) return false;
    return !inputs_canonical || (g & 0x7fffffffu) == 0x7fc00000u;
  }
  const bool want_nan = (want & ~(1ull << 63)) > 0x7ff0000000000000ull;
  if (!want_nan) return got == want;
  if ((got & ~(1ull << 63)) <= 0x7ff0000000000000ull || !(got & 0x0008000000000000ull)) {
    return false;
  }
  return !inputs_canonical || (got & ~(1ull << 63)) == 0x7ff8000000000000ull;
}

inline uint64_t f32_bits(float f) {
  return std::bit_cast<uint32_t>(f);
}
inline uint64_t f64_bits(double d) {
  return std::bit_cast<uint64_t>(d);
}
inline float as_f32(uint64_t b) {
  return std::bit_cast<float>(uint32_t(b));
}
inline double as_f64(uint64_t b) {
  return std::bit_cast<double>(b);
}

// Deterministic pseudo-random values (splitmix64).
inline uint64_t mix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Every test case runs once per op with the detected CPU features and once with the fallbacks.
struct OpParam {
  Op op;
  bool baseline;
};

inline std::vector<OpParam> op_params(std::span<const Op> ops) {
  std::vector<OpParam> out;
  for (bool baseline : {false, true}) {
    for (Op op : ops) out.push_back({op, baseline});
  }
  return out;
}

// "i32_add_detected", "f64_nearest_baseline".
inline std::string op_param_name(const ::testing::TestParamInfo<OpParam>& info) {
  std::string name(op_text(info.param.op));
  for (char& c : name) {
    if (c == '.') c = '_';
  }
  return name + (info.param.baseline ? "_baseline" : "_detected");
}

}  // namespace keel::jit::testing

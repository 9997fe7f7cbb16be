// Runs one SIMD instruction (emit_simd) as a tiny JIT-compiled function and checks it lane by
// lane against a C++ reference of the spec's semantics, under the detected CPU features and
// under the SSE4.1-only profile (the fallbacks). Operands sit in fixed registers; the result,
// the operands and sentinel registers are stored afterwards, so the tests also see what the
// emitter clobbered.
#pragma once

#include <asmjit/x86.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/opcodes.h"
#include "jit/common/simd_lowering.h"
#include "jit/numeric_harness.h"

namespace keel::jit::testing {

struct V128 {
  uint8_t b[16] = {};
  template <typename T>
  T get(int i) const {
    T v;
    std::memcpy(&v, b + i * sizeof(T), sizeof(T));
    return v;
  }
  template <typename T>
  void set(int i, T v) {
    std::memcpy(b + i * sizeof(T), &v, sizeof(T));
  }
  bool operator==(const V128&) const = default;
};

inline std::string hex(const V128& v) {
  std::string s;
  char buf[4];
  for (int i = 0; i < 16; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", v.b[i]);
    s += buf;
    if (i % 4 == 3 && i != 15) s += '_';
  }
  return s;
}

// The inputs of one run: up to three vectors, or a scalar as the first or second operand.
struct SimdInputs {
  V128 a, b, c;
  uint64_t scalar = 0;  // i32/i64/f32/f64 operand bits (splat's first, replace/shift's second)
};

// The profile for the fallbacks: the least SIMD needs.
inline platform::CpuFeatures simd_cpu_for(bool fallback) {
  platform::CpuFeatures detected = platform::CpuFeatures::detect();
  return fallback ? platform::CpuFeatures::restrict(detected, "sse4.1") : detected;
}

inline constexpr uint64_t kSimdSentinel = 0x5a5a'1234'a5a5'9876;

class SimdCompiled {
 public:
  // `imm`: compile a shift with this constant count (SimdOperands::b_imm) instead of a register.
  SimdCompiled(Op op, const platform::CpuFeatures& cpu, uint8_t lane = 0,
               const uint8_t* shuffle = nullptr, std::optional<int32_t> imm = std::nullopt)
      : op_(op) {
    using namespace asmjit;
    using namespace asmjit::x86;
    const OpSig& sig = op_info(op).sig;
    code_.init(runtime().environment());
    code_.setErrorHandler(&errors_);
    Assembler a(&code_);
    // in: [0] a, [16] b, [32] c, [48] scalar; out: [0] dst, [16] b, [32] c, [48..] sentinels.
    const Gp in = rdi, out = r11;
    a.mov(out, rsi);
    auto is_xmm = [](ValType t) { return t != ValType::kI32 && t != ValType::kI64; };
    auto operand = [&](int i) -> x86::Reg {
      ValType t = sig.params[i];
      if (is_xmm(t)) return xmm(1 + i);  // xmm1, xmm2, xmm3
      return gpq(8 + i);                 // r8, r9
    };
    a.mov(rax, kSimdSentinel);
    for (const Gp& g : {r10, rsi}) a.mov(g, rax);
    for (const Xmm& x : {xmm0, xmm4, xmm13}) {
      a.movq(x, rax);
      a.punpcklqdq(x, x);
    }
    x86::Reg ops[3];
    for (int i = 0; i < sig.num_params; ++i) {
      ops[i] = operand(i);
      ValType t = sig.params[i];
      if (t == ValType::kV128) {
        a.movdqu(ops[i].as<Xmm>(), ptr(in, 16 * i));
      } else if (is_xmm(t)) {
        // Scalars with garbage above them: the lowering must not read it.
        a.movdqu(ops[i].as<Xmm>(), ptr(in, 64));
        a.movq(xmm15, qword_ptr(in, 48));
        a.movsd(ops[i].as<Xmm>(), xmm15);
        if (t == ValType::kF32) a.movss(ops[i].as<Xmm>(), xmm15);
      } else {
        a.mov(ops[i].as<Gp>(), qword_ptr(in, 48));
      }
    }
    SimdOperands o;
    o.a = ops[0];
    o.b = ops[1];
    o.c = ops[2];
    o.lane = lane;
    o.shuffle = shuffle;
    if (imm) {
      o.b_is_imm = true;
      o.b_imm = *imm;
    }
    o.temp = xmm5;
    const bool dst_is_a = is_xmm(sig.params[0]) && is_xmm(sig.result);
    o.dst = dst_is_a ? ops[0] : is_xmm(sig.result) ? x86::Reg(xmm6) : x86::Reg(r10);
    emit_simd(a, op, o, cpu);
    if (is_xmm(sig.result))
      a.movdqu(ptr(out, 0), o.dst.as<Xmm>());
    else
      a.mov(qword_ptr(out, 0), o.dst.as<Gp>());
    for (int i = 1; i < sig.num_params; ++i) {
      if (ops[i].isGp())
        a.mov(qword_ptr(out, 16 * i), ops[i].as<Gp>());
      else
        a.movdqu(ptr(out, 16 * i), ops[i].as<Xmm>());
    }
    if (!dst_is_a && sig.num_params > 0) {
      if (ops[0].isGp())
        a.mov(qword_ptr(out, 128), ops[0].as<Gp>());
      else
        a.movdqu(ptr(out, 128), ops[0].as<Xmm>());
    }
    a.movdqu(ptr(out, 48), xmm0);
    a.movdqu(ptr(out, 64), xmm4);
    a.movdqu(ptr(out, 80), xmm13);
    a.mov(qword_ptr(out, 96), rsi);
    a.mov(qword_ptr(out, 112), r10);
    a.mov(qword_ptr(out, 120), rdi);
    a.ret();
    if (!errors_.first.empty()) return;
    if (runtime().add(&fn_, &code_) != kErrorOk) fn_ = nullptr;
    dst_is_a_ = dst_is_a;
    result_gp_ = !is_xmm(sig.result);
  }
  ~SimdCompiled() {
    if (fn_) runtime().release(fn_);
  }
  SimdCompiled(const SimdCompiled&) = delete;
  SimdCompiled& operator=(const SimdCompiled&) = delete;

  bool ok() const { return fn_ != nullptr; }
  const std::string& error() const { return errors_.first; }

  // Runs the instruction; checks with gtest that nothing but dst (and temp) was changed.
  V128 run(const SimdInputs& in) const {
    const OpSig& sig = op_info(op_).sig;
    alignas(16) uint8_t input[80];
    std::memcpy(input, in.a.b, 16);
    std::memcpy(input + 16, in.b.b, 16);
    std::memcpy(input + 32, in.c.b, 16);
    uint64_t scalar = in.scalar;
    if (sig.params[0] == ValType::kI32 || (sig.num_params > 1 && sig.params[1] == ValType::kI32))
      scalar = uint32_t(scalar) | 0xdead'beef'0000'0000ull;  // i32 registers are zero-extended
    std::memcpy(input + 48, &scalar, 8);
    std::memset(input + 56, 0, 8);
    std::memset(input + 64, 0x77, 16);
    alignas(16) uint8_t output[144] = {};
    reinterpret_cast<void (*)(const uint8_t*, uint8_t*)>(fn_)(input, output);
    V128 result;
    std::memcpy(result.b, output, 16);
    if (result_gp_ && sig.result == ValType::kI32) {
      EXPECT_EQ(result.get<uint32_t>(1), 0u) << op_text(op_) << ": i32 result not zero-extended";
    }
    for (int i = 1; i < sig.num_params; ++i) {
      if (sig.params[i] == ValType::kV128) {
        EXPECT_EQ(std::memcmp(output + 16 * i, input + 16 * i, 16), 0)
            << op_text(op_) << ": operand " << i << " clobbered";
      }
    }
    if (!dst_is_a_ && sig.params[0] == ValType::kV128) {
      EXPECT_EQ(std::memcmp(output + 128, input, 16), 0) << op_text(op_) << ": operand clobbered";
    }
    for (int off : {48, 56, 64, 72, 80, 88, 96}) {
      uint64_t v;
      std::memcpy(&v, output + off, 8);
      EXPECT_EQ(v, kSimdSentinel) << op_text(op_) << ": register at " << off << " clobbered";
    }
    if (!result_gp_) {
      uint64_t v;
      std::memcpy(&v, output + 112, 8);
      EXPECT_EQ(v, kSimdSentinel) << op_text(op_) << ": r10 clobbered";
    }
    return result;
  }

 private:
  static asmjit::JitRuntime& runtime() {
    static asmjit::JitRuntime rt;
    return rt;
  }
  Op op_;
  asmjit::CodeHolder code_;
  RecordingErrors errors_;
  void* fn_ = nullptr;
  bool dst_is_a_ = false;
  bool result_gp_ = false;
};

}  // namespace keel::jit::testing

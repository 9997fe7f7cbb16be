// Every instruction of the fixed-width SIMD proposal (236 in the opcode table) and of relaxed SIMD
// (20) reaches tier 1: emit_simd lowers all but v128.const and the memory instructions (the
// compiler's own), and the SIMD CPU profiles restrict the detected features as documented.
#include "jit/simd_reference.h"

namespace keel::jit::testing {
namespace {

TEST(SimdCoverage, EveryInstructionHasALowering) {
  size_t simd = 0, lowered = 0, memory = 0, relaxed = 0;
  for (size_t i = 0; i < std::size(kOpInfo); ++i) {
    const Op op = static_cast<Op>(i);
    const OpInfo& info = op_info(op);
    if (info.feature == Feature::kRelaxedSimd) {
      EXPECT_TRUE(is_simd_op(op)) << op_text(op);
      ++relaxed;
      ++lowered;
      continue;
    }
    if (info.feature != Feature::kSimd) {
      EXPECT_FALSE(is_simd_op(op)) << op_text(op);
      continue;
    }
    ++simd;
    if (is_memarg(info.imm)) {
      ++memory;
    } else if (op != Op::kV128Const) {
      EXPECT_TRUE(is_simd_op(op)) << op_text(op);
      ++lowered;
    }
  }
  EXPECT_EQ(simd, 236u);
  EXPECT_EQ(memory, 22u);
  EXPECT_EQ(relaxed, 20u);
  size_t in_families = 0;
  for (SimdFamily f :
       {SimdFamily::kLanes, SimdFamily::kInteger, SimdFamily::kFloat, SimdFamily::kConversion})
    in_families += simd_ops(f).size();
  EXPECT_EQ(in_families, lowered);
}

TEST(SimdCoverage, CpuProfiles) {
  platform::CpuFeatures all;
  all.ssse3 = all.sse41 = all.sse42 = all.popcnt = all.lzcnt = true;
  all.bmi1 = all.bmi2 = all.avx = all.avx2 = true;
  using platform::CpuFeatures;
  EXPECT_EQ(CpuFeatures::restrict(all, "baseline").to_string(), "baseline");
  EXPECT_EQ(CpuFeatures::restrict(all, "sse4.1").to_string(), "ssse3 sse4.1");
  EXPECT_EQ(CpuFeatures::restrict(all, "sse4.2,popcnt").to_string(), "ssse3 sse4.1 sse4.2 popcnt");
  EXPECT_EQ(CpuFeatures::restrict(all, "avx2").to_string(), "ssse3 sse4.1 sse4.2 avx avx2");
  EXPECT_EQ(CpuFeatures::restrict(CpuFeatures::baseline(), "avx2").to_string(), "baseline");
  EXPECT_EQ(CpuFeatures::restrict(all, "ssse3+lzcnt bmi1").to_string(), "ssse3 lzcnt bmi1");
}

}  // namespace
}  // namespace keel::jit::testing

// SIMD float lowering: every instruction of the family against the reference, with the detected
// CPU features and with the SSE4.1-only fallbacks.
#include "jit/simd_reference.h"

namespace keel::jit::testing {
namespace {

class SimdFloat : public ::testing::TestWithParam<SimdParam> {};

TEST_P(SimdFloat, MatchesReference) {
  check_simd_op(GetParam().op, GetParam().fallback);
}

INSTANTIATE_TEST_SUITE_P(All, SimdFloat,
                         ::testing::ValuesIn(simd_params(simd_ops(SimdFamily::kFloat))),
                         simd_param_name);

}  // namespace
}  // namespace keel::jit::testing

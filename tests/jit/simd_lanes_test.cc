// SIMD lanes lowering: every instruction of the family against the reference, with the detected
// CPU features and with the SSE4.1-only fallbacks.
#include "jit/simd_reference.h"

namespace keel::jit::testing {
namespace {

class SimdLanes : public ::testing::TestWithParam<SimdParam> {};

TEST_P(SimdLanes, MatchesReference) {
  check_simd_op(GetParam().op, GetParam().fallback);
}

INSTANTIATE_TEST_SUITE_P(All, SimdLanes,
                         ::testing::ValuesIn(simd_params(simd_ops(SimdFamily::kLanes))),
                         simd_param_name);

}  // namespace
}  // namespace keel::jit::testing

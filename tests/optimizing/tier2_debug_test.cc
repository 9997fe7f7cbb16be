#include "jit/engine/tier2_debug.h"

#include <gtest/gtest.h>

namespace keel::jit {
namespace {

TEST(Tier2Debug, UnsetMeansEveryFunctionAndEveryPass) {
  auto knobs = parse_tier2_debug(nullptr, nullptr, nullptr);
  ASSERT_TRUE(knobs);
  EXPECT_TRUE(knobs->selects(0));
  EXPECT_TRUE(knobs->selects(UINT32_MAX));
  EXPECT_TRUE(knobs->passes.gvn && knobs->passes.dce && knobs->passes.constant_folding &&
              knobs->passes.copy_propagation && knobs->passes.cfg_simplification &&
              knobs->passes.licm && knobs->passes.strength_reduction);
  EXPECT_FALSE(knobs->print_ir.has_value());
}

TEST(Tier2Debug, FunctionRangesAreInclusive) {
  auto range = parse_tier2_debug("10-12", nullptr, nullptr);
  ASSERT_TRUE(range);
  EXPECT_FALSE(range->selects(9));
  EXPECT_TRUE(range->selects(10));
  EXPECT_TRUE(range->selects(12));
  EXPECT_FALSE(range->selects(13));
  auto one = parse_tier2_debug("7", nullptr, nullptr);
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->selects(7));
  EXPECT_FALSE(one->selects(8));
  EXPECT_FALSE(one->selects(6));
}

TEST(Tier2Debug, PassesSwitchOffByName) {
  auto knobs = parse_tier2_debug(nullptr, "-gvn,-cfg-simplification,-licm", nullptr);
  ASSERT_TRUE(knobs);
  EXPECT_FALSE(knobs->passes.gvn);
  EXPECT_FALSE(knobs->passes.cfg_simplification);
  EXPECT_FALSE(knobs->passes.licm);
  EXPECT_TRUE(knobs->passes.dce);
  auto strength = parse_tier2_debug(nullptr, "-strength-reduction", nullptr);
  ASSERT_TRUE(strength);
  EXPECT_FALSE(strength->passes.strength_reduction);
  EXPECT_TRUE(strength->passes.constant_folding);
  auto none = parse_tier2_debug(nullptr, "none", nullptr);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->passes.gvn || none->passes.dce || none->passes.constant_folding ||
               none->passes.copy_propagation || none->passes.cfg_simplification ||
               none->passes.licm || none->passes.strength_reduction ||
               none->passes.redundant_loads);
  auto loads = parse_tier2_debug(nullptr, "-redundant-loads", nullptr);
  ASSERT_TRUE(loads);
  EXPECT_FALSE(loads->passes.redundant_loads);
  EXPECT_TRUE(loads->passes.gvn);
}

TEST(Tier2Debug, WhatDoesNotParseIsAnErrorNamingTheVariable) {
  for (auto [functions, passes, print] :
       {std::tuple<const char*, const char*, const char*>{"12-10", nullptr, nullptr},
        {"x", nullptr, nullptr},
        {"3-", nullptr, nullptr},
        {nullptr, "gvn", nullptr},
        {nullptr, "-inlining", nullptr},
        {nullptr, nullptr, "f"}}) {
    auto knobs = parse_tier2_debug(functions, passes, print);
    ASSERT_FALSE(knobs);
    const char* variable = functions ? "KEEL_TIER2_FUNCTIONS"
                           : passes  ? "KEEL_TIER2_PASSES"
                                     : "KEEL_TIER2_PRINT_IR";
    EXPECT_NE(knobs.error().message.find(variable), std::string::npos) << knobs.error().message;
  }
}

}  // namespace
}  // namespace keel::jit

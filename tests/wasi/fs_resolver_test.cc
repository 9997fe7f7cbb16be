#include <gtest/gtest.h>

#include <cstdlib>

#include "fs_sandbox_fixture.h"

namespace keel::wasi::fs {
namespace {

TEST(Resolver, EnvironmentForcesTheManualWalk) {
  const char* saved = getenv("KEEL_WASI_RESOLVER");
  std::string old = saved ? saved : "";
  setenv("KEEL_WASI_RESOLVER", "manual", 1);
  EXPECT_EQ(default_resolver(), ResolverKind::kManual);
  unsetenv("KEEL_WASI_RESOLVER");
  EXPECT_EQ(default_resolver(),
            kernel_has_openat2() ? ResolverKind::kOpenat2 : ResolverKind::kManual);
  if (saved) setenv("KEEL_WASI_RESOLVER", old.c_str(), 1);
  set_resolver(ResolverKind::kManual);
  EXPECT_EQ(current_resolver(), ResolverKind::kManual);
  set_resolver(ResolverKind::kOpenat2);
  EXPECT_EQ(current_resolver(), ResolverKind::kOpenat2);
}

}  // namespace
}  // namespace keel::wasi::fs

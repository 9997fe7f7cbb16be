#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "wasi/fs/errno.h"

namespace keel::wasi {
namespace {

// Spot checks against the witx `errno` enum of WASI preview1 (typenames.witx).
TEST(Errno, NumberingMatchesWitx) {
  EXPECT_EQ(static_cast<int>(Errno::kSuccess), 0);
  EXPECT_EQ(static_cast<int>(Errno::kAcces), 2);
  EXPECT_EQ(static_cast<int>(Errno::kBadf), 8);
  EXPECT_EQ(static_cast<int>(Errno::kExist), 20);
  EXPECT_EQ(static_cast<int>(Errno::kInval), 28);
  EXPECT_EQ(static_cast<int>(Errno::kLoop), 32);
  EXPECT_EQ(static_cast<int>(Errno::kNoent), 44);
  EXPECT_EQ(static_cast<int>(Errno::kNotdir), 54);
  EXPECT_EQ(static_cast<int>(Errno::kPerm), 63);
  EXPECT_EQ(static_cast<int>(Errno::kXdev), 75);
  EXPECT_EQ(static_cast<int>(Errno::kNotcapable), 76);
}

TEST(Errno, NamesFollowTheEnum) {
  EXPECT_STREQ(errno_name(Errno::kSuccess), "ESUCCESS");
  EXPECT_STREQ(errno_name(Errno::kIlseq), "EILSEQ");
  EXPECT_STREQ(errno_name(Errno::kNoent), "ENOENT");
  EXPECT_STREQ(errno_name(Errno::kNotempty), "ENOTEMPTY");
  EXPECT_STREQ(errno_name(Errno::kXdev), "EXDEV");
  EXPECT_STREQ(errno_name(Errno::kNotcapable), "ENOTCAPABLE");
  EXPECT_STREQ(errno_name(static_cast<Errno>(77)), "E?");
}

TEST(Errno, FromHostNamesMatch) {
  // Every host errno WASI names maps to the WASI errno of the same name.
  for (int e = 1; e < 134; ++e) {
    Errno w = errno_from_host(e);
    if (w == Errno::kIo && e != EIO) continue;
    const char* host = strerrorname_np(e);
    ASSERT_NE(host, nullptr) << e;
    std::string name = errno_name(w);
    if (std::strcmp(host, "EWOULDBLOCK") == 0 || std::strcmp(host, "EOPNOTSUPP") == 0 ||
        std::strcmp(host, "EDEADLOCK") == 0) {
      continue;
    }
    EXPECT_EQ(name, host) << e;
  }
  EXPECT_EQ(errno_from_host(0), Errno::kSuccess);
  EXPECT_EQ(errno_from_host(EOPNOTSUPP), Errno::kNotsup);
  EXPECT_EQ(errno_from_host(EWOULDBLOCK), Errno::kAgain);
  EXPECT_EQ(errno_from_host(ENOMEDIUM), Errno::kIo);
}

}  // namespace
}  // namespace keel::wasi

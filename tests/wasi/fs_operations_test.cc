// The operations' success paths and their errnos, with both resolvers.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>

#include "fs_sandbox_fixture.h"

namespace keel::wasi::fs {
namespace {

using OperationsTest = SandboxTest;

TEST_P(OperationsTest, Open) {
  dir("d");
  file("d/f", "hello");
  EXPECT_EQ(open_err("d/./f"), Errno::kSuccess);
  EXPECT_EQ(open_err("d//f"), Errno::kSuccess);
  EXPECT_EQ(open_err("./d/../d/f"), Errno::kSuccess);
  EXPECT_EQ(open_err("."), Errno::kSuccess);
  EXPECT_EQ(open_err("d/missing"), Errno::kNoent);
  EXPECT_EQ(open_err("missing/f"), Errno::kNoent);
  EXPECT_EQ(open_err("d/f/x"), Errno::kNotdir);
  EXPECT_EQ(open_err("d/f", true, O_RDONLY | O_DIRECTORY), Errno::kNotdir);
  EXPECT_EQ(open_err("d", true, O_WRONLY), Errno::kIsdir);
  EXPECT_EQ(open_err("new", true, O_WRONLY | O_CREAT | O_EXCL), Errno::kSuccess);
  EXPECT_TRUE(exists("sandbox/new"));
  EXPECT_EQ(open_err("new", true, O_WRONLY | O_CREAT | O_EXCL), Errno::kExist);
  EXPECT_EQ(open_err("d/f", true, O_WRONLY | O_TRUNC), Errno::kSuccess);
  struct stat st;
  ASSERT_EQ(stat(in("d/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  EXPECT_EQ(open_err(std::string(300, 'x')), Errno::kNametoolong);
  EXPECT_EQ(open_err(std::string(PATH_MAX, 'x')), Errno::kNametoolong);
}

TEST_P(OperationsTest, Mkdir) {
  file("f");
  EXPECT_EQ(mkdir_beneath(sandbox_, "d"), Errno::kSuccess);
  EXPECT_EQ(mkdir_beneath(sandbox_, "d/e/"), Errno::kSuccess);
  EXPECT_EQ(mkdir_beneath(sandbox_, "d"), Errno::kExist);
  EXPECT_EQ(mkdir_beneath(sandbox_, "f"), Errno::kExist);
  EXPECT_EQ(mkdir_beneath(sandbox_, "missing/x"), Errno::kNoent);
  EXPECT_EQ(mkdir_beneath(sandbox_, "f/x"), Errno::kNotdir);
  EXPECT_EQ(mkdir_beneath(sandbox_, "."), Errno::kExist);
  EXPECT_EQ(mkdir_beneath(sandbox_, "d/.."), Errno::kExist);
  EXPECT_EQ(mkdir_beneath(sandbox_, ".."), Errno::kPerm);
  struct stat st;
  EXPECT_EQ(stat(in("d/e").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST_P(OperationsTest, Rmdir) {
  dir("d");
  dir("full");
  file("full/f");
  file("f");
  link("d", "ld");
  EXPECT_EQ(rmdir_beneath(sandbox_, "full"), Errno::kNotempty);
  EXPECT_EQ(rmdir_beneath(sandbox_, "missing"), Errno::kNoent);
  EXPECT_EQ(rmdir_beneath(sandbox_, "f"), Errno::kNotdir);
  EXPECT_EQ(rmdir_beneath(sandbox_, "ld"), Errno::kNotdir);  // the link is not followed
  EXPECT_EQ(rmdir_beneath(sandbox_, "."), Errno::kInval);
  EXPECT_EQ(rmdir_beneath(sandbox_, "d/."), Errno::kInval);
  EXPECT_EQ(rmdir_beneath(sandbox_, "d/.."), Errno::kNotempty);
  EXPECT_TRUE(exists("sandbox/d"));
  EXPECT_EQ(rmdir_beneath(sandbox_, "d/"), Errno::kSuccess);
  EXPECT_FALSE(exists("sandbox/d"));
  EXPECT_TRUE(exists("sandbox/ld"));
}

TEST_P(OperationsTest, Unlink) {
  dir("d");
  file("f");
  file("g");
  link("f", "lf");
  link("../outside/marker", "lout");
  EXPECT_EQ(unlink_beneath(sandbox_, "d"), Errno::kIsdir);
  EXPECT_EQ(unlink_beneath(sandbox_, "d/"), Errno::kIsdir);
  EXPECT_EQ(unlink_beneath(sandbox_, "f/"), Errno::kNotdir);
  EXPECT_EQ(unlink_beneath(sandbox_, "missing"), Errno::kNoent);
  EXPECT_EQ(unlink_beneath(sandbox_, "f/x"), Errno::kNotdir);
  EXPECT_EQ(unlink_beneath(sandbox_, "."), Errno::kIsdir);
  EXPECT_EQ(unlink_beneath(sandbox_, "lf"), Errno::kSuccess);
  EXPECT_EQ(unlink_beneath(sandbox_, "lout"), Errno::kSuccess);  // the link, not the marker
  EXPECT_TRUE(exists("sandbox/f"));
  EXPECT_FALSE(exists("sandbox/lf"));
  EXPECT_EQ(unlink_beneath(sandbox_, "g"), Errno::kSuccess);
  EXPECT_FALSE(exists("sandbox/g"));
}

TEST_P(OperationsTest, SymlinkAndReadlink) {
  file("f");
  dir("d");
  EXPECT_EQ(symlink_beneath("f", sandbox_, "l"), Errno::kSuccess);
  // An absolute target is refused (EPERM, as wasmtime); one made on the host is still no way out.
  EXPECT_EQ(symlink_beneath("/etc/passwd", sandbox_, "abs"), Errno::kPerm);
  ASSERT_EQ(symlink("/etc/passwd", host("sandbox/abs").c_str()), 0);
  EXPECT_EQ(symlink_beneath("../../x", sandbox_, "d/up"), Errno::kSuccess);
  EXPECT_EQ(symlink_beneath("f", sandbox_, "l"), Errno::kExist);
  EXPECT_EQ(symlink_beneath("f", sandbox_, "f"), Errno::kExist);
  EXPECT_EQ(symlink_beneath("f", sandbox_, "missing/l"), Errno::kNoent);
  EXPECT_EQ(symlink_beneath("f", sandbox_, "new/"), Errno::kNoent);
  EXPECT_EQ(symlink_beneath("f", sandbox_, "."), Errno::kExist);
  EXPECT_EQ(readlink_beneath(sandbox_, "l").value(), "f");
  EXPECT_EQ(readlink_beneath(sandbox_, "abs").value(), "/etc/passwd");
  EXPECT_EQ(readlink_beneath(sandbox_, "d/up").value(), "../../x");
  EXPECT_EQ(readlink_beneath(sandbox_, "f").error(), Errno::kInval);
  EXPECT_EQ(readlink_beneath(sandbox_, "d").error(), Errno::kInval);
  EXPECT_EQ(readlink_beneath(sandbox_, "missing").error(), Errno::kNoent);
  EXPECT_EQ(readlink_beneath(sandbox_, "f/x").error(), Errno::kNotdir);
  EXPECT_EQ(open_err("abs"), Errno::kPerm);
  EXPECT_EQ(open_err("d/up"), Errno::kPerm);
}

TEST_P(OperationsTest, Rename) {
  dir("d");
  dir("e");
  dir("full");
  file("full/x");
  file("f", "one");
  file("g", "two");
  link("f", "lf");
  EXPECT_EQ(rename_beneath(sandbox_, "f", sandbox_, "d/f2"), Errno::kSuccess);
  EXPECT_TRUE(exists("sandbox/d/f2"));
  EXPECT_EQ(rename_beneath(sandbox_, "g", sandbox_, "d/f2"), Errno::kSuccess);  // replaces
  EXPECT_EQ(rename_beneath(sandbox_, "missing", sandbox_, "x"), Errno::kNoent);
  EXPECT_EQ(rename_beneath(sandbox_, "d/f2", sandbox_, "e"), Errno::kIsdir);
  EXPECT_EQ(rename_beneath(sandbox_, "e", sandbox_, "d/f2"), Errno::kNotdir);
  EXPECT_EQ(rename_beneath(sandbox_, "e", sandbox_, "full"), Errno::kNotempty);
  EXPECT_EQ(rename_beneath(sandbox_, "d/f2", sandbox_, "d/f2/"), Errno::kNotdir);
  EXPECT_EQ(rename_beneath(sandbox_, ".", sandbox_, "x"), Errno::kBusy);
  EXPECT_EQ(rename_beneath(sandbox_, "e", sandbox_, "d/.."), Errno::kBusy);
  EXPECT_EQ(rename_beneath(sandbox_, "e/", sandbox_, "e2/"), Errno::kSuccess);
  // A symlink is renamed itself, never its target.
  EXPECT_EQ(rename_beneath(sandbox_, "lf", sandbox_, "lf2"), Errno::kSuccess);
  EXPECT_EQ(readlink_beneath(sandbox_, "lf2").value(), "f");
  // Across two grants.
  ASSERT_EQ(mkdir(host("sandbox2").c_str(), 0755), 0);
  int other = open(host("sandbox2").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(other, 0);
  EXPECT_EQ(rename_beneath(sandbox_, "d/f2", other, "moved"), Errno::kSuccess);
  EXPECT_TRUE(exists("sandbox2/moved"));
  EXPECT_EQ(rename_beneath(other, "moved", sandbox_, "back"), Errno::kSuccess);
  EXPECT_EQ(rename_beneath(other, "../sandbox/back", sandbox_, "x"), Errno::kPerm);
  close(other);
  EXPECT_TRUE(exists("sandbox/back"));
}

TEST_P(OperationsTest, Link) {
  file("f");
  dir("d");
  link("f", "lf");
  link("missing", "dangle");
  struct stat f;
  ASSERT_EQ(stat(in("f").c_str(), &f), 0);
  EXPECT_EQ(link_beneath(sandbox_, "f", false, sandbox_, "d/h"), Errno::kSuccess);
  struct stat st;
  ASSERT_EQ(stat(in("d/h").c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, f.st_ino);
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(link_beneath(sandbox_, "f", false, sandbox_, "d/h"), Errno::kExist);
  EXPECT_EQ(link_beneath(sandbox_, "missing", false, sandbox_, "x"), Errno::kNoent);
  EXPECT_EQ(link_beneath(sandbox_, "d", false, sandbox_, "x"), Errno::kPerm);
  EXPECT_EQ(link_beneath(sandbox_, "d", true, sandbox_, "x"), Errno::kPerm);
  EXPECT_EQ(link_beneath(sandbox_, "f", false, sandbox_, "missing/x"), Errno::kNoent);
  EXPECT_EQ(link_beneath(sandbox_, "f", false, sandbox_, "x/"), Errno::kNoent);
  EXPECT_EQ(link_beneath(sandbox_, "dangle", true, sandbox_, "x"), Errno::kNoent);
  // Following: the new name is the file; not following: it is another link to "f".
  EXPECT_EQ(link_beneath(sandbox_, "lf", true, sandbox_, "followed"), Errno::kSuccess);
  ASSERT_EQ(lstat(in("followed").c_str(), &st), 0);
  EXPECT_EQ(st.st_ino, f.st_ino);
  EXPECT_EQ(link_beneath(sandbox_, "lf", false, sandbox_, "not_followed"), Errno::kSuccess);
  ASSERT_EQ(lstat(in("not_followed").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_EQ(mkdir(host("sandbox2").c_str(), 0755), 0);
  int other = open(host("sandbox2").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(other, 0);
  EXPECT_EQ(link_beneath(sandbox_, "f", true, other, "across"), Errno::kSuccess);
  EXPECT_TRUE(exists("sandbox2/across"));
  close(other);
}

TEST_P(OperationsTest, Stat) {
  file("f", "12345");
  dir("d");
  link("f", "lf");
  EXPECT_EQ(stat_beneath(sandbox_, "f", false)->st_size, 5);
  EXPECT_TRUE(S_ISREG(stat_beneath(sandbox_, "lf", true)->st_mode));
  EXPECT_TRUE(S_ISLNK(stat_beneath(sandbox_, "lf", false)->st_mode));
  EXPECT_TRUE(S_ISDIR(stat_beneath(sandbox_, ".", false)->st_mode));
  EXPECT_TRUE(S_ISDIR(stat_beneath(sandbox_, "d/", false)->st_mode));
  EXPECT_TRUE(S_ISDIR(stat_beneath(sandbox_, "d/..", false)->st_mode));
  EXPECT_EQ(stat_beneath(sandbox_, "missing", false).error(), Errno::kNoent);
  EXPECT_EQ(stat_beneath(sandbox_, "f/x", false).error(), Errno::kNotdir);
  EXPECT_EQ(stat_beneath(sandbox_, "f/", false).error(), Errno::kNotdir);
  EXPECT_EQ(stat_beneath(sandbox_, "lf/", true).error(), Errno::kNotdir);
}

TEST_P(OperationsTest, SetTimes) {
  file("f");
  link("f", "lf");
  const timespec times[2] = {{1000, 5}, {2000, 7}};
  EXPECT_EQ(set_times_beneath(sandbox_, "lf", true, times), Errno::kSuccess);
  struct stat st;
  ASSERT_EQ(stat(in("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 7);
  const timespec other[2] = {{3000, 0}, {4000, 0}};
  EXPECT_EQ(set_times_beneath(sandbox_, "lf", false, other), Errno::kSuccess);
  ASSERT_EQ(stat(in("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);  // the link changed, not the file
  ASSERT_EQ(lstat(in("lf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 4000);
  const timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  EXPECT_EQ(set_times_beneath(sandbox_, "f", false, omit), Errno::kSuccess);
  EXPECT_EQ(set_times_beneath(sandbox_, "missing", false, times), Errno::kNoent);
  EXPECT_EQ(set_times_beneath(sandbox_, "missing", true, times), Errno::kNoent);
  const timespec bad[2] = {{0, 1000000000}, {0, -1}};
  EXPECT_EQ(set_times_beneath(sandbox_, "f", false, bad), Errno::kInval);
  EXPECT_EQ(set_times_beneath(sandbox_, "lf", true, bad), Errno::kInval);
  // Extremes: Linux clamps a time to the filesystem's range rather than refuse it.
  for (int64_t sec :
       {INT64_MAX, INT64_MIN, int64_t{0}, int64_t{-1}, int64_t{1} << 62, int64_t{UINT32_MAX} + 1}) {
    const timespec extreme[2] = {{sec, 999999999}, {sec, 0}};
    for (bool follow : {false, true}) {
      EXPECT_EQ(set_times_beneath(sandbox_, "lf", follow, extreme), Errno::kSuccess) << sec;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Resolvers, OperationsTest,
                         ::testing::Values(ResolverKind::kOpenat2, ResolverKind::kManual),
                         resolver_name);

}  // namespace
}  // namespace keel::wasi::fs

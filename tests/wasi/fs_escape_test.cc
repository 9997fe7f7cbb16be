// Every way out of the sandbox: "..", absolute paths, absolute and climbing symlinks, loops,
// dangling links, trailing slashes, writes through links, magic links, NUL bytes.
#include <gtest/gtest.h>

#include <string>

#include "fs_sandbox_fixture.h"

namespace keel::wasi::fs {
namespace {

using EscapeTest = SandboxTest;

constexpr timespec kTimes[2] = {{1, 0}, {2, 0}};

TEST_P(EscapeTest, DotDotPastTheRoot) {
  dir("a");
  file("a/f");
  for (const char* p : {"..", "../", "../outside/marker", "a/../..", "a/../../outside/marker",
                        "./../sandbox", "a/./../../outside", "a/../a/../../outside/dir/marker"}) {
    EXPECT_EQ(open_err(p), Errno::kPerm) << p;
    EXPECT_EQ(stat_beneath(sandbox_, p, true).error(), Errno::kPerm) << p;
    EXPECT_EQ(stat_beneath(sandbox_, p, false).error(), Errno::kPerm) << p;
  }
  EXPECT_EQ(open_err("a/..", true, O_RDONLY | O_DIRECTORY), Errno::kSuccess);
  EXPECT_EQ(open_err("a/../a/f"), Errno::kSuccess);
  EXPECT_EQ(mkdir_beneath(sandbox_, "../outside/new"), Errno::kPerm);
  EXPECT_EQ(rmdir_beneath(sandbox_, "../outside/dir"), Errno::kPerm);
  EXPECT_EQ(rmdir_beneath(sandbox_, ".."), Errno::kPerm);
  EXPECT_EQ(unlink_beneath(sandbox_, "../outside/marker"), Errno::kPerm);
  EXPECT_EQ(unlink_beneath(sandbox_, "a/../../outside/marker"), Errno::kPerm);
  EXPECT_EQ(symlink_beneath("x", sandbox_, "../outside/l"), Errno::kPerm);
  EXPECT_EQ(readlink_beneath(sandbox_, "../outside/marker").error(), Errno::kPerm);
  EXPECT_EQ(rename_beneath(sandbox_, "a/f", sandbox_, "../outside/f"), Errno::kPerm);
  EXPECT_EQ(rename_beneath(sandbox_, "../outside/marker", sandbox_, "m"), Errno::kPerm);
  EXPECT_EQ(link_beneath(sandbox_, "../outside/marker", false, sandbox_, "m"), Errno::kPerm);
  EXPECT_EQ(link_beneath(sandbox_, "a/f", true, sandbox_, "../outside/f"), Errno::kPerm);
  EXPECT_EQ(set_times_beneath(sandbox_, "../outside/marker", false, kTimes), Errno::kPerm);
  EXPECT_FALSE(exists("sandbox/m"));
}

TEST_P(EscapeTest, AbsolutePathsAndTheRootWithoutAGrant) {
  file("f");
  std::string abs_marker = host("outside/marker");
  for (std::string p :
       {std::string("/"), std::string("/etc/passwd"), std::string("//"), abs_marker, in("f")}) {
    EXPECT_EQ(open_err(p), Errno::kPerm) << p;
    EXPECT_EQ(open_err(p, false, O_WRONLY | O_CREAT | O_TRUNC), Errno::kPerm) << p;
    EXPECT_EQ(stat_beneath(sandbox_, p, false).error(), Errno::kPerm) << p;
    EXPECT_EQ(unlink_beneath(sandbox_, p), Errno::kPerm) << p;
    EXPECT_EQ(mkdir_beneath(sandbox_, p), Errno::kPerm) << p;
    EXPECT_EQ(set_times_beneath(sandbox_, p, true, kTimes), Errno::kPerm) << p;
  }
  EXPECT_EQ(rename_beneath(sandbox_, "f", sandbox_, abs_marker), Errno::kPerm);
  EXPECT_TRUE(exists("sandbox/f"));
}

TEST_P(EscapeTest, AbsoluteSymlinkTargets) {
  link(host("outside/marker"), "abs_file");
  link(host("outside"), "abs_dir");
  link("/", "slash");
  EXPECT_EQ(open_err("abs_file"), Errno::kPerm);
  EXPECT_EQ(open_err("abs_file", false), Errno::kLoop);
  EXPECT_EQ(open_err("abs_dir/marker"), Errno::kPerm);
  EXPECT_EQ(open_err("abs_dir/marker", false), Errno::kPerm);
  EXPECT_EQ(open_err("slash/etc/passwd"), Errno::kPerm);
  EXPECT_EQ(stat_beneath(sandbox_, "abs_file", true).error(), Errno::kPerm);
  ErrnoOr<struct stat> st = stat_beneath(sandbox_, "abs_file", false);
  ASSERT_TRUE(st.ok());
  EXPECT_TRUE(S_ISLNK(st->st_mode));
  EXPECT_EQ(unlink_beneath(sandbox_, "abs_dir/marker"), Errno::kPerm);
  EXPECT_EQ(mkdir_beneath(sandbox_, "abs_dir/new"), Errno::kPerm);
  EXPECT_EQ(set_times_beneath(sandbox_, "abs_file", true, kTimes), Errno::kPerm);
  EXPECT_EQ(link_beneath(sandbox_, "abs_file", true, sandbox_, "hard"), Errno::kPerm);
  EXPECT_FALSE(exists("sandbox/hard"));
  // Not following: the link itself, inside, is what is touched.
  EXPECT_EQ(set_times_beneath(sandbox_, "abs_file", false, kTimes), Errno::kSuccess);
  EXPECT_EQ(readlink_beneath(sandbox_, "abs_file").value(), host("outside/marker"));
  EXPECT_EQ(unlink_beneath(sandbox_, "abs_file"), Errno::kSuccess);
}

TEST_P(EscapeTest, RelativeSymlinksThatClimbOut) {
  dir("a");
  dir("b");
  file("b/f");
  link("../outside", "up");
  link("../../outside/marker", "a/up2");
  link("../b/f", "a/in");
  link("../..", "a/twice");
  EXPECT_EQ(open_err("up/marker"), Errno::kPerm);
  EXPECT_EQ(open_err("up", true, O_RDONLY | O_DIRECTORY), Errno::kPerm);
  EXPECT_EQ(open_err("a/up2"), Errno::kPerm);
  EXPECT_EQ(open_err("a/twice/outside/marker"), Errno::kPerm);
  EXPECT_EQ(open_err("a/in"), Errno::kSuccess);
  EXPECT_EQ(open_err("a/in/../f"), Errno::kNotdir);
  EXPECT_EQ(stat_beneath(sandbox_, "up/marker", false).error(), Errno::kPerm);
  EXPECT_EQ(rename_beneath(sandbox_, "b/f", sandbox_, "up/f"), Errno::kPerm);
  EXPECT_TRUE(exists("sandbox/b/f"));
}

TEST_P(EscapeTest, SymlinkLoops) {
  link("loop2", "loop1");
  link("loop1", "loop2");
  link("self", "self");
  link("self/x", "through");
  EXPECT_EQ(open_err("loop1"), Errno::kLoop);
  EXPECT_EQ(open_err("self"), Errno::kLoop);
  EXPECT_EQ(open_err("through"), Errno::kLoop);
  EXPECT_EQ(open_err("loop1/x"), Errno::kLoop);
  EXPECT_EQ(stat_beneath(sandbox_, "loop1", true).error(), Errno::kLoop);
  EXPECT_EQ(mkdir_beneath(sandbox_, "loop1/x"), Errno::kLoop);
  EXPECT_EQ(open_err("loop1", true, O_WRONLY | O_CREAT), Errno::kLoop);
  // Forty expansions resolve, as in Linux (MAXSYMLINKS); the forty-first is ELOOP.
  file("target");
  std::string prev = "target";
  for (int i = 1; i <= 41; ++i) {
    std::string name = "c" + std::to_string(i);
    link(prev, name);
    prev = name;
  }
  EXPECT_EQ(open_err("c40"), Errno::kSuccess);
  EXPECT_EQ(open_err("c41"), Errno::kLoop);
}

TEST_P(EscapeTest, DanglingSymlinks) {
  link("missing", "dangle");
  link("../outside/created", "dangle_out");
  link(host("outside/created_abs"), "dangle_abs");
  link("../outside/marker", "to_marker");
  EXPECT_EQ(open_err("dangle"), Errno::kNoent);
  EXPECT_EQ(open_err("dangle", false), Errno::kLoop);
  EXPECT_EQ(stat_beneath(sandbox_, "dangle", true).error(), Errno::kNoent);
  EXPECT_EQ(open_err("dangle", true, O_WRONLY | O_CREAT | O_EXCL), Errno::kExist);
  EXPECT_FALSE(exists("sandbox/missing"));
  EXPECT_EQ(open_err("dangle", true, O_WRONLY | O_CREAT), Errno::kSuccess);
  EXPECT_TRUE(exists("sandbox/missing"));
  // CVE-2024-38358: creating through a dangling link that points outside creates nothing.
  for (const char* p : {"dangle_out", "dangle_abs"}) {
    EXPECT_EQ(open_err(p, true, O_WRONLY | O_CREAT), Errno::kPerm) << p;
    EXPECT_EQ(open_err(p, true, O_WRONLY | O_CREAT | O_EXCL), Errno::kExist) << p;
    EXPECT_EQ(open_err(p, false, O_WRONLY | O_CREAT), Errno::kLoop) << p;
  }
  EXPECT_FALSE(exists("outside/created"));
  EXPECT_FALSE(exists("outside/created_abs"));
}

TEST_P(EscapeTest, WritesThroughASymlinkPointingOutside) {
  link("../outside/marker", "rel");
  link(host("outside/marker"), "abs");
  for (const char* p : {"rel", "abs"}) {
    for (int flags : {O_WRONLY | O_TRUNC, O_RDWR | O_CREAT, O_WRONLY | O_APPEND, O_RDONLY}) {
      EXPECT_EQ(open_err(p, true, flags), Errno::kPerm) << p << " " << flags;
      EXPECT_EQ(open_err(p, false, flags), Errno::kLoop) << p << " " << flags;
    }
  }
}

TEST_P(EscapeTest, TrailingSlashOnASymlinkWithoutFollow) {
  dir("d");
  file("f");
  link("d", "ld");
  link("f", "lf");
  link("../outside/dir", "lout");
  link(host("outside/dir"), "labs");
  struct stat d;
  ASSERT_EQ(stat(in("d").c_str(), &d), 0);
  // As in the kernel, "link/" names what the link points to, and it must be a directory.
  ErrnoOr<UniqueFd> fd = open_beneath(sandbox_, "ld/", false, O_RDONLY, 0);
  ASSERT_TRUE(fd.ok()) << errno_name(fd.error());
  struct stat got;
  ASSERT_EQ(fstat(fd->get(), &got), 0);
  EXPECT_EQ(got.st_ino, d.st_ino);
  EXPECT_EQ(open_err("lf/", false), Errno::kNotdir);
  EXPECT_EQ(open_err("f/", false), Errno::kNotdir);
  EXPECT_EQ(open_err("new/", false, O_WRONLY | O_CREAT), Errno::kIsdir);
  for (const char* p : {"lout/", "labs/", "lout//"}) {
    EXPECT_EQ(open_err(p, false), Errno::kPerm) << p;
    EXPECT_EQ(open_err(p, false, O_RDONLY | O_DIRECTORY), Errno::kPerm) << p;
    EXPECT_EQ(stat_beneath(sandbox_, p, false).error(), Errno::kPerm) << p;
    EXPECT_EQ(set_times_beneath(sandbox_, p, false, kTimes), Errno::kPerm) << p;
    EXPECT_EQ(readlink_beneath(sandbox_, p).error(), Errno::kPerm) << p;
    EXPECT_EQ(link_beneath(sandbox_, p, false, sandbox_, "hard"), Errno::kPerm) << p;
    EXPECT_EQ(unlink_beneath(sandbox_, p), Errno::kNotdir) << p;
    EXPECT_EQ(rmdir_beneath(sandbox_, p), Errno::kNotdir) << p;
    EXPECT_EQ(rename_beneath(sandbox_, p, sandbox_, "moved"), Errno::kNotdir) << p;
    EXPECT_EQ(mkdir_beneath(sandbox_, p), Errno::kExist) << p;
  }
  EXPECT_EQ(stat_beneath(sandbox_, "ld/", false)->st_ino, d.st_ino);
  EXPECT_TRUE(S_ISLNK(stat_beneath(sandbox_, "lout", false)->st_mode));
  EXPECT_TRUE(exists("sandbox/lout"));
}

TEST_P(EscapeTest, MagicLinksAreNeverFollowed) {
  link("/proc/self/root", "proot");
  link("/proc/self/cwd", "pcwd");
  EXPECT_EQ(open_err("proot"), Errno::kPerm);
  EXPECT_EQ(open_err("proot/etc/passwd"), Errno::kPerm);
  EXPECT_EQ(open_err("pcwd/x"), Errno::kPerm);
  // A grant of /proc/self itself: its "root", "cwd" and "fd/N" are magic links.
  int proc = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(proc, 0);
  std::string fd_link = "fd/" + std::to_string(sandbox_) + "/../outside/marker";
  for (std::string p :
       {std::string("root/etc/passwd"), std::string("root"), std::string("cwd/x"),
        std::string("fd/") + std::to_string(sandbox_), fd_link, std::string("exe")}) {
    // openat2 refuses the magic link itself (ELOOP) and hands over to the manual walk, which
    // reads its absolute target: an escape from both.
    EXPECT_EQ(open_beneath(proc, p, true, O_RDONLY, 0).error(), Errno::kPerm) << p;
    EXPECT_EQ(stat_beneath(proc, p, true).error(), Errno::kPerm) << p;
  }
  close(proc);
}

TEST_P(EscapeTest, NulByteAndEmptyPaths) {
  file("f");
  std::string nul("f\0/../../outside/marker", 23);
  for (std::string_view p : {std::string_view(nul), std::string_view("\0", 1)}) {
    EXPECT_EQ(open_err(p), Errno::kInval);
    EXPECT_EQ(stat_beneath(sandbox_, p, true).error(), Errno::kInval);
    EXPECT_EQ(mkdir_beneath(sandbox_, p), Errno::kInval);
    EXPECT_EQ(unlink_beneath(sandbox_, p), Errno::kInval);
    EXPECT_EQ(rmdir_beneath(sandbox_, p), Errno::kInval);
    EXPECT_EQ(readlink_beneath(sandbox_, p).error(), Errno::kInval);
    EXPECT_EQ(symlink_beneath("x", sandbox_, p), Errno::kInval);
    EXPECT_EQ(rename_beneath(sandbox_, "f", sandbox_, p), Errno::kInval);
    EXPECT_EQ(link_beneath(sandbox_, p, true, sandbox_, "g"), Errno::kInval);
    EXPECT_EQ(set_times_beneath(sandbox_, p, false, kTimes), Errno::kInval);
  }
  EXPECT_EQ(symlink_beneath(nul, sandbox_, "l"), Errno::kInval);
  EXPECT_EQ(open_err(""), Errno::kNoent);
  EXPECT_EQ(stat_beneath(sandbox_, "", false).error(), Errno::kNoent);
  EXPECT_EQ(mkdir_beneath(sandbox_, ""), Errno::kNoent);
  EXPECT_EQ(unlink_beneath(sandbox_, ""), Errno::kNoent);
  EXPECT_EQ(rename_beneath(sandbox_, "f", sandbox_, ""), Errno::kNoent);
  EXPECT_EQ(symlink_beneath("", sandbox_, "l"), Errno::kNoent);
  EXPECT_TRUE(exists("sandbox/f"));
}

INSTANTIATE_TEST_SUITE_P(Resolvers, EscapeTest,
                         ::testing::Values(ResolverKind::kOpenat2, ResolverKind::kManual),
                         resolver_name);

}  // namespace
}  // namespace keel::wasi::fs

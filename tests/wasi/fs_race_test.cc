// A second thread swaps a directory inside the sandbox with a symlink to the outside
// (renameat2 RENAME_EXCHANGE) while the resolvers work beneath that name: no returned handle may
// be the outside marker, every refusal is the escape errno, and nothing outside may be created or
// changed. guest_rename_race_test.cc runs the same race under a real WASI guest.
#include <gtest/gtest.h>
#include <stdio.h>

#include <atomic>
#include <thread>

#include "fs_sandbox_fixture.h"

namespace keel::wasi::fs {
namespace {

using RaceTest = SandboxTest;

TEST_P(RaceTest, DirectorySwappedWithAnOutsideSymlink) {
  dir("d");
  dir("d/dir");
  file("d/marker");
  file("d/dir/marker");
  link("../outside", "swap");
  std::atomic<bool> stop{false};
  std::atomic<int> swaps{0};
  std::thread swapper([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      if (renameat2(sandbox_, "d", sandbox_, "swap", RENAME_EXCHANGE) == 0) swaps++;
    }
  });
  int opened = 0;
  int refused = 0;
  const char* paths[] = {"d/marker", "d/dir/marker", "d/dir/../marker", "d/../d/marker",
                         "d/./dir/../../d/marker"};
  for (int i = 0; i < 3000; ++i) {
    for (const char* p : paths) {
      ErrnoOr<UniqueFd> fd = open_beneath(sandbox_, p, i % 2 == 0, O_RDONLY, 0);
      if (fd) {
        ++opened;
        expect_not_outside(fd->get());
      } else if (fd.error() == Errno::kPerm) {  // the escape errno: d was the symlink
        ++refused;
      } else {
        ADD_FAILURE() << p << ": " << errno_name(fd.error());
      }
      ErrnoOr<struct stat> st = stat_beneath(sandbox_, p, i % 2 == 1);
      if (st) {
        EXPECT_FALSE(st->st_dev == marker_.st_dev && st->st_ino == marker_.st_ino) << p;
      } else {
        EXPECT_EQ(st.error(), Errno::kPerm) << p << ": " << errno_name(st.error());
      }
    }
    // Writes beneath the swapped name: the outside snapshot (TearDown) must not change.
    ErrnoOr<UniqueFd> created = open_beneath(sandbox_, "d/created", true, O_WRONLY | O_CREAT, 0644);
    if (created) expect_not_outside(created->get());
    const timespec times[2] = {{1, 0}, {1, 0}};
    (void)set_times_beneath(sandbox_, "d/dir/marker", i % 2 == 0, times);
    (void)mkdir_beneath(sandbox_, "d/newdir");
    (void)rmdir_beneath(sandbox_, "d/newdir");
    if (HasFailure()) break;
  }
  stop = true;
  swapper.join();
  EXPECT_GT(opened, 0);
  EXPECT_GT(refused, 0);
  EXPECT_GT(swaps.load(), 0);
  RecordProperty("opened", opened);
  RecordProperty("refused", refused);
  // Whichever name the directory ended under, clean the sandbox's side of the swap.
  struct stat st;
  if (lstat(in("d").c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    ASSERT_EQ(renameat2(sandbox_, "d", sandbox_, "swap", RENAME_EXCHANGE), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Resolvers, RaceTest,
                         ::testing::Values(ResolverKind::kOpenat2, ResolverKind::kManual),
                         resolver_name);

}  // namespace
}  // namespace keel::wasi::fs

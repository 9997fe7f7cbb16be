// Files and directories through the host: path_open flags and rights, read-only grants, rights
// that only drop, close/renumber without leaks, readdir cookies and truncation, times, and the
// wasi_unstable whence and filestat layouts.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "host_test_util.h"

namespace keel::test {
namespace {

using wasi::Errno;
using A = WasiGuest::Arg;
namespace R = wasi::rights;

constexpr uint32_t kPath = 1000;  // where tests put guest paths

int open_host_fds() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  while (readdir(d)) ++n;
  closedir(d);
  return n;
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream(path) << data;
}

class WasiHostFs : public ::testing::Test {
 protected:
  void SetUp() override { config_.dirs.push_back({dir_.path, "/sandbox", false}); }
  // path_open beneath fd 3; the new fd at address 0.
  Errno open(WasiGuest& g, std::string_view path, uint32_t oflags, uint64_t base,
             uint32_t fdflags = 0, uint32_t dirfd = 3) {
    g.put(kPath, path);
    return g.call("path_open", {dirfd, 1u, kPath, uint32_t(path.size()), oflags, A::i64(base),
                                A::i64(base), fdflags, 0u});
  }
  TempDir dir_;
  wasi::WasiConfig config_;
};

TEST_F(WasiHostFs, PrestatNamesThePreopen) {
  WasiGuest g(config_);
  EXPECT_EQ(g.call("fd_prestat_get", {3, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint8_t>(0), 0);
  EXPECT_EQ(g.load<uint32_t>(4), 8u);
  EXPECT_EQ(g.call("fd_prestat_dir_name", {3, 100, 8}), Errno::kSuccess);
  EXPECT_EQ(g.get(100, 8), "/sandbox");
  EXPECT_EQ(g.call("fd_prestat_dir_name", {3, 100, 7}), Errno::kNametoolong);
  EXPECT_EQ(g.call("fd_prestat_get", {1, 0}), Errno::kBadf);
  EXPECT_EQ(g.call("fd_prestat_get", {4, 0}), Errno::kBadf);
  EXPECT_EQ(g.call("fd_fdstat_get", {3, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint8_t>(0), uint8_t(wasi::Filetype::kDirectory));
  EXPECT_EQ(g.load<uint64_t>(8), R::kDirectory);
}

TEST_F(WasiHostFs, CreateWriteSeekReadStat) {
  WasiGuest g(config_);
  ASSERT_EQ(open(g, "f.txt", wasi::oflags::kCreat | wasi::oflags::kExcl, R::kAll), Errno::kSuccess);
  uint32_t fd = g.load<uint32_t>(0);
  EXPECT_EQ(fd, 4u);
  g.put(100, "hello");
  g.iovec(8, 100, 5);
  EXPECT_EQ(g.call("fd_write", {fd, 8, 1, 16}), Errno::kSuccess);
  EXPECT_EQ(g.call("fd_tell", {fd, 24}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(24), 5u);
  EXPECT_EQ(g.call("fd_seek", {fd, A::i64(1), 0 /*SET*/, 24}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(24), 1u);
  g.iovec(8, 200, 10);
  EXPECT_EQ(g.call("fd_read", {fd, 8, 1, 16}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(16), 4u);
  EXPECT_EQ(g.get(200, 4), "ello");
  EXPECT_EQ(g.call("fd_pread", {fd, 8, 1, A::i64(3), 16}), Errno::kSuccess);
  EXPECT_EQ(g.get(200, 2), "lo");
  std::memset(g.mem() + 300, 0xaa, 64);
  EXPECT_EQ(g.call("fd_filestat_get", {fd, 300}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint8_t>(316), uint8_t(wasi::Filetype::kRegularFile));
  EXPECT_EQ(g.load<uint64_t>(324), 1u);  // nlink, u64 in preview1
  EXPECT_EQ(g.load<uint64_t>(332), 5u);  // size
  EXPECT_EQ(g.load<uint8_t>(317), 0);    // padding zeroed
  EXPECT_EQ(g.call("fd_filestat_set_size", {fd, A::i64(2)}), Errno::kSuccess);
  EXPECT_EQ(g.call("path_filestat_get", {3, 0, kPath, 5, 300}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(332), 2u);
  EXPECT_EQ(open(g, "f.txt", wasi::oflags::kCreat | wasi::oflags::kExcl, R::kAll), Errno::kExist);
  EXPECT_EQ(open(g, "missing", 0, R::kFdRead), Errno::kNoent);
  EXPECT_EQ(open(g, "f.txt", wasi::oflags::kDirectory, R::kFdRead), Errno::kNotdir);
  EXPECT_EQ(open(g, "../escape", wasi::oflags::kCreat, R::kAll), Errno::kPerm);
  EXPECT_EQ(g.call("fd_close", {fd}), Errno::kSuccess);
  EXPECT_EQ(g.call("fd_close", {fd}), Errno::kBadf);
}

TEST_F(WasiHostFs, OpenedFileRightsAreWithinRequestAndOpenMode) {
  write_file(dir_.path + "/r", "x");
  WasiGuest g(config_);
  ASSERT_EQ(open(g, "r", 0, R::kFdRead | R::kFdSeek | R::kPathOpen), Errno::kSuccess);
  uint32_t fd = g.load<uint32_t>(0);
  EXPECT_EQ(g.call("fd_fdstat_get", {fd, 16}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(24), R::kFdRead | R::kFdSeek);  // path_open is no file right
  g.iovec(8, 100, 1);
  EXPECT_EQ(g.call("fd_write", {fd, 8, 1, 48}), Errno::kNotcapable);
  EXPECT_EQ(g.call("fd_readdir", {fd, 100, 64, A::i64(0), 48}), Errno::kNotdir);
  // Rights only drop.
  EXPECT_EQ(g.call("fd_fdstat_set_rights", {fd, A::i64(R::kFdSeek), A::i64(0)}), Errno::kSuccess);
  EXPECT_EQ(g.call("fd_read", {fd, 8, 1, 48}), Errno::kNotcapable);
  EXPECT_EQ(g.call("fd_fdstat_set_rights", {fd, A::i64(R::kFdSeek | R::kFdRead), A::i64(0)}),
            Errno::kNotcapable);
  // A directory without path_create_file cannot create.
  EXPECT_EQ(
      g.call("fd_fdstat_set_rights", {3u, A::i64(R::kPathOpen), A::i64(R::kDirectoryInheriting)}),
      Errno::kSuccess);
  EXPECT_EQ(open(g, "new", wasi::oflags::kCreat, R::kFdWrite), Errno::kNotcapable);
  EXPECT_EQ(g.call("path_create_directory", {3, kPath, 3}), Errno::kNotcapable);
}

TEST_F(WasiHostFs, ReadOnlyGrantNeverMutates) {
  write_file(dir_.path + "/r", "data");
  config_.dirs[0].read_only = true;
  WasiGuest g(config_);
  EXPECT_EQ(g.call("fd_fdstat_get", {3, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(8) & R::kMutating, 0u);
  EXPECT_EQ(g.load<uint64_t>(16) & R::kMutating, 0u);
  EXPECT_EQ(open(g, "n", wasi::oflags::kCreat, R::kFdRead), Errno::kPerm);
  EXPECT_EQ(open(g, "r", wasi::oflags::kTrunc, R::kFdRead), Errno::kPerm);
  EXPECT_EQ(open(g, "r", 0, R::kFdRead | R::kFdWrite), Errno::kPerm);
  EXPECT_EQ(open(g, "r", 0, R::kFdRead, wasi::fdflags::kAppend), Errno::kPerm);
  // wasi-libc's O_RDONLY asks for every right but the write ones: that opens, read-only.
  ASSERT_EQ(open(g, "r", 0, R::kAll & ~(R::kFdWrite | R::kFdAllocate | R::kFdFilestatSetSize)),
            Errno::kSuccess);
  uint32_t fd = g.load<uint32_t>(0);
  EXPECT_EQ(g.call("fd_fdstat_get", {fd, 16}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(24) & R::kMutating, 0u);
  EXPECT_EQ(g.call("fd_filestat_set_times", {fd, A::i64(0), A::i64(0), wasi::fstflags::kMtimNow}),
            Errno::kNotcapable);
  g.put(kPath, "d");
  EXPECT_EQ(g.call("path_create_directory", {3, kPath, 1}), Errno::kPerm);
  g.put(kPath, "r");
  EXPECT_EQ(g.call("path_unlink_file", {3, kPath, 1}), Errno::kPerm);
  EXPECT_EQ(g.call("path_rename", {3, kPath, 1, 3, kPath, 1}), Errno::kPerm);
  EXPECT_EQ(g.call("path_symlink", {kPath, 1, 3, kPath + 10, 1}), Errno::kPerm);
  EXPECT_EQ(g.call("path_filestat_set_times",
                   {3, 0, kPath, 1, A::i64(0), A::i64(0), wasi::fstflags::kMtimNow}),
            Errno::kPerm);
  struct stat st;
  EXPECT_EQ(stat((dir_.path + "/r").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 4);
}

TEST_F(WasiHostFs, CloseAndRenumberLeakNothing) {
  write_file(dir_.path + "/a", "A");
  write_file(dir_.path + "/b", "B");
  int before = open_host_fds();
  {
    WasiGuest g(config_);
    ASSERT_EQ(open(g, "a", 0, R::kFdRead), Errno::kSuccess);
    ASSERT_EQ(open(g, "b", 0, R::kFdRead), Errno::kSuccess);
    EXPECT_EQ(g.load<uint32_t>(0), 5u);
    EXPECT_EQ(g.call("fd_renumber", {4, 5}), Errno::kSuccess);  // "b" is closed
    g.iovec(8, 100, 1);
    EXPECT_EQ(g.call("fd_read", {5, 8, 1, 16}), Errno::kSuccess);
    EXPECT_EQ(g.get(100, 1), "A");
    EXPECT_EQ(g.call("fd_read", {4, 8, 1, 16}), Errno::kBadf);
    EXPECT_EQ(g.call("fd_renumber", {5, 9}), Errno::kBadf);
    EXPECT_EQ(g.call("fd_renumber", {9, 5}), Errno::kBadf);
    EXPECT_EQ(g.call("fd_renumber", {5, 5}), Errno::kSuccess);
    ASSERT_EQ(open(g, "b", 0, R::kFdRead), Errno::kSuccess);
    EXPECT_EQ(g.load<uint32_t>(0), 4u);  // lowest free number
    ASSERT_EQ(open(g, "a", 0, R::kFdRead), Errno::kSuccess);
    EXPECT_EQ(g.call("fd_close", {4}), Errno::kSuccess);
    EXPECT_EQ(open_host_fds(), before + 3);  // the preopen, "a" twice
  }
  EXPECT_EQ(open_host_fds(), before);
}

struct Dirent {
  uint64_t next;
  std::string name;
  uint8_t type;
};

std::vector<Dirent> parse(WasiGuest& g, uint32_t buf, uint32_t used) {
  std::vector<Dirent> out;
  uint32_t at = 0;
  while (at + 24 <= used) {
    uint32_t namlen = g.load<uint32_t>(buf + at + 16);
    if (at + 24 + namlen > used) break;
    out.push_back(
        {g.load<uint64_t>(buf + at), g.get(buf + at + 24, namlen), g.load<uint8_t>(buf + at + 20)});
    at += 24 + namlen;
  }
  return out;
}

TEST_F(WasiHostFs, ReaddirCookiesAndTruncation) {
  write_file(dir_.path + "/a", "");
  write_file(dir_.path + "/bb", "");
  mkdir((dir_.path + "/ccc").c_str(), 0755);
  WasiGuest g(config_);
  EXPECT_EQ(g.call("fd_readdir", {3, 4096, 4096, A::i64(0), 0}), Errno::kSuccess);
  uint32_t used = g.load<uint32_t>(0);
  auto all = parse(g, 4096, used);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(used, 5 * 24u + 1 + 2 + 1 + 2 + 3);
  std::set<std::string> names;
  for (size_t i = 0; i < all.size(); ++i) {
    names.insert(all[i].name);
    EXPECT_EQ(all[i].next, i + 1);
    if (all[i].name == "ccc") {
      EXPECT_EQ(all[i].type, uint8_t(wasi::Filetype::kDirectory));
    }
    if (all[i].name == "a") {
      EXPECT_EQ(all[i].type, uint8_t(wasi::Filetype::kRegularFile));
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{".", "..", "a", "bb", "ccc"}));

  // A buffer that ends inside the second entry's header: filled exactly, nothing beyond it
  // written, the padding zero.
  std::memset(g.mem() + 8192, 0xaa, 200);
  uint32_t first = 24 + uint32_t(all[0].name.size());
  EXPECT_EQ(g.call("fd_readdir", {3, 8192, first + 10, A::i64(0), 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(0), first + 10);
  EXPECT_EQ(g.mem()[8192 + 21], 0);
  EXPECT_EQ(g.mem()[8192 + 23], 0);
  EXPECT_EQ(g.load<uint64_t>(8192 + first), 2u);  // the cut entry's d_next
  EXPECT_EQ(g.mem()[8192 + first + 10], 0xaa);
  // Resuming from a cookie gives the rest.
  EXPECT_EQ(g.call("fd_readdir", {3, 4096, 4096, A::i64(3), 0}), Errno::kSuccess);
  auto rest = parse(g, 4096, g.load<uint32_t>(0));
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].name, all[3].name);
  EXPECT_EQ(g.call("fd_readdir", {3, 4096, 4096, A::i64(99), 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(0), 0u);
  uint32_t end = uint32_t(g.mem_size());
  EXPECT_EQ(g.call("fd_readdir", {3, end - 10, 11, A::i64(0), 0}), Errno::kFault);
  EXPECT_EQ(g.call("fd_readdir", {1, 0, 10, A::i64(0), 100}), Errno::kNotdir);
}

TEST_F(WasiHostFs, PathOperations) {
  WasiGuest g(config_);
  g.put(kPath, "d");
  EXPECT_EQ(g.call("path_create_directory", {3, kPath, 1}), Errno::kSuccess);
  EXPECT_EQ(g.call("path_create_directory", {3, kPath, 1}), Errno::kExist);
  write_file(dir_.path + "/d/f", "abc");
  g.put(kPath, "d/f");
  g.put(kPath + 10, "g");
  EXPECT_EQ(g.call("path_link", {3, 0, kPath, 3, 3, kPath + 10, 1}), Errno::kSuccess);
  EXPECT_EQ(g.call("path_filestat_get", {3, 0, kPath + 10, 1, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(24), 2u);  // nlink
  g.put(kPath + 20, "h");
  EXPECT_EQ(g.call("path_rename", {3, kPath + 10, 1, 3, kPath + 20, 1}), Errno::kSuccess);
  g.put(kPath + 30, "d/f");
  g.put(kPath + 40, "link");
  EXPECT_EQ(g.call("path_symlink", {kPath + 30, 3, 3, kPath + 40, 4}), Errno::kSuccess);
  EXPECT_EQ(g.call("path_readlink", {3, kPath + 40, 4, 200, 64, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(0), 3u);
  EXPECT_EQ(g.get(200, 3), "d/f");
  EXPECT_EQ(g.call("path_readlink", {3, kPath + 40, 4, 200, 2, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint32_t>(0), 2u);
  EXPECT_EQ(g.call("path_filestat_get", {3, 0, kPath + 40, 4, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint8_t>(16), uint8_t(wasi::Filetype::kSymbolicLink));
  EXPECT_EQ(g.call("path_filestat_get", {3, 1, kPath + 40, 4, 0}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint8_t>(16), uint8_t(wasi::Filetype::kRegularFile));
  EXPECT_EQ(g.call("path_unlink_file", {3, kPath + 40, 4}), Errno::kSuccess);
  EXPECT_EQ(g.call("path_remove_directory", {3, kPath, 1}), Errno::kNotempty);
  EXPECT_EQ(g.call("path_unlink_file", {3, kPath, 3}), Errno::kSuccess);
  EXPECT_EQ(g.call("path_remove_directory", {3, kPath, 1}), Errno::kSuccess);
  EXPECT_EQ(g.call("path_unlink_file", {3, kPath + 20, 1}), Errno::kSuccess);
  EXPECT_EQ(g.call("path_create_directory", {3, 0xfffffff0u, 100}), Errno::kFault);
  EXPECT_EQ(g.call("path_create_directory", {1, kPath, 1}), Errno::kNotdir);
}

TEST_F(WasiHostFs, SetTimesValidatesExtremes) {
  write_file(dir_.path + "/t", "");
  WasiGuest g(config_);
  ASSERT_EQ(open(g, "t", 0, R::kAll), Errno::kSuccess);
  uint32_t fd = g.load<uint32_t>(0);
  using namespace wasi::fstflags;
  EXPECT_EQ(g.call("fd_filestat_set_times", {fd, A::i64(0), A::i64(0), kAtim | kAtimNow}),
            Errno::kInval);
  EXPECT_EQ(g.call("fd_filestat_set_times", {fd, A::i64(0), A::i64(0), 0x10}), Errno::kInval);
  EXPECT_EQ(g.call("fd_filestat_set_times", {fd, A::i64(~0ull), A::i64(~0ull), kAtim | kMtim}),
            Errno::kSuccess);
  EXPECT_EQ(g.call("fd_filestat_set_times",
                   {fd, A::i64(1'000'000'000ull * 5 + 7), A::i64(0), kAtim | kMtimNow}),
            Errno::kSuccess);
  EXPECT_EQ(g.call("fd_filestat_get", {fd, 100}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(140), 5'000'000'007ull);
  g.put(kPath, "t");
  EXPECT_EQ(g.call("path_filestat_set_times", {3, 0, kPath, 1, A::i64(~0ull), A::i64(0), kAtim}),
            Errno::kSuccess);
  EXPECT_EQ(g.call("fd_allocate", {fd, A::i64(~0ull), A::i64(1)}), Errno::kInval);
  EXPECT_EQ(g.call("fd_seek", {fd, A::i64(-1), 0, 8}), Errno::kInval);
  EXPECT_EQ(g.call("fd_seek", {fd, A::i64(0), 3, 8}), Errno::kInval);
  EXPECT_EQ(g.call("fd_advise", {fd, A::i64(0), A::i64(0), 6}), Errno::kInval);
  EXPECT_EQ(g.call("fd_advise", {fd, A::i64(0), A::i64(0), 1}), Errno::kSuccess);
  // Byte-stream calls on a directory are EBADF, whatever its rights.
  EXPECT_EQ(g.call("fd_seek", {3, A::i64(0), 1, 8}), Errno::kBadf);
  EXPECT_EQ(g.call("fd_tell", {3, 8}), Errno::kBadf);
  EXPECT_EQ(g.call("fd_sync", {fd}), Errno::kSuccess);
  EXPECT_EQ(g.call("fd_datasync", {fd}), Errno::kSuccess);
}

TEST_F(WasiHostFs, FdstatFlags) {
  write_file(dir_.path + "/f", "");
  WasiGuest g(config_);
  ASSERT_EQ(open(g, "f", 0, R::kAll, wasi::fdflags::kAppend), Errno::kSuccess);
  uint32_t fd = g.load<uint32_t>(0);
  EXPECT_EQ(g.call("fd_fdstat_get", {fd, 8}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint16_t>(10), wasi::fdflags::kAppend);
  EXPECT_EQ(g.call("fd_fdstat_set_flags", {fd, wasi::fdflags::kNonblock}), Errno::kSuccess);
  EXPECT_EQ(g.call("fd_fdstat_get", {fd, 8}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint16_t>(10), wasi::fdflags::kNonblock);
  EXPECT_EQ(g.call("fd_fdstat_set_flags", {fd, wasi::fdflags::kSync}), Errno::kNotsup);
}

TEST_F(WasiHostFs, Preview0WhenceAndFilestatLayout) {
  write_file(dir_.path + "/f", "hello");
  WasiGuest g(config_, wasi::Flavor::kPreview0);
  ASSERT_EQ(open(g, "f", 0, R::kAll), Errno::kSuccess);
  uint32_t fd = g.load<uint32_t>(0);
  EXPECT_EQ(g.call("fd_seek", {fd, A::i64(2), 2 /*SET*/, 8}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(8), 2u);
  EXPECT_EQ(g.call("fd_seek", {fd, A::i64(1), 0 /*CUR*/, 8}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(8), 3u);
  EXPECT_EQ(g.call("fd_seek", {fd, A::i64(-1), 1 /*END*/, 8}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(8), 4u);
  std::memset(g.mem() + 100, 0xaa, 64);
  EXPECT_EQ(g.call("fd_filestat_get", {fd, 100}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint8_t>(116), uint8_t(wasi::Filetype::kRegularFile));
  EXPECT_EQ(g.load<uint32_t>(120), 1u);  // nlink is u32 in wasi_unstable
  EXPECT_EQ(g.load<uint64_t>(124), 5u);  // size follows it
  EXPECT_EQ(g.mem()[156], 0xaa);         // 56 bytes, nothing past
  g.put(kPath, "f");
  EXPECT_EQ(g.call("path_filestat_get", {3, 0, kPath, 1, 100}), Errno::kSuccess);
  EXPECT_EQ(g.load<uint64_t>(124), 5u);

  WasiGuest p1(config_);
  ASSERT_EQ(open(p1, "f", 0, R::kAll), Errno::kSuccess);
  EXPECT_EQ(p1.call("fd_seek", {4, A::i64(-1), 2 /*END*/, 8}), Errno::kSuccess);
  EXPECT_EQ(p1.load<uint64_t>(8), 4u);
}

}  // namespace
}  // namespace keel::test

// A fresh temporary tree per test: root/sandbox (the grant, opened as a directory handle) and
// root/outside beside it, holding a marker file whose contents, times and identity every test
// checks were neither read through a returned handle nor changed. Parameterised by resolver.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "wasi/fs/capability_fs.h"

namespace keel::wasi::fs {

inline bool kernel_has_openat2() {
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH;
  int fd = static_cast<int>(syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how));
  if (fd < 0) return false;
  close(fd);
  return true;
}

class SandboxTest : public ::testing::TestWithParam<ResolverKind> {
 protected:
  void SetUp() override {
    if (GetParam() == ResolverKind::kOpenat2 && !kernel_has_openat2()) {
      GTEST_SKIP() << "no openat2 on this kernel";
    }
    set_resolver(GetParam());
    char tmpl[] = "/tmp/keel-fs-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    ASSERT_EQ(mkdir(host("sandbox").c_str(), 0755), 0);
    ASSERT_EQ(mkdir(host("outside").c_str(), 0755), 0);
    ASSERT_EQ(mkdir(host("outside/dir").c_str(), 0755), 0);
    write_host("outside/marker", "secret");
    write_host("outside/dir/marker", "secret too");
    sandbox_ = open(host("sandbox").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(sandbox_, 0);
    struct stat st;
    ASSERT_EQ(stat(host("outside/marker").c_str(), &st), 0);
    marker_ = st;
    ASSERT_EQ(stat(host("outside").c_str(), &st), 0);
    outside_dir_ = st;
    outside_before_ = snapshot("outside");
  }

  void TearDown() override {
    if (root_.empty()) return;
    EXPECT_EQ(snapshot("outside"), outside_before_) << "something outside the sandbox changed";
    close(sandbox_);
    std::string cmd = "rm -rf '" + root_ + "'";
    if (std::system(cmd.c_str()) != 0) ADD_FAILURE() << cmd;
  }

  std::string host(const std::string& rel) const { return root_ + "/" + rel; }
  std::string in(const std::string& rel) const { return host("sandbox/" + rel); }

  void write_host(const std::string& rel, const std::string& data) {
    std::ofstream(host(rel)) << data;
  }
  void file(const std::string& rel, const std::string& data = "inside") {
    write_host("sandbox/" + rel, data);
  }
  void dir(const std::string& rel) { ASSERT_EQ(mkdir(in(rel).c_str(), 0755), 0) << rel; }
  void link(const std::string& target, const std::string& rel) {
    ASSERT_EQ(symlink(target.c_str(), in(rel).c_str()), 0) << rel;
  }
  bool exists(const std::string& host_rel) const {
    struct stat st;
    return lstat(host(host_rel).c_str(), &st) == 0;
  }

  // A handle returned by keel must never be the outside marker or directory.
  void expect_not_outside(int fd) const {
    struct stat st;
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_FALSE(st.st_dev == marker_.st_dev && st.st_ino == marker_.st_ino);
    EXPECT_FALSE(st.st_dev == outside_dir_.st_dev && st.st_ino == outside_dir_.st_ino);
  }

  Errno open_err(std::string_view path, bool follow = true, int flags = O_RDONLY) {
    ErrnoOr<UniqueFd> fd = open_beneath(sandbox_, path, follow, flags, 0644);
    if (fd) expect_not_outside(fd->get());
    return fd.error();
  }

  // Names, types, sizes, modification times, contents and link targets below `rel`.
  std::string snapshot(const std::string& rel) const {
    std::map<std::string, std::string> entries;
    walk(host(rel), "", &entries);
    std::ostringstream out;
    for (const auto& [name, what] : entries) out << name << ": " << what << "\n";
    return out.str();
  }

  static void walk(const std::string& path, const std::string& name,
                   std::map<std::string, std::string>* entries) {
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) return;
    std::ostringstream what;
    what << std::oct << st.st_mode << std::dec << " " << st.st_size << " " << st.st_mtim.tv_sec
         << "." << st.st_mtim.tv_nsec << " ino " << st.st_ino;
    if (S_ISREG(st.st_mode)) {
      std::ifstream f(path);
      what << " '" << std::string(std::istreambuf_iterator<char>(f), {}) << "'";
    } else if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = readlink(path.c_str(), buf, sizeof buf);
      what << " -> " << std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
    }
    (*entries)[name.empty() ? "." : name] = what.str();
    if (!S_ISDIR(st.st_mode)) return;
    DIR* d = opendir(path.c_str());
    if (d == nullptr) return;
    while (struct dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      walk(path + "/" + n, name.empty() ? n : name + "/" + n, entries);
    }
    closedir(d);
  }

  std::string root_;
  int sandbox_ = -1;
  struct stat marker_ = {};
  struct stat outside_dir_ = {};
  std::string outside_before_;
};

inline std::string resolver_name(const ::testing::TestParamInfo<ResolverKind>& info) {
  return info.param == ResolverKind::kOpenat2 ? "openat2" : "manual";
}

}  // namespace keel::wasi::fs

// The guest half of guest_rename_race_test.cc: in a loop, opens, reads, stats, creates, deletes
// and sets times on paths beneath d/sub in the grant "sandbox", while a host thread renames d/sub
// away, puts a symlink to a directory outside the grant in its place, and puts it back. Each call
// must succeed on the real file inside, or fail with ENOENT (d/sub renamed away) or the escape
// errno (d/sub is the symlink); anything else, or a read of the outside decoy, exits 1.
// Prints each call's outcome counts; loops until every call has seen all three outcomes and
// MIN_SECONDS have passed, or MAX_SECONDS have.
// Environment: SECRET_INO (d/sub/secret's inode), DECOY_INO (the outside secret's), MIN_SECONDS,
// MAX_SECONDS.
#include "common.h"

#define INSIDE "inside: the real d/sub/secret\n"

enum { kOk, kNoent, kEscape, kOutcomes };

struct Op {
  const char* name;
  unsigned n[kOutcomes];
  int always_ok;  // through a handle opened before: the state of d/sub no longer matters
};

enum {
  kOpen,
  kOpenNofollow,
  kOpenDotdot,
  kStat,
  kStatNofollow,
  kCreate,
  kUnlink,
  kMkdir,
  kRmdir,
  kSetTimes,
  kOpenDir,
  kOpenInDir,
  kOps
};

static struct Op ops[kOps] = {
    [kOpen] = {"open"},
    [kOpenNofollow] = {"open_nofollow"},
    [kOpenDotdot] = {"open_dotdot"},
    [kStat] = {"stat"},
    [kStatNofollow] = {"stat_nofollow"},
    [kCreate] = {"create"},
    [kUnlink] = {"unlink"},
    [kMkdir] = {"mkdir"},
    [kRmdir] = {"rmdir"},
    [kSetTimes] = {"set_times"},
    [kOpenDir] = {"open_dir"},
    [kOpenInDir] = {"open_in_dir", {0}, 1},
};

static uint64_t secret_ino, decoy_ino;

// Counts `e` for `op`; any errno but the three is a failure.
static void count(int op, __wasi_errno_t e) {
  if (e == __WASI_ERRNO_SUCCESS) {
    ++ops[op].n[kOk];
  } else if (e == __WASI_ERRNO_NOENT && !ops[op].always_ok) {
    ++ops[op].n[kNoent];
  } else if (e == ESCAPE_ERRNO && !ops[op].always_ok) {
    ++ops[op].n[kEscape];
  } else {
    fprintf(stderr, "%s: errno %u, want success, ENOENT (%u) or the escape errno (%u)\n",
            ops[op].name, (unsigned)e, (unsigned)__WASI_ERRNO_NOENT, (unsigned)ESCAPE_ERRNO);
    exit(1);
  }
}

// The file behind `fd` must be the real secret: its inode and its whole contents.
static void check_secret(const char* what, __wasi_fd_t fd) {
  __wasi_filestat_t st;
  EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
  if (st.ino != secret_ino) {
    fprintf(stderr, "%s: opened inode %llu, the real secret is %llu%s\n", what,
            (unsigned long long)st.ino, (unsigned long long)secret_ino,
            st.ino == decoy_ino ? ": THE OUTSIDE DECOY" : "");
    exit(1);
  }
  char buf[128];
  __wasi_iovec_t iov = {(uint8_t*)buf, sizeof buf};
  __wasi_size_t n;
  EXPECT_OK(__wasi_fd_pread(fd, &iov, 1, 0, &n));
  if (n != strlen(INSIDE) || memcmp(buf, INSIDE, n) != 0) {
    fprintf(stderr, "%s: read %.*s\n", what, (int)n, buf);
    exit(1);
  }
}

static void open_secret(int op, __wasi_fd_t dir, __wasi_lookupflags_t lookup, const char* path) {
  __wasi_fd_t fd;
  __wasi_errno_t e = __wasi_path_open(
      dir, lookup, path, 0,
      __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET, 0, 0, &fd);
  count(op, e);
  if (e != __WASI_ERRNO_SUCCESS) return;
  check_secret(ops[op].name, fd);
  EXPECT_OK(__wasi_fd_close(fd));
}

static void stat_secret(int op, __wasi_fd_t dir, __wasi_lookupflags_t lookup) {
  __wasi_filestat_t st;
  __wasi_errno_t e = __wasi_path_filestat_get(dir, lookup, "d/sub/secret", &st);
  count(op, e);
  if (e == __WASI_ERRNO_SUCCESS && (st.ino != secret_ino || st.size != strlen(INSIDE))) {
    fprintf(stderr, "%s: inode %llu size %llu, want %llu and %zu\n", ops[op].name,
            (unsigned long long)st.ino, (unsigned long long)st.size, (unsigned long long)secret_ino,
            strlen(INSIDE));
    exit(1);
  }
}

static uint64_t env_u64(const char* name) {
  const char* v = getenv(name);
  if (!v) {
    fprintf(stderr, "no %s in the environment\n", name);
    exit(1);
  }
  return strtoull(v, NULL, 10);
}

static uint64_t now_ns(void) {
  __wasi_timestamp_t t;
  EXPECT_OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1000, &t));
  return t;
}

static int covered(void) {
  for (int i = 0; i < kOps; ++i) {
    if (ops[i].always_ok) continue;
    for (int k = 0; k < kOutcomes; ++k)
      if (ops[i].n[k] == 0) return 0;
  }
  return 1;
}

int main(void) {
  __wasi_fd_t dir = preopen("sandbox");
  secret_ino = env_u64("SECRET_INO");
  decoy_ino = env_u64("DECOY_INO");
  const uint64_t start = now_ns();
  const uint64_t min_ns = env_u64("MIN_SECONDS") * 1000000000ull;
  const uint64_t max_ns = env_u64("MAX_SECONDS") * 1000000000ull;
  const __wasi_lookupflags_t follow = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
  unsigned iterations = 0;
  for (;;) {
    uint64_t elapsed = now_ns() - start;
    if ((elapsed >= min_ns && covered()) || elapsed >= max_ns) break;
    ++iterations;

    open_secret(kOpen, dir, follow, "d/sub/secret");
    open_secret(kOpenNofollow, dir, 0, "d/sub/secret");  // d/sub itself is still followed
    open_secret(kOpenDotdot, dir, follow, "d/sub/../sub/secret");
    stat_secret(kStat, dir, follow);
    stat_secret(kStatNofollow, dir, 0);

    // Through the symlink these would land in the outside directory: the host checks it.
    __wasi_fd_t fd;
    __wasi_errno_t e =
        __wasi_path_open(dir, follow, "d/sub/created", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                         __WASI_RIGHTS_FD_WRITE, 0, 0, &fd);
    count(kCreate, e);
    if (e == __WASI_ERRNO_SUCCESS) {
      write_all(fd, "created by the guest\n");
      EXPECT_OK(__wasi_fd_close(fd));
      count(kUnlink, __wasi_path_unlink_file(dir, "d/sub/created"));
    }
    // A fresh name each time, so a directory left behind by a failed rmdir is never EEXIST.
    char name[32];
    snprintf(name, sizeof name, "d/sub/new%u", iterations);
    e = __wasi_path_create_directory(dir, name);
    count(kMkdir, e);
    if (e == __WASI_ERRNO_SUCCESS) count(kRmdir, __wasi_path_remove_directory(dir, name));
    count(kSetTimes, __wasi_path_filestat_set_times(dir, follow, "d/sub/secret", 0,
                                                    1234567000000000000ull, __WASI_FSTFLAGS_MTIM));

    __wasi_fd_t sub;
    // Every right but fd_write, which a directory refuses (EISDIR, as in wasmtime).
    e = __wasi_path_open(dir, follow, "d/sub", __WASI_OFLAGS_DIRECTORY,
                         kAllRights & ~__WASI_RIGHTS_FD_WRITE, kAllRights, 0, &sub);
    count(kOpenDir, e);
    if (e == __WASI_ERRNO_SUCCESS) {
      // The handle is the real directory, wherever the host has moved it since.
      open_secret(kOpenInDir, sub, 0, "secret");
      EXPECT_OK(__wasi_fd_close(sub));
    }
  }
  printf("iterations %u\n", iterations);
  for (int i = 0; i < kOps; ++i)
    printf("%s ok %u noent %u escape %u\n", ops[i].name, ops[i].n[kOk], ops[i].n[kNoent],
           ops[i].n[kEscape]);
  return covered() ? 0 : 2;
}

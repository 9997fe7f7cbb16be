// Shared helpers of keel's WASI test programs: checks that name the line and the errno on failure
// (exit 1), the preopen lookup, and raw imports for what <wasi/api.h>'s wrappers cannot express
// (explicit path lengths for NUL bytes, pointers outside memory).
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

// `call` must return `want` (a __WASI_ERRNO_* value).
#define EXPECT_ERRNO(call, want)                                                                   \
  do {                                                                                             \
    __wasi_errno_t got_ = (call);                                                                  \
    if (got_ != (want)) {                                                                          \
      fprintf(stderr, "%s:%d: %s: errno %u, want %u\n", __FILE__, __LINE__, #call, (unsigned)got_, \
              (unsigned)(want));                                                                   \
      exit(1);                                                                                     \
    }                                                                                              \
  } while (0)

#define EXPECT_OK(call) EXPECT_ERRNO(call, __WASI_ERRNO_SUCCESS)

// The one errno keel returns, from either path resolver, for a path that would leave its
// directory (a "..", an absolute path, an absolute or climbing symlink): EPERM, as wasmtime's
// preview1 host does (wasi-filesystem's not-permitted).
#define ESCAPE_ERRNO __WASI_ERRNO_PERM
#define EXPECT_ESCAPE(call) EXPECT_ERRNO(call, ESCAPE_ERRNO)

// An address no wasm32 test program's memory reaches (they use a few MiB).
#define OUTSIDE_MEMORY ((void*)0xfffffff0u)

#define RAW_IMPORT(name) \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))

RAW_IMPORT(path_open)
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, int32_t fd_out);
RAW_IMPORT(path_create_directory)
int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t path_len);
RAW_IMPORT(path_filestat_get)
int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t path_len,
                              int32_t out);

static inline int32_t ptr(const void* p) {
  return (int32_t)(uintptr_t)p;
}

// The fd of the preopen whose guest name is `name` (fds 3 on are scanned until EBADF).
static inline __wasi_fd_t preopen(const char* name) {
  for (__wasi_fd_t fd = 3; fd < 64; ++fd) {
    __wasi_prestat_t st;
    __wasi_errno_t e = __wasi_fd_prestat_get(fd, &st);
    if (e == __WASI_ERRNO_BADF) break;
    if (e != __WASI_ERRNO_SUCCESS || st.tag != __WASI_PREOPENTYPE_DIR) continue;
    char buf[256];
    size_t len = st.u.dir.pr_name_len;
    if (len >= sizeof buf) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t*)buf, len) != __WASI_ERRNO_SUCCESS) continue;
    buf[len] = 0;
    if (strcmp(buf, name) == 0) return fd;
  }
  fprintf(stderr, "no preopen named %s\n", name);
  exit(1);
}

static const __wasi_rights_t kAllRights = (__wasi_rights_t)0x1fffffff;
// A directory opened with fd_write among its rights is EISDIR (as in wasmtime): every other right.
static const __wasi_rights_t kDirRights = kAllRights & ~__WASI_RIGHTS_FD_WRITE;

// Opens `path` beneath `dir` with every right; returns the fd (a failure ends the test).
static inline __wasi_fd_t open_at(__wasi_fd_t dir, const char* path, __wasi_oflags_t oflags,
                                  __wasi_fdflags_t fdflags) {
  __wasi_fd_t fd;
  __wasi_rights_t base = (oflags & __WASI_OFLAGS_DIRECTORY) ? kDirRights : kAllRights;
  __wasi_errno_t e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags, base,
                                      kAllRights, fdflags, &fd);
  if (e != __WASI_ERRNO_SUCCESS) {
    fprintf(stderr, "open %s: errno %u\n", path, (unsigned)e);
    exit(1);
  }
  return fd;
}

static inline void write_all(__wasi_fd_t fd, const char* text) {
  __wasi_ciovec_t iov = {(const uint8_t*)text, strlen(text)};
  __wasi_size_t n;
  if (__wasi_fd_write(fd, &iov, 1, &n) != __WASI_ERRNO_SUCCESS || n != iov.buf_len) {
    fprintf(stderr, "write failed\n");
    exit(1);
  }
}

// proc_raise is in the witx but wasi-libc's header dropped it (signals do not exist in WASI).
RAW_IMPORT(proc_raise)
int32_t raw_proc_raise(int32_t sig);

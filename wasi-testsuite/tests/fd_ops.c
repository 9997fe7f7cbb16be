// Every fd_* function on a regular file in a granted directory: write, read, seek, tell, pread,
// pwrite, advise, allocate, datasync, sync, fdstat get/set flags/set rights, filestat get/set
// size/set times, renumber, close; and their error paths (EBADF, EINVAL, ENOTCAPABLE, EFAULT).
#include "common.h"

int main(void) {
  __wasi_fd_t dir = preopen("fd.dir");
  __wasi_prestat_t pre;
  EXPECT_OK(__wasi_fd_prestat_get(dir, &pre));
  CHECK(pre.u.dir.pr_name_len == strlen("fd.dir"));
  char name[4];
  EXPECT_ERRNO(__wasi_fd_prestat_dir_name(dir, (uint8_t*)name, 3), __WASI_ERRNO_NAMETOOLONG);
  EXPECT_ERRNO(__wasi_fd_prestat_get(100, &pre), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_prestat_get(dir, OUTSIDE_MEMORY), __WASI_ERRNO_FAULT);

  __wasi_fd_t fd = open_at(dir, "data.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, 0);
  write_all(fd, "hello, world");
  __wasi_filesize_t pos;
  EXPECT_OK(__wasi_fd_tell(fd, &pos));
  CHECK(pos == 12);
  EXPECT_OK(__wasi_fd_seek(fd, 7, __WASI_WHENCE_SET, &pos));
  CHECK(pos == 7);
  char buf[32] = {0};
  __wasi_iovec_t iov = {(uint8_t*)buf, 5};
  __wasi_size_t n;
  EXPECT_OK(__wasi_fd_read(fd, &iov, 1, &n));
  CHECK(n == 5 && memcmp(buf, "world", 5) == 0);
  EXPECT_OK(__wasi_fd_read(fd, &iov, 1, &n));  // end of file
  CHECK(n == 0);
  EXPECT_OK(__wasi_fd_seek(fd, -5, __WASI_WHENCE_END, &pos));
  CHECK(pos == 7);
  EXPECT_OK(__wasi_fd_seek(fd, 1, __WASI_WHENCE_CUR, &pos));
  CHECK(pos == 8);
  EXPECT_ERRNO(__wasi_fd_seek(fd, -100, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(__wasi_fd_seek(fd, 0, 7, &pos), __WASI_ERRNO_INVAL);
  EXPECT_ERRNO(__wasi_fd_seek(dir, 0, __WASI_WHENCE_CUR, &pos), __WASI_ERRNO_BADF);

  // pread/pwrite leave the offset alone.
  __wasi_ciovec_t ciov = {(const uint8_t*)"J", 1};
  EXPECT_OK(__wasi_fd_pwrite(fd, &ciov, 1, 7, &n));
  CHECK(n == 1);
  memset(buf, 0, sizeof buf);
  iov.buf_len = 12;
  EXPECT_OK(__wasi_fd_pread(fd, &iov, 1, 0, &n));
  CHECK(n == 12 && memcmp(buf, "hello, Jorld", 12) == 0);
  EXPECT_OK(__wasi_fd_tell(fd, &pos));
  CHECK(pos == 8);
  EXPECT_OK(__wasi_fd_pread(fd, &iov, 1, 1000, &n));
  CHECK(n == 0);
  // Two iovecs, the second split across what is left.
  char a[3], b[20];
  __wasi_iovec_t two[2] = {{(uint8_t*)a, 3}, {(uint8_t*)b, 20}};
  EXPECT_OK(__wasi_fd_pread(fd, two, 2, 5, &n));
  CHECK(n == 7 && memcmp(a, ", J", 3) == 0 && memcmp(b, "orld", 4) == 0);
  // An iovec array, or a buffer it names, outside memory: EFAULT, nothing read or written.
  EXPECT_ERRNO(__wasi_fd_read(fd, OUTSIDE_MEMORY, 1, &n), __WASI_ERRNO_FAULT);
  __wasi_iovec_t bad = {(uint8_t*)OUTSIDE_MEMORY, 16};
  EXPECT_ERRNO(__wasi_fd_pread(fd, &bad, 1, 0, &n), __WASI_ERRNO_FAULT);
  __wasi_ciovec_t cbad = {(const uint8_t*)OUTSIDE_MEMORY, 16};
  EXPECT_ERRNO(__wasi_fd_write(fd, &cbad, 1, &n), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO(__wasi_fd_pwrite(fd, &cbad, 1, 0, &n), __WASI_ERRNO_FAULT);
  EXPECT_ERRNO(__wasi_fd_write(1, (const __wasi_ciovec_t*)OUTSIDE_MEMORY, 1, &n),
               __WASI_ERRNO_FAULT);

  __wasi_filestat_t st;
  EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
  CHECK(st.size == 12 && st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.nlink == 1);
  EXPECT_OK(__wasi_fd_filestat_set_size(fd, 4));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
  CHECK(st.size == 4);
  EXPECT_OK(__wasi_fd_allocate(fd, 0, 100));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
  CHECK(st.size == 100);
  EXPECT_OK(__wasi_fd_advise(fd, 0, 100, __WASI_ADVICE_SEQUENTIAL));
  EXPECT_ERRNO(__wasi_fd_advise(fd, 0, 100, 42), __WASI_ERRNO_INVAL);
  EXPECT_OK(__wasi_fd_datasync(fd));
  EXPECT_OK(__wasi_fd_sync(fd));

  // Times: explicit values, "now", and the extremes of the u64 nanosecond range.
  EXPECT_OK(__wasi_fd_filestat_set_times(fd, 1000000000ull, 2000000000ull,
                                         __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
  CHECK(st.atim == 1000000000ull && st.mtim == 2000000000ull);
  EXPECT_OK(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
  CHECK(st.mtim > 1600000000ull * 1000000000ull && st.atim == 1000000000ull);
  // UINT64_MAX ns is in 2554: accepted, without wrapping. Linux clamps a time to what the
  // filesystem can store, which is 2038-01-19 (2^31 - 1 s) or later on every filesystem.
  EXPECT_OK(__wasi_fd_filestat_set_times(fd, UINT64_MAX, UINT64_MAX,
                                         __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
  CHECK(st.mtim >= 2147483647ull * 1000000000ull && st.atim >= 2147483647ull * 1000000000ull);
  EXPECT_ERRNO(
      __wasi_fd_filestat_set_times(fd, 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
      __WASI_ERRNO_INVAL);

  __wasi_fdstat_t fs;
  EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK(fs.fs_filetype == __WASI_FILETYPE_REGULAR_FILE && fs.fs_flags == 0);
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  EXPECT_OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  EXPECT_OK(__wasi_fd_fdstat_get(fd, &fs));
  CHECK(fs.fs_flags == __WASI_FDFLAGS_APPEND);
  EXPECT_OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
  write_all(fd, "!");
  EXPECT_OK(__wasi_fd_filestat_get(fd, &st));
  CHECK(st.size == 101);
  EXPECT_OK(__wasi_fd_fdstat_get(dir, &fs));
  CHECK(fs.fs_filetype == __WASI_FILETYPE_DIRECTORY);
  EXPECT_ERRNO(__wasi_fd_fdstat_get(100, &fs), __WASI_ERRNO_BADF);

  // Rights only shrink: drop FD_WRITE, then writing fails and asking it back fails.
  EXPECT_OK(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0));
  EXPECT_ERRNO(__wasi_fd_write(fd, &ciov, 1, &n), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_ERRNO(__wasi_fd_fdstat_set_rights(fd, kAllRights, 0), __WASI_ERRNO_NOTCAPABLE);

  // renumber moves fd onto another open fd (closing that one) and frees the old number.
  __wasi_fd_t other = open_at(dir, "other.txt", __WASI_OFLAGS_CREAT, 0);
  EXPECT_OK(__wasi_fd_renumber(fd, other));
  EXPECT_ERRNO(__wasi_fd_close(fd), __WASI_ERRNO_BADF);
  // The entry moved with its reduced rights: no FD_FILESTAT_GET, but FD_SEEK still works.
  EXPECT_ERRNO(__wasi_fd_filestat_get(other, &st), __WASI_ERRNO_NOTCAPABLE);
  EXPECT_OK(__wasi_fd_seek(other, 0, __WASI_WHENCE_END, &pos));
  CHECK(pos == 101);
  EXPECT_ERRNO(__wasi_fd_renumber(other, 200), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_renumber(200, other), __WASI_ERRNO_BADF);
  EXPECT_OK(__wasi_fd_close(other));
  EXPECT_ERRNO(__wasi_fd_close(other), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_read(other, &iov, 1, &n), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_tell(other, &pos), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_sync(other), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_datasync(other), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_allocate(other, 0, 1), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_filestat_set_size(other, 1), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_filestat_set_times(other, 0, 0, __WASI_FSTFLAGS_MTIM_NOW),
               __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_fdstat_set_flags(other, 0), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_advise(other, 0, 1, __WASI_ADVICE_NORMAL), __WASI_ERRNO_BADF);
  EXPECT_ERRNO(__wasi_fd_pwrite(other, &ciov, 1, 0, &n), __WASI_ERRNO_BADF);

  // Reading a directory as a file is refused: EBADF, whatever its rights, as wasmtime.
  iov.buf_len = 4;
  EXPECT_ERRNO(__wasi_fd_read(dir, &iov, 1, &n), __WASI_ERRNO_BADF);
  puts("ok");
  return 0;
}

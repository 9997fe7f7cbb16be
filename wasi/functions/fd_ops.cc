// The fd_* family: reads and writes through iovecs, seeking, flags, rights, stat, sync, readdir,
// close and renumber. Every right is checked through FdTable::get before the host is asked.
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/abi/types.h"
#include "wasi/host_context.h"
#include "wasi/interrupt.h"

namespace keel::wasi {

Filetype filetype_from_stat(int host_fd, unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return Filetype::kRegularFile;
    case S_IFDIR:
      return Filetype::kDirectory;
    case S_IFCHR:
      return Filetype::kCharacterDevice;
    case S_IFBLK:
      return Filetype::kBlockDevice;
    case S_IFLNK:
      return Filetype::kSymbolicLink;
    case S_IFSOCK: {
      int type = 0;
      socklen_t len = sizeof type;
      if (host_fd >= 0 && getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
          type == SOCK_DGRAM)
        return Filetype::kSocketDgram;
      return Filetype::kSocketStream;
    }
    default:
      return Filetype::kUnknown;  // FIFOs: preview1 has no type for them
  }
}

static uint64_t ns_of(const struct timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

Errno store_filestat(const WasiCall& call, uint32_t ptr, const struct stat& st) {
  const FilestatLayout& l = filestat_layout(call.flavor);
  auto out = call.mem.bytes(ptr, l.size);
  if (!out) return out.error();
  std::memset(out->data(), 0, l.size);  // padding included: no stale guest bytes look like data
  call.mem.store<uint64_t>(ptr + l.dev, st.st_dev);
  call.mem.store<uint64_t>(ptr + l.ino, st.st_ino);
  call.mem.store<uint8_t>(ptr + l.filetype,
                          static_cast<uint8_t>(filetype_from_stat(-1, st.st_mode)));
  if (l.nlink_size == 8)
    call.mem.store<uint64_t>(ptr + l.nlink, st.st_nlink);
  else
    call.mem.store<uint32_t>(ptr + l.nlink, static_cast<uint32_t>(st.st_nlink));
  call.mem.store<uint64_t>(ptr + l.fsize, static_cast<uint64_t>(st.st_size));
  call.mem.store<uint64_t>(ptr + l.atim, ns_of(st.st_atim));
  call.mem.store<uint64_t>(ptr + l.mtim, ns_of(st.st_mtim));
  call.mem.store<uint64_t>(ptr + l.ctim, ns_of(st.st_ctim));
  return Errno::kSuccess;
}

// Timestamps for futimens/utimensat from fstflags. Both "set" and "now" for one time is EINVAL,
// as the spec's POSIX model has it. A u64 of nanoseconds always fits a 64-bit timespec.
Errno times_from_flags(uint64_t atim, uint64_t mtim, uint16_t flags, struct timespec out[2]) {
  if (flags & ~(fstflags::kAtim | fstflags::kAtimNow | fstflags::kMtim | fstflags::kMtimNow))
    return Errno::kInval;
  if ((flags & fstflags::kAtim) && (flags & fstflags::kAtimNow)) return Errno::kInval;
  if ((flags & fstflags::kMtim) && (flags & fstflags::kMtimNow)) return Errno::kInval;
  auto one = [](uint64_t ns, bool set, bool now, struct timespec& ts) {
    if (now) {
      ts = {0, UTIME_NOW};
    } else if (set) {
      static_assert(sizeof(time_t) == 8, "a u64 of nanoseconds must fit time_t seconds");
      ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull);
      ts.tv_nsec = static_cast<long>(ns % 1'000'000'000ull);
    } else {
      ts = {0, UTIME_OMIT};
    }
  };
  one(atim, flags & fstflags::kAtim, flags & fstflags::kAtimNow, out[0]);
  one(mtim, flags & fstflags::kMtim, flags & fstflags::kMtimNow, out[1]);
  return Errno::kSuccess;
}

namespace {

Errno host_error() {
  return errno_from_host(errno);
}

// Byte-stream operations on a directory fd are EBADF, as on a POSIX host (and wasmtime), whatever
// the rights say; the type is checked before the rights.
ErrnoOr<FdEntry*> stream(WasiCall& call, uint32_t fd, uint64_t needed) {
  auto e = call.ctx.fds.get(fd);
  if (!e) return e.error();
  if ((*e)->kind == FdKind::kDirectory) return Errno::kBadf;
  return call.ctx.fds.get(fd, needed);
}

// readv/writev/preadv/pwritev, retried on EINTR, the count stored at `nptr`.
template <class Op>
Errno transfer(WasiCall& call, uint32_t iovs, uint32_t count, uint32_t nptr, Op op) {
  auto vec = call.mem.iovecs(iovs, count);
  if (!vec) return vec.error();
  if (!call.mem.in_bounds(nptr, 4)) return Errno::kFault;
  ssize_t n;
  do {
    n = op(vec->data(), static_cast<int>(vec->size()));
  } while (n < 0 && errno == EINTR && !host_calls_interrupted());
  if (n < 0) return host_error();
  return call.mem.store<uint32_t>(nptr, static_cast<uint32_t>(n));
}

Errno fd_read(WasiCall& call) {
  auto e = stream(call, call.u32(0), rights::kFdRead);
  if (!e) return e.error();
  int fd = (*e)->host_fd;
  return transfer(call, call.u32(1), call.u32(2), call.u32(3),
                  [fd](const struct iovec* v, int n) { return readv(fd, v, n); });
}

Errno fd_write(WasiCall& call) {
  auto e = stream(call, call.u32(0), rights::kFdWrite);
  if (!e) return e.error();
  int fd = (*e)->host_fd;
  return transfer(call, call.u32(1), call.u32(2), call.u32(3),
                  [fd](const struct iovec* v, int n) { return writev(fd, v, n); });
}

Errno fd_pread(WasiCall& call) {
  auto e = stream(call, call.u32(0), rights::kFdRead | rights::kFdSeek);
  if (!e) return e.error();
  int fd = (*e)->host_fd;
  uint64_t offset = call.u64(3);
  if (offset > INT64_MAX) return Errno::kInval;
  return transfer(call, call.u32(1), call.u32(2), call.u32(4), [=](const struct iovec* v, int n) {
    return preadv(fd, v, n, static_cast<off_t>(offset));
  });
}

Errno fd_pwrite(WasiCall& call) {
  auto e = stream(call, call.u32(0), rights::kFdWrite | rights::kFdSeek);
  if (!e) return e.error();
  int fd = (*e)->host_fd;
  uint64_t offset = call.u64(3);
  if (offset > INT64_MAX) return Errno::kInval;
  return transfer(call, call.u32(1), call.u32(2), call.u32(4), [=](const struct iovec* v, int n) {
    return pwritev(fd, v, n, static_cast<off_t>(offset));
  });
}

Errno fd_seek(WasiCall& call) {
  int64_t offset = static_cast<int64_t>(call.u64(1));
  int whence = host_whence(call.flavor, static_cast<uint8_t>(call.u32(2)));
  if (whence < 0 || call.u32(2) > 0xff) return Errno::kInval;
  // Asking where we are is fd_tell's right; moving needs fd_seek.
  uint64_t needed = (whence == SEEK_CUR && offset == 0) ? rights::kFdTell : rights::kFdSeek;
  auto e = stream(call, call.u32(0), needed);
  if (!e) return e.error();
  if (!call.mem.in_bounds(call.u32(3), 8)) return Errno::kFault;
  off_t pos = lseek((*e)->host_fd, offset, whence);
  if (pos < 0) return host_error();
  return call.mem.store<uint64_t>(call.u32(3), static_cast<uint64_t>(pos));
}

Errno fd_tell(WasiCall& call) {
  auto e = stream(call, call.u32(0), rights::kFdTell);
  if (!e) return e.error();
  if (!call.mem.in_bounds(call.u32(1), 8)) return Errno::kFault;
  off_t pos = lseek((*e)->host_fd, 0, SEEK_CUR);
  if (pos < 0) return host_error();
  return call.mem.store<uint64_t>(call.u32(1), static_cast<uint64_t>(pos));
}

Errno fd_close(WasiCall& call) {
  return call.ctx.fds.close(call.u32(0));
}

Errno fd_renumber(WasiCall& call) {
  return call.ctx.fds.renumber(call.u32(0), call.u32(1));
}

Errno fd_advise(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0), rights::kFdAdvise);
  if (!e) return e.error();
  static constexpr int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  uint32_t advice = call.u32(3);
  if (advice >= std::size(kAdvice)) return Errno::kInval;
  uint64_t offset = call.u64(1), len = call.u64(2);
  if (offset > INT64_MAX || len > INT64_MAX) return Errno::kInval;
  if ((*e)->kind == FdKind::kDirectory) return Errno::kSuccess;  // advice, not an order
  int r = posix_fadvise((*e)->host_fd, static_cast<off_t>(offset), static_cast<off_t>(len),
                        kAdvice[advice]);
  return r == 0 ? Errno::kSuccess : errno_from_host(r);
}

Errno fd_allocate(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0), rights::kFdAllocate);
  if (!e) return e.error();
  uint64_t offset = call.u64(1), len = call.u64(2);
  if (offset > INT64_MAX || len > INT64_MAX || offset + len > INT64_MAX) return Errno::kInval;
  int r = posix_fallocate((*e)->host_fd, static_cast<off_t>(offset), static_cast<off_t>(len));
  return r == 0 ? Errno::kSuccess : errno_from_host(r);
}

Errno fd_datasync(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0), rights::kFdDatasync);
  if (!e) return e.error();
  return fdatasync((*e)->host_fd) == 0 ? Errno::kSuccess : host_error();
}

Errno fd_sync(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0), rights::kFdSync);
  if (!e) return e.error();
  return fsync((*e)->host_fd) == 0 ? Errno::kSuccess : host_error();
}

Errno fd_fdstat_get(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0));
  if (!e) return e.error();
  uint32_t ptr = call.u32(1);
  auto out = call.mem.bytes(ptr, kFdstatSize);
  if (!out) return out.error();
  int fl = fcntl((*e)->host_fd, F_GETFL);
  if (fl < 0) return host_error();
  uint16_t flags = 0;
  if (fl & O_APPEND) flags |= fdflags::kAppend;
  if (fl & O_NONBLOCK) flags |= fdflags::kNonblock;
  if ((fl & O_SYNC) == O_SYNC)
    flags |= fdflags::kSync | fdflags::kRsync;  // Linux's O_RSYNC is O_SYNC
  else if (fl & O_DSYNC)
    flags |= fdflags::kDsync;
  std::memset(out->data(), 0, kFdstatSize);
  call.mem.store<uint8_t>(ptr, static_cast<uint8_t>((*e)->filetype));
  call.mem.store<uint16_t>(ptr + 2, flags);
  call.mem.store<uint64_t>(ptr + 8, (*e)->rights_base);
  call.mem.store<uint64_t>(ptr + 16, (*e)->rights_inheriting);
  return Errno::kSuccess;
}

Errno fd_fdstat_set_flags(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0), rights::kFdFdstatSetFlags);
  if (!e) return e.error();
  uint32_t flags = call.u32(1);
  if (flags & ~uint32_t{0x1f}) return Errno::kInval;
  // Linux cannot change the sync modes of an open file (F_SETFL ignores them).
  if (flags & (fdflags::kDsync | fdflags::kRsync | fdflags::kSync)) return Errno::kNotsup;
  if ((flags & fdflags::kAppend) && (*e)->read_only) return Errno::kPerm;
  int fl = fcntl((*e)->host_fd, F_GETFL);
  if (fl < 0) return host_error();
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & fdflags::kAppend) fl |= O_APPEND;
  if (flags & fdflags::kNonblock) fl |= O_NONBLOCK;
  return fcntl((*e)->host_fd, F_SETFL, fl) == 0 ? Errno::kSuccess : host_error();
}

Errno fd_fdstat_set_rights(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0));
  if (!e) return e.error();
  uint64_t base = call.u64(1), inheriting = call.u64(2);
  // Rights can only be dropped, never gained.
  if ((base & ~(*e)->rights_base) || (inheriting & ~(*e)->rights_inheriting))
    return Errno::kNotcapable;
  (*e)->rights_base = base;
  (*e)->rights_inheriting = inheriting;
  return Errno::kSuccess;
}

Errno fd_filestat_get(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0), rights::kFdFilestatGet);
  if (!e) return e.error();
  struct stat st;
  if (fstat((*e)->host_fd, &st) != 0) return host_error();
  return store_filestat(call, call.u32(1), st);
}

Errno fd_filestat_set_size(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0), rights::kFdFilestatSetSize);
  if (!e) return e.error();
  uint64_t size = call.u64(1);
  if (size > INT64_MAX) return Errno::kInval;
  return ftruncate((*e)->host_fd, static_cast<off_t>(size)) == 0 ? Errno::kSuccess : host_error();
}

Errno fd_filestat_set_times(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0), rights::kFdFilestatSetTimes);
  if (!e) return e.error();
  struct timespec times[2];
  if (Errno err =
          times_from_flags(call.u64(1), call.u64(2), static_cast<uint16_t>(call.u32(3)), times);
      err != Errno::kSuccess)
    return err;
  if (call.u32(3) > 0xffff) return Errno::kInval;
  return futimens((*e)->host_fd, times) == 0 ? Errno::kSuccess : host_error();
}

Errno fd_prestat_get(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0));
  if (!e) return e.error();
  if (!(*e)->preopen_name) return Errno::kBadf;
  uint32_t ptr = call.u32(1);
  auto out = call.mem.bytes(ptr, 8);
  if (!out) return out.error();
  std::memset(out->data(), 0, 8);  // tag 0 (dir), padding, pr_name_len u32 @4
  return call.mem.store<uint32_t>(ptr + 4, static_cast<uint32_t>((*e)->preopen_name->size()));
}

Errno fd_prestat_dir_name(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0));
  if (!e) return e.error();
  if (!(*e)->preopen_name) return Errno::kBadf;
  const std::string& name = *(*e)->preopen_name;
  if (call.u32(2) < name.size()) return Errno::kNametoolong;
  return call.mem.copy_out(call.u32(1), name.data(), name.size());
}

// The directory's entries, "." and ".." included, read through a fresh handle on the same
// directory so the guest's fd offset is untouched.
ErrnoOr<std::vector<DirEntry>> list_directory(int dir_fd) {
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return host_error();
  DIR* dir = fdopendir(fd);
  if (!dir) {
    Errno err = host_error();
    ::close(fd);
    return err;
  }
  std::vector<DirEntry> out;
  errno = 0;
  while (struct dirent* d = readdir(dir)) {
    DirEntry entry{d->d_name, d->d_ino, Filetype::kUnknown};
    switch (d->d_type) {
      case DT_REG:
        entry.type = Filetype::kRegularFile;
        break;
      case DT_DIR:
        entry.type = Filetype::kDirectory;
        break;
      case DT_LNK:
        entry.type = Filetype::kSymbolicLink;
        break;
      case DT_CHR:
        entry.type = Filetype::kCharacterDevice;
        break;
      case DT_BLK:
        entry.type = Filetype::kBlockDevice;
        break;
      case DT_SOCK:
        entry.type = Filetype::kSocketStream;
        break;
      default: {
        // DT_UNKNOWN (some filesystems): a single component beneath the handle, not followed.
        struct stat st;
        if (fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
          entry.type = filetype_from_stat(-1, st.st_mode);
      }
    }
    out.push_back(std::move(entry));
  }
  Errno err = errno != 0 ? host_error() : Errno::kSuccess;
  closedir(dir);
  if (err != Errno::kSuccess) return err;
  return out;
}

// Fills the buffer with dirent headers and names from `cookie` on. The last entry is cut at the
// buffer's end (the spec's signal that more remain: bufused == buf_len). Each entry is built in
// zeroed host memory first, so padding never carries uninitialised bytes.
Errno fd_readdir(WasiCall& call) {
  auto e = call.ctx.fds.get(call.u32(0));
  if (!e) return e.error();
  if ((*e)->kind != FdKind::kDirectory) return Errno::kNotdir;  // type before rights
  e = call.ctx.fds.get(call.u32(0), rights::kFdReaddir);
  if (!e) return e.error();
  uint32_t buf = call.u32(1), buf_len = call.u32(2), used_ptr = call.u32(4);
  uint64_t cookie = call.u64(3);
  if (!call.mem.in_bounds(buf, buf_len) || !call.mem.in_bounds(used_ptr, 4)) return Errno::kFault;
  FdEntry& dir = **e;
  if (cookie == 0 || !dir.has_listing) {
    auto listing = list_directory(dir.host_fd);
    if (!listing) return listing.error();
    dir.listing = std::move(*listing);
    dir.has_listing = true;
  }
  uint64_t used = 0;
  std::vector<uint8_t> record;
  for (uint64_t i = cookie; i < dir.listing.size() && used < buf_len; ++i) {
    const DirEntry& d = dir.listing[i];
    record.assign(kDirentHeaderSize + d.name.size(), 0);
    uint64_t next = i + 1;
    uint32_t namlen = static_cast<uint32_t>(d.name.size());
    std::memcpy(record.data(), &next, 8);
    std::memcpy(record.data() + 8, &d.ino, 8);
    std::memcpy(record.data() + 16, &namlen, 4);
    record[20] = static_cast<uint8_t>(d.type);
    std::memcpy(record.data() + kDirentHeaderSize, d.name.data(), d.name.size());
    uint64_t n = std::min<uint64_t>(record.size(), buf_len - used);
    call.mem.copy_out(buf + used, record.data(), n);
    used += n;
  }
  return call.mem.store<uint32_t>(used_ptr, static_cast<uint32_t>(used));
}

constexpr WasiFunctionInfo kFunctions[] = {
    {"fd_advise", "iIIi", fd_advise},
    {"fd_allocate", "iII", fd_allocate},
    {"fd_close", "i", fd_close},
    {"fd_datasync", "i", fd_datasync},
    {"fd_fdstat_get", "ii", fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", fd_filestat_get},
    {"fd_filestat_set_size", "iI", fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", fd_filestat_set_times},
    {"fd_pread", "iiiIi", fd_pread},
    {"fd_prestat_get", "ii", fd_prestat_get},
    {"fd_prestat_dir_name", "iii", fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi", fd_pwrite},
    {"fd_read", "iiii", fd_read},
    {"fd_readdir", "iiiIi", fd_readdir},
    {"fd_renumber", "ii", fd_renumber},
    {"fd_seek", "iIii", fd_seek},
    {"fd_sync", "i", fd_sync},
    {"fd_tell", "ii", fd_tell},
    {"fd_write", "iiii", fd_write},
};

}  // namespace

std::span<const WasiFunctionInfo> fd_functions() {
  return kFunctions;
}

}  // namespace keel::wasi

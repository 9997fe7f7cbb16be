#include "base/byte_buffer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace keel {
namespace {

class OwnedBuffer final : public ByteBuffer {
 public:
  explicit OwnedBuffer(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::span<const uint8_t> bytes() const override { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class MappedBuffer final : public ByteBuffer {
 public:
  MappedBuffer(void* base, size_t size, const FileIdentity& file)
      : base_(base), size_(size), file_(file) {}
  ~MappedBuffer() override { munmap(base_, size_); }
  std::span<const uint8_t> bytes() const override {
    return {static_cast<const uint8_t*>(base_), size_};
  }
  const FileIdentity* file_identity() const override { return &file_; }

 private:
  void* base_;
  size_t size_;
  FileIdentity file_;
};

int64_t nanoseconds(const timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

Error io_error(const std::string& path, int err) {
  return make_error(ErrorKind::kIo, path + ": " + std::strerror(err));
}

}  // namespace

std::shared_ptr<const ByteBuffer> ByteBuffer::copy_of(std::span<const uint8_t> bytes) {
  return std::make_shared<OwnedBuffer>(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

std::shared_ptr<const ByteBuffer> ByteBuffer::adopt(std::vector<uint8_t> bytes) {
  return std::make_shared<OwnedBuffer>(std::move(bytes));
}

Result<std::shared_ptr<const ByteBuffer>> ByteBuffer::from_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(path, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return io_error(path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return io_error(path, EISDIR);
  }
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    // Every byte is read at least once (validation), so fault the mapping in with one call.
    void* base = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                        MAP_PRIVATE | MAP_POPULATE, fd, 0);
    ::close(fd);
    if (base == MAP_FAILED) return io_error(path, errno);
    FileIdentity file{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                      static_cast<uint64_t>(st.st_size), nanoseconds(st.st_mtim),
                      nanoseconds(st.st_ctim)};
    return std::shared_ptr<const ByteBuffer>(
        std::make_shared<MappedBuffer>(base, static_cast<size_t>(st.st_size), file));
  }
  std::vector<uint8_t> data;
  uint8_t chunk[65536];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return io_error(path, err);
    }
    if (n == 0) break;
    data.insert(data.end(), chunk, chunk + n);
  }
  ::close(fd);
  return adopt(std::move(data));
}

}  // namespace keel

#include "platform/code_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace keel::platform {
namespace {

// Enough for eager compilation of the largest modules we know (yosys: ~100 MB of code) with
// room to spare; reserving costs address space only.
constexpr size_t kReserveBytes = size_t{4} << 30;

size_t page_size() {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

}  // namespace

CodeMemory& CodeMemory::global() {
  static CodeMemory* memory = new CodeMemory(kReserveBytes);  // lives as long as the process
  return *memory;
}

CodeMemory::CodeMemory(size_t reserve_bytes) {
  void* p =
      mmap(nullptr, reserve_bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;  // install() reports it
  begin_ = reinterpret_cast<uintptr_t>(p);
  end_ = begin_ + reserve_bytes;
  next_ = begin_;
}

Result<const uint8_t*> CodeMemory::install(std::span<const uint8_t> code) {
  if (begin_ == 0) return make_error(ErrorKind::kIo, "cannot reserve memory for generated code");
  size_t bytes = (code.size() + page_size() - 1) & ~(page_size() - 1);
  if (bytes == 0) bytes = page_size();
  uintptr_t at;
  {
    std::lock_guard lock(mutex_);
    if (end_ - next_ < bytes) return make_error(ErrorKind::kIo, "out of memory for generated code");
    at = next_;
    next_ += bytes;
  }
  void* p = reinterpret_cast<void*>(at);
  if (mprotect(p, bytes, PROT_READ | PROT_WRITE) != 0)
    return make_error(ErrorKind::kIo, std::string("mprotect: ") + std::strerror(errno));
  std::memcpy(p, code.data(), code.size());
  // Fill the tail with int3 so a stray jump past the end stops at once.
  std::memset(static_cast<uint8_t*>(p) + code.size(), 0xcc, bytes - code.size());
  if (mprotect(p, bytes, PROT_READ | PROT_EXEC) != 0)
    return make_error(ErrorKind::kIo, std::string("mprotect: ") + std::strerror(errno));
  return static_cast<const uint8_t*>(p);
}

size_t CodeMemory::used_bytes() const {
  std::lock_guard lock(mutex_);
  return next_ - begin_;
}

}  // namespace keel::platform

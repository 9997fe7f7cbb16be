#include "runtime/code_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <type_traits>
#include <vector>

namespace keel::runtime {

namespace {

constexpr const char* kEntrySuffix = ".keelcache";
constexpr const char* kIndexSuffix = ".keelindex";
constexpr const char* kTempPrefix = ".tmp-";

constexpr uint8_t kIndexMagic[8] = {0, 'k', 'e', 'e', 'l', 'i', 'd', 'x'};
constexpr uint32_t kIndexFormatVersion = 1;

// One index entry, the whole file.
struct IndexRecord {
  uint8_t magic[8];
  uint32_t format_version;
  uint32_t reserved;
  uint8_t name[32];  // index_name() of the file and identity it is for
  FileIdentity file;
  uint8_t module_xxh3[16];
  uint8_t module_hash[32];
  uint8_t key[32];
  uint8_t checksum[16];  // XXH3-128 of every byte before it
};
static_assert(std::is_trivially_copyable_v<IndexRecord> && sizeof(FileIdentity) == 40);

Sha256Digest index_name(const ArtifactIdentity& identity, const FileIdentity& file) {
  Sha256 h;
  h.update("keel code cache index\n");
  const uint64_t fields[] = {
      kIndexFormatVersion,    file.device, file.inode, file.size, uint64_t(file.mtime_ns),
      uint64_t(file.ctime_ns)};
  h.update(std::span(reinterpret_cast<const uint8_t*>(fields), sizeof fields));
  // The cache key of no module: everything else the code depends on.
  h.update(cache_key({}, identity));
  return h.finish();
}

std::string index_path(const std::string& dir, const Sha256Digest& name) {
  return dir + "/" + to_hex(name) + kIndexSuffix;
}

std::span<const uint8_t> record_bytes(const IndexRecord& r) {
  return {reinterpret_cast<const uint8_t*>(&r), offsetof(IndexRecord, checksum)};
}

Error io_error(const std::string& what) {
  return make_error(ErrorKind::kIo, what + ": " + std::strerror(errno));
}

// mkdir -p, private to the user.
Status make_dirs(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(ErrorKind::kIo, "cannot create " + dir + ": " + ec.message());
  return {};
}

// Writes `bytes` to a temporary file in `dir` (created if missing), then renames it to `path`.
Status write_atomically(const std::string& dir, const std::string& path,
                        std::span<const uint8_t> bytes) {
  static std::atomic<uint32_t> counter{0};
  KEEL_TRY(make_dirs(dir));
  std::string temp =
      dir + "/" + kTempPrefix + std::to_string(getpid()) + "-" + std::to_string(counter++);
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot write " + temp);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Error e = io_error("cannot write " + temp);
      close(fd);
      unlink(temp.c_str());
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) {
    Error e = io_error("cannot write " + temp);
    unlink(temp.c_str());
    return e;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    Error e = io_error("cannot rename " + temp);
    unlink(temp.c_str());
    return e;
  }
  return {};
}

}  // namespace

std::string default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
    return std::string(xdg) + "/keel";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/keel";
  return {};
}

Sha256Digest cache_key(const Sha256Digest& module_hash, const ArtifactIdentity& identity) {
  Sha256 h;
  h.update("keel code cache\n");
  uint32_t fields[] = {kArtifactFormatVersion, identity.cpu_features, identity.codegen,
                       identity.features, identity.builtins};
  h.update(std::span(reinterpret_cast<const uint8_t*>(fields), sizeof fields));
  h.update(identity.engine);
  h.update("\n");
  h.update(module_hash);
  return h.finish();
}

std::string cache_entry_path(const std::string& dir, const Sha256Digest& key) {
  return dir + "/" + to_hex(key) + kEntrySuffix;
}

std::shared_ptr<const ByteBuffer> cache_lookup(const std::string& dir, const Sha256Digest& key) {
  std::string path = cache_entry_path(dir, key);
  auto buffer = ByteBuffer::from_file(path);
  if (!buffer) return nullptr;
  // Least recently used is least recently touched.
  utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
  return std::move(buffer).value();
}

Status cache_store(const std::string& dir, uint64_t max_bytes, const Sha256Digest& key,
                   std::span<const uint8_t> bytes) {
  KEEL_TRY(write_atomically(dir, cache_entry_path(dir, key), bytes));
  // A directory scan per write would make a process that writes many entries (the spec runner)
  // quadratic: it scans at its first write, then once it has written a sixteenth of the limit.
  static std::atomic<uint64_t> since_scan{UINT64_MAX};
  uint64_t written = since_scan.load(std::memory_order_relaxed);
  if (written == UINT64_MAX || written + bytes.size() > max_bytes / 16) {
    since_scan.store(0, std::memory_order_relaxed);
    cache_evict(dir, max_bytes);
  } else {
    since_scan.fetch_add(bytes.size(), std::memory_order_relaxed);
  }
  return {};
}

std::string cache_index_path(const std::string& dir, const ArtifactIdentity& identity,
                             const FileIdentity& file) {
  return index_path(dir, index_name(identity, file));
}

std::optional<CacheKeys> cache_index_lookup(const std::string& dir,
                                            const ArtifactIdentity& identity,
                                            const FileIdentity& file,
                                            std::span<const uint8_t> bytes) {
  Sha256Digest name = index_name(identity, file);
  std::string path = index_path(dir, name);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  uint8_t buffer[sizeof(IndexRecord) + 1];  // one byte more: a longer file is no entry
  ssize_t n = pread(fd, buffer, sizeof buffer, 0);
  close(fd);
  if (n != static_cast<ssize_t>(sizeof(IndexRecord))) return std::nullopt;
  IndexRecord r;
  std::memcpy(&r, buffer, sizeof r);
  Xxh128Digest sum = xxh3_128(record_bytes(r));
  if (std::memcmp(r.magic, kIndexMagic, sizeof r.magic) != 0 ||
      r.format_version != kIndexFormatVersion ||
      std::memcmp(sum.data(), r.checksum, sum.size()) != 0 ||
      std::memcmp(r.name, name.data(), name.size()) != 0 || !(r.file == file))
    return std::nullopt;
  // The identity says the file was not written since; the bytes' own checksum makes sure.
  Xxh128Digest module_sum = xxh3_128(bytes);
  if (std::memcmp(module_sum.data(), r.module_xxh3, module_sum.size()) != 0) return std::nullopt;
  CacheKeys keys;
  std::memcpy(keys.module_hash.data(), r.module_hash, keys.module_hash.size());
  std::memcpy(keys.key.data(), r.key, keys.key.size());
  if (cache_key(keys.module_hash, identity) != keys.key) return std::nullopt;
  utimensat(AT_FDCWD, path.c_str(), nullptr, 0);  // used: not evicted first
  return keys;
}

Status cache_index_store(const std::string& dir, const ArtifactIdentity& identity,
                         const FileIdentity& file, std::span<const uint8_t> bytes,
                         const CacheKeys& keys) {
  IndexRecord r{};
  std::memcpy(r.magic, kIndexMagic, sizeof r.magic);
  r.format_version = kIndexFormatVersion;
  Sha256Digest name = index_name(identity, file);
  std::memcpy(r.name, name.data(), name.size());
  r.file = file;
  Xxh128Digest module_sum = xxh3_128(bytes);
  std::memcpy(r.module_xxh3, module_sum.data(), module_sum.size());
  std::memcpy(r.module_hash, keys.module_hash.data(), keys.module_hash.size());
  std::memcpy(r.key, keys.key.data(), keys.key.size());
  Xxh128Digest sum = xxh3_128(record_bytes(r));
  std::memcpy(r.checksum, sum.data(), sum.size());
  return write_atomically(dir, index_path(dir, name),
                          {reinterpret_cast<const uint8_t*>(&r), sizeof r});
}

void cache_evict(const std::string& dir, uint64_t max_bytes) {
  struct Entry {
    std::string path;
    uint64_t bytes;
    timespec mtime;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  std::error_code ec;
  time_t now = std::time(nullptr);
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    struct stat st;
    if (stat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (name.starts_with(kTempPrefix)) {
      if (now - st.st_mtim.tv_sec > 60) unlink(e.path().c_str());
      continue;
    }
    if (!name.ends_with(kEntrySuffix) && !name.ends_with(kIndexSuffix)) continue;
    entries.push_back({e.path().string(), static_cast<uint64_t>(st.st_size), st.st_mtim});
    total += static_cast<uint64_t>(st.st_size);
  }
  if (total <= max_bytes) return;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.mtime.tv_sec != b.mtime.tv_sec ? a.mtime.tv_sec < b.mtime.tv_sec
                                            : a.mtime.tv_nsec < b.mtime.tv_nsec;
  });
  for (const Entry& e : entries) {
    if (total <= max_bytes) break;
    if (unlink(e.path.c_str()) == 0 || errno == ENOENT) total -= e.bytes;
  }
}

}  // namespace keel::runtime

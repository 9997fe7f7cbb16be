// The on-disk code cache (`keel run -C cache=y`, wasmtime's `-C cache`): one artifact file
// (artifact.h) per module and code-generation identity, named by the cache key, the SHA-256 of the
// module's bytes and everything that changes its code. Files are written whole to a temporary name
// and renamed into place, so concurrent processes see either no file or a complete one; a hit
// touches the file's modification time, and eviction removes the least recently used files once
// the directory holds more than the size limit. Anything wrong with a file makes it a miss.
//
// Hashing a 30 MB module costs about 100 ms, so a module mapped from a file is first looked up
// in an index: <name>.keelindex, named by the file's identity (device, inode, size, modification
// and change times, which the kernel updates on every write) and the code-generation identity,
// holds the module's SHA-256 and cache key and an XXH3-128 of its bytes. An index entry is used
// only if its identity is equal and the module's XXH3-128 still matches; anything else (stale,
// damaged, another file's) makes it a miss that hashes the bytes and writes the entry again. The
// artifact it leads to is checked as before (its checksum, key and module hash) before any of its
// code is mapped.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/byte_buffer.h"
#include "base/hash.h"
#include "base/result.h"
#include "runtime/artifact.h"

namespace keel::runtime {

struct CodeCacheConfig {
  bool enabled = false;
  std::string dir;                         // empty: default_cache_dir()
  uint64_t max_bytes = uint64_t{1} << 30;  // the directory's total; LRU eviction beyond it
};

// $XDG_CACHE_HOME/keel, else $HOME/.cache/keel; empty when neither variable is set.
std::string default_cache_dir();

Sha256Digest cache_key(const Sha256Digest& module_hash, const ArtifactIdentity& identity);
// The entry's path in `dir`: <hex key>.keelcache.
std::string cache_entry_path(const std::string& dir, const Sha256Digest& key);

struct CacheKeys {
  Sha256Digest module_hash{};
  Sha256Digest key{};
};
// The keys of `bytes` recorded in the index for `file` and `identity`: none unless the index
// entry is intact, for this file and identity, and the XXH3-128 of `bytes` matches it.
std::optional<CacheKeys> cache_index_lookup(const std::string& dir,
                                            const ArtifactIdentity& identity,
                                            const FileIdentity& file,
                                            std::span<const uint8_t> bytes);
// Records `keys` (computed from `bytes`) as the index entry for `file` and `identity`.
Status cache_index_store(const std::string& dir, const ArtifactIdentity& identity,
                         const FileIdentity& file, std::span<const uint8_t> bytes,
                         const CacheKeys& keys);
// The index entry's path in `dir`.
std::string cache_index_path(const std::string& dir, const ArtifactIdentity& identity,
                             const FileIdentity& file);

// The entry for `key`, mapped read-only, or null when there is none (or it cannot be read).
std::shared_ptr<const ByteBuffer> cache_lookup(const std::string& dir, const Sha256Digest& key);
// Writes `bytes` as the entry for `key` (creating `dir`), then evicts down to `max_bytes`.
Status cache_store(const std::string& dir, uint64_t max_bytes, const Sha256Digest& key,
                   std::span<const uint8_t> bytes);
// Removes the least recently used entries (and index entries) until they total at most `max_bytes`
// (and temporary files older than a minute: left by a process that died while writing).
void cache_evict(const std::string& dir, uint64_t max_bytes);

}  // namespace keel::runtime

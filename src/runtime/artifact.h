// The file format of compiled code on disk, shared by the code cache (one file per module and
// configuration) and precompiled modules (`keel compile -o m.cwasm`, which also carry the module's
// bytes). A fixed header (magic, format version, file size, checksum) is followed by sections of
// fixed-size records, each in bounds and aligned. parse_artifact checks all of it (the XXH3-128
// checksum over every byte after the checksum field first) before anything may be installed as
// code: a truncated, corrupted or foreign file is an error, never a crash.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/byte_buffer.h"
#include "base/hash.h"
#include "base/result.h"
#include "ir/features.h"
#include "platform/cpu_features.h"
#include "runtime/compiler.h"

namespace keel::runtime {

inline constexpr uint8_t kArtifactMagic[8] = {0, 'k', 'e', 'e', 'l', 'a', 'r', 't'};
// Bumped whenever the layout below or the meaning of any field changes.
inline constexpr uint32_t kArtifactFormatVersion = 2;

enum class ArtifactKind : uint32_t {
  kCacheEntry = 1,   // code only; the module's bytes are the caller's
  kPrecompiled = 2,  // code and the module's bytes
};

// Everything besides the module's bytes that changes the code: a file is used only where all of
// it is equal (the CPU features: where the host has every feature the file used).
struct ArtifactIdentity {
  std::string engine;         // keel's version and commit (EngineConfig::engine_id)
  uint32_t cpu_features = 0;  // cpu_feature_bits of the features compiled for
  uint32_t codegen = 0;       // codegen_bits
  uint32_t features = 0;      // wasm_feature_bits
  uint32_t builtins = vm::kBuiltinsVersion;
};

uint32_t cpu_feature_bits(const platform::CpuFeatures& cpu);
// Names of the features in `bits`, "sse4.1 popcnt" (for messages).
std::string cpu_feature_names(uint32_t bits);
uint32_t wasm_feature_bits(const Features& features);
Features wasm_features(uint32_t bits);
struct CodegenSettings {
  Tier tier = Tier::kBaseline;
  bool tiering = false;
  bool osr = false;
  bool interrupt_checks = true;
};
uint32_t codegen_bits(const CodegenSettings& settings);
CodegenSettings codegen_settings(uint32_t bits);

#pragma pack(push, 1)
struct ArtifactSection {
  uint64_t offset;  // from the start of the file; aligned to 16
  uint64_t count;   // records
};
struct ArtifactHeader {
  uint8_t magic[8];
  uint32_t format_version;
  uint32_t kind;         // ArtifactKind
  uint64_t file_size;    // bytes, header included
  uint8_t checksum[16];  // XXH3-128 of bytes [kChecksummedFrom, file_size)
  // --- checksummed from here on ---
  char engine[64];  // NUL-padded
  uint8_t key[32];  // the cache key (code_cache.h); zero in a precompiled module
  uint8_t module_hash[32];
  uint32_t cpu_features;
  uint32_t codegen;
  uint32_t features;
  uint32_t builtins;
  uint32_t num_functions;  // defined functions of the module
  uint32_t reserved;
  ArtifactSection module_bytes;  // bytes
  ArtifactSection functions;     // ArtifactFunction, one per defined function
  ArtifactSection code;          // bytes
  ArtifactSection source_map;    // SourceMapEntry
  ArtifactSection trap_sites;    // TrapSite
  ArtifactSection osr_points;    // ArtifactOsrPoint
  ArtifactSection osr_values;    // ArtifactOsrValue
};
#pragma pack(pop)
inline constexpr size_t kChecksummedFrom = 40;
static_assert(offsetof(ArtifactHeader, engine) == kChecksummedFrom);
static_assert(sizeof(ArtifactHeader) % 16 == 0);

struct ArtifactFunction {
  uint8_t tier;  // 0: not compiled; else the Tier of its code
  uint8_t reserved[3];
  uint32_t code_offset;  // in the code section, 16-aligned
  uint32_t code_size;
  uint32_t source_map_begin, source_map_count;
  uint32_t trap_sites_begin, trap_sites_count;
  uint32_t osr_begin, osr_count;
  // Tier 2: the register-convention entry's offset in the code, or
  // CompiledFunction::kNoRegisterEntry.
  uint32_t register_entry;
};
struct ArtifactOsrPoint {
  uint32_t loop_offset;
  uint32_t values_begin, values_count;
};
struct ArtifactOsrValue {
  int32_t offset;
  uint32_t bytes;
};
static_assert(sizeof(SourceMapEntry) == 8 && sizeof(TrapSite) == 12);

// A checked artifact: spans into the file's bytes.
struct ArtifactView {
  const ArtifactHeader* header = nullptr;
  ArtifactKind kind = ArtifactKind::kCacheEntry;
  ArtifactIdentity identity;
  std::span<const uint8_t> module_bytes;
  std::span<const ArtifactFunction> functions;
  std::span<const uint8_t> code;
  std::span<const SourceMapEntry> source_map;
  std::span<const TrapSite> trap_sites;
  std::span<const ArtifactOsrPoint> osr_points;
  std::span<const ArtifactOsrValue> osr_values;

  std::span<const SourceMapEntry> source_map_of(const ArtifactFunction& f) const {
    return source_map.subspan(f.source_map_begin, f.source_map_count);
  }
  std::span<const TrapSite> trap_sites_of(const ArtifactFunction& f) const {
    return trap_sites.subspan(f.trap_sites_begin, f.trap_sites_count);
  }
  std::vector<OsrPoint> osr_points_of(const ArtifactFunction& f) const;
};

bool looks_like_artifact(std::span<const uint8_t> bytes);
// Checks everything but the identity (check_identity does). Errors are kMalformed.
Result<ArtifactView> parse_artifact(std::span<const uint8_t> file);
// Whether code compiled as `file` says can run in this process, which compiles as `host`: the
// same engine, codegen, features and builtins, and a CPU with every feature the file used.
Status check_identity(const ArtifactIdentity& file, const ArtifactIdentity& host);

// Collects compiled functions (by defined-function index) and lays out the file.
class ArtifactWriter {
 public:
  explicit ArtifactWriter(uint32_t num_functions);
  void add_function(uint32_t defined_index, Tier tier, std::span<const uint8_t> code,
                    std::span<const SourceMapEntry> source_map,
                    std::span<const TrapSite> trap_sites, std::span<const OsrPoint> osr_points,
                    uint32_t register_entry = CompiledFunction::kNoRegisterEntry);
  // The whole file. `module_bytes` only for kPrecompiled.
  std::vector<uint8_t> finish(ArtifactKind kind, const ArtifactIdentity& identity,
                              const Sha256Digest& key, const Sha256Digest& module_hash,
                              std::span<const uint8_t> module_bytes) const;

 private:
  std::vector<ArtifactFunction> functions_;
  std::vector<uint8_t> code_;
  std::vector<SourceMapEntry> source_map_;
  std::vector<TrapSite> trap_sites_;
  std::vector<ArtifactOsrPoint> osr_points_;
  std::vector<ArtifactOsrValue> osr_values_;
};

// Bytes inside another buffer, kept alive with it (a precompiled module's wasm bytes).
std::shared_ptr<const ByteBuffer> sub_buffer(std::shared_ptr<const ByteBuffer> whole,
                                             std::span<const uint8_t> part);

}  // namespace keel::runtime

#include "runtime/artifact.h"

#include <cstring>

namespace keel::runtime {

namespace {

constexpr size_t kAlign = 16;

size_t align_up(size_t n) {
  return (n + kAlign - 1) & ~(kAlign - 1);
}

Error malformed(const std::string& what) {
  return make_error(ErrorKind::kMalformed, what);
}

// The CpuFeatures fields in bit order, with their names.
#define KEEL_CPU_BITS(X) \
  X(ssse3, "ssse3")      \
  X(sse41, "sse4.1")     \
  X(sse42, "sse4.2")     \
  X(popcnt, "popcnt")    \
  X(lzcnt, "lzcnt")      \
  X(bmi1, "bmi1")        \
  X(bmi2, "bmi2")        \
  X(avx, "avx")          \
  X(avx2, "avx2")

// Points `out` at section `s` of `file`, checked to lie inside it.
template <class T>
Status read_section(std::span<const uint8_t> file, const ArtifactSection& s, const char* name,
                    std::span<const T>& out) {
  if (s.offset % kAlign != 0 || s.offset > file.size() ||
      s.count > (file.size() - s.offset) / sizeof(T))
    return malformed(std::string("artifact section out of bounds: ") + name);
  out = std::span<const T>(reinterpret_cast<const T*>(file.data() + s.offset),
                           static_cast<size_t>(s.count));
  return {};
}

bool in_range(uint64_t begin, uint64_t count, size_t size) {
  return begin <= size && count <= size - begin;
}

class SubBuffer final : public ByteBuffer {
 public:
  SubBuffer(std::shared_ptr<const ByteBuffer> whole, std::span<const uint8_t> part)
      : whole_(std::move(whole)), part_(part) {}
  std::span<const uint8_t> bytes() const override { return part_; }

 private:
  std::shared_ptr<const ByteBuffer> whole_;
  std::span<const uint8_t> part_;
};

}  // namespace

uint32_t cpu_feature_bits(const platform::CpuFeatures& cpu) {
  uint32_t bits = 0, bit = 1;
#define KEEL_CPU_BIT(field, name) \
  if (cpu.field) bits |= bit;     \
  bit <<= 1;
  KEEL_CPU_BITS(KEEL_CPU_BIT)
#undef KEEL_CPU_BIT
  return bits;
}

std::string cpu_feature_names(uint32_t bits) {
  std::string names;
  uint32_t bit = 1;
#define KEEL_CPU_NAME(field, name)                                         \
  if (bits & bit) names += (names.empty() ? "" : " ") + std::string(name); \
  bit <<= 1;
  KEEL_CPU_BITS(KEEL_CPU_NAME)
#undef KEEL_CPU_NAME
  return names.empty() ? "none" : names;
}

uint32_t wasm_feature_bits(const Features& features) {
  uint32_t bits = 0, bit = 1;
#define KEEL_FEATURE_BIT(id, name, on) \
  if (features.id) bits |= bit;        \
  bit <<= 1;
  KEEL_FEATURES(KEEL_FEATURE_BIT)
#undef KEEL_FEATURE_BIT
  return bits;
}

Features wasm_features(uint32_t bits) {
  Features features;
  uint32_t bit = 1;
#define KEEL_FEATURE_FROM_BIT(id, name, on) \
  features.id = bits & bit;                 \
  bit <<= 1;
  KEEL_FEATURES(KEEL_FEATURE_FROM_BIT)
#undef KEEL_FEATURE_FROM_BIT
  return features;
}

uint32_t codegen_bits(const CodegenSettings& s) {
  return static_cast<uint32_t>(s.tier) | (s.tiering ? 4u : 0u) | (s.osr ? 8u : 0u) |
         (s.interrupt_checks ? 16u : 0u);
}

CodegenSettings codegen_settings(uint32_t bits) {
  CodegenSettings s;
  s.tier = (bits & 3) == 2 ? Tier::kOptimizing : Tier::kBaseline;
  s.tiering = bits & 4;
  s.osr = bits & 8;
  s.interrupt_checks = bits & 16;
  return s;
}

bool looks_like_artifact(std::span<const uint8_t> bytes) {
  return bytes.size() >= sizeof(kArtifactMagic) &&
         std::memcmp(bytes.data(), kArtifactMagic, sizeof(kArtifactMagic)) == 0;
}

std::vector<OsrPoint> ArtifactView::osr_points_of(const ArtifactFunction& f) const {
  std::vector<OsrPoint> points;
  points.reserve(f.osr_count);
  for (const ArtifactOsrPoint& p : osr_points.subspan(f.osr_begin, f.osr_count)) {
    OsrPoint point{p.loop_offset, {}};
    for (const ArtifactOsrValue& v : osr_values.subspan(p.values_begin, p.values_count))
      point.values.push_back({v.offset, static_cast<uint8_t>(v.bytes)});
    points.push_back(std::move(point));
  }
  return points;
}

Result<ArtifactView> parse_artifact(std::span<const uint8_t> file) {
  if (!looks_like_artifact(file)) return malformed("not a keel compiled-code file (bad magic)");
  if (file.size() < sizeof(ArtifactHeader)) return malformed("truncated compiled-code file");
  ArtifactView v;
  v.header = reinterpret_cast<const ArtifactHeader*>(file.data());
  const ArtifactHeader& h = *v.header;
  if (h.format_version != kArtifactFormatVersion) {
    return malformed("compiled-code format version " + std::to_string(h.format_version) +
                     "; this keel reads version " + std::to_string(kArtifactFormatVersion));
  }
  if (h.file_size != file.size()) {
    return malformed(h.file_size > file.size() ? "truncated compiled-code file"
                                               : "compiled-code file has trailing bytes");
  }
  Xxh128Digest sum = xxh3_128(file.subspan(kChecksummedFrom));
  if (std::memcmp(sum.data(), h.checksum, sum.size()) != 0)
    return malformed("compiled-code file is corrupted (checksum mismatch)");
  if (h.kind != static_cast<uint32_t>(ArtifactKind::kCacheEntry) &&
      h.kind != static_cast<uint32_t>(ArtifactKind::kPrecompiled))
    return malformed("unknown compiled-code file kind");
  v.kind = static_cast<ArtifactKind>(h.kind);
  v.identity.engine.assign(h.engine, strnlen(h.engine, sizeof h.engine));
  v.identity.cpu_features = h.cpu_features;
  v.identity.codegen = h.codegen;
  v.identity.features = h.features;
  v.identity.builtins = h.builtins;

  KEEL_TRY(read_section(file, h.module_bytes, "module", v.module_bytes));
  KEEL_TRY(read_section(file, h.functions, "functions", v.functions));
  KEEL_TRY(read_section(file, h.code, "code", v.code));
  KEEL_TRY(read_section(file, h.source_map, "source map", v.source_map));
  KEEL_TRY(read_section(file, h.trap_sites, "trap sites", v.trap_sites));
  KEEL_TRY(read_section(file, h.osr_points, "OSR points", v.osr_points));
  KEEL_TRY(read_section(file, h.osr_values, "OSR values", v.osr_values));
  if (v.functions.size() != h.num_functions) return malformed("artifact function count mismatch");
  if (v.kind == ArtifactKind::kPrecompiled && v.module_bytes.empty())
    return malformed("precompiled module without its module");
  for (const ArtifactFunction& f : v.functions) {
    if (f.tier == 0) continue;
    if (f.tier > 2 || f.code_offset % kAlign != 0 || f.code_size == 0 ||
        !in_range(f.code_offset, f.code_size, v.code.size()) ||
        !in_range(f.source_map_begin, f.source_map_count, v.source_map.size()) ||
        !in_range(f.trap_sites_begin, f.trap_sites_count, v.trap_sites.size()) ||
        !in_range(f.osr_begin, f.osr_count, v.osr_points.size()) ||
        (f.register_entry != CompiledFunction::kNoRegisterEntry &&
         (f.tier != static_cast<uint8_t>(Tier::kOptimizing) || f.register_entry >= f.code_size)))
      return malformed("artifact function record out of bounds");
    for (const TrapSite& t : v.trap_sites_of(f))
      if (t.code_offset > f.code_size || t.length > f.code_size - t.code_offset ||
          static_cast<uint32_t>(t.code) > static_cast<uint32_t>(vm::TrapCode::kExit))
        return malformed("artifact trap site out of bounds");
    for (const ArtifactOsrPoint& p : v.osr_points.subspan(f.osr_begin, f.osr_count)) {
      if (!in_range(p.values_begin, p.values_count, v.osr_values.size()))
        return malformed("artifact OSR point out of bounds");
      for (const ArtifactOsrValue& value : v.osr_values.subspan(p.values_begin, p.values_count))
        if (value.bytes != 4 && value.bytes != 8 && value.bytes != 16)
          return malformed("artifact OSR value of a bad size");
    }
  }
  return v;
}

Status check_identity(const ArtifactIdentity& file, const ArtifactIdentity& host) {
  if (file.engine != host.engine || file.builtins != host.builtins) {
    return make_error(ErrorKind::kUnlinkable, "compiled by " + file.engine + ", but this is " +
                                                  host.engine + ": compile it again");
  }
  if (uint32_t missing = file.cpu_features & ~host.cpu_features) {
    return make_error(ErrorKind::kUnlinkable, "compiled for a CPU with " +
                                                  cpu_feature_names(file.cpu_features) +
                                                  "; this one lacks " + cpu_feature_names(missing));
  }
  return {};
}

ArtifactWriter::ArtifactWriter(uint32_t num_functions) : functions_(num_functions) {}

void ArtifactWriter::add_function(uint32_t defined_index, Tier tier, std::span<const uint8_t> code,
                                  std::span<const SourceMapEntry> source_map,
                                  std::span<const TrapSite> trap_sites,
                                  std::span<const OsrPoint> osr_points, uint32_t register_entry) {
  ArtifactFunction& f = functions_[defined_index];
  f.tier = static_cast<uint8_t>(tier);
  f.register_entry = register_entry;
  code_.resize(align_up(code_.size()), 0xcc);
  f.code_offset = static_cast<uint32_t>(code_.size());
  f.code_size = static_cast<uint32_t>(code.size());
  code_.insert(code_.end(), code.begin(), code.end());
  f.source_map_begin = static_cast<uint32_t>(source_map_.size());
  f.source_map_count = static_cast<uint32_t>(source_map.size());
  source_map_.insert(source_map_.end(), source_map.begin(), source_map.end());
  f.trap_sites_begin = static_cast<uint32_t>(trap_sites_.size());
  f.trap_sites_count = static_cast<uint32_t>(trap_sites.size());
  trap_sites_.insert(trap_sites_.end(), trap_sites.begin(), trap_sites.end());
  f.osr_begin = static_cast<uint32_t>(osr_points_.size());
  f.osr_count = static_cast<uint32_t>(osr_points.size());
  for (const OsrPoint& p : osr_points) {
    osr_points_.push_back({p.loop_offset, static_cast<uint32_t>(osr_values_.size()),
                           static_cast<uint32_t>(p.values.size())});
    for (const OsrPoint::Value& v : p.values) osr_values_.push_back({v.offset, v.bytes});
  }
}

std::vector<uint8_t> ArtifactWriter::finish(ArtifactKind kind, const ArtifactIdentity& identity,
                                            const Sha256Digest& key,
                                            const Sha256Digest& module_hash,
                                            std::span<const uint8_t> module_bytes) const {
  ArtifactHeader h{};
  std::memcpy(h.magic, kArtifactMagic, sizeof h.magic);
  h.format_version = kArtifactFormatVersion;
  h.kind = static_cast<uint32_t>(kind);
  std::strncpy(h.engine, identity.engine.c_str(), sizeof h.engine - 1);
  std::memcpy(h.key, key.data(), key.size());
  std::memcpy(h.module_hash, module_hash.data(), module_hash.size());
  h.cpu_features = identity.cpu_features;
  h.codegen = identity.codegen;
  h.features = identity.features;
  h.builtins = identity.builtins;
  h.num_functions = static_cast<uint32_t>(functions_.size());

  std::vector<uint8_t> out(sizeof h);
  auto put = [&](ArtifactSection& s, const void* data, size_t bytes, size_t count) {
    out.resize(align_up(out.size()), 0);
    s.offset = out.size();
    s.count = count;
    auto* p = static_cast<const uint8_t*>(data);
    out.insert(out.end(), p, p + bytes);
  };
  auto put_vector = [&](ArtifactSection& s, const auto& v) {
    put(s, v.data(), v.size() * sizeof(v[0]), v.size());
  };
  put(h.module_bytes, module_bytes.data(), module_bytes.size(), module_bytes.size());
  put_vector(h.functions, functions_);
  put_vector(h.code, code_);
  put_vector(h.source_map, source_map_);
  put_vector(h.trap_sites, trap_sites_);
  put_vector(h.osr_points, osr_points_);
  put_vector(h.osr_values, osr_values_);
  h.file_size = out.size();
  std::memcpy(out.data(), &h, sizeof h);
  Xxh128Digest sum = xxh3_128(std::span<const uint8_t>(out).subspan(kChecksummedFrom));
  std::memcpy(out.data() + offsetof(ArtifactHeader, checksum), sum.data(), sum.size());
  return out;
}

std::shared_ptr<const ByteBuffer> sub_buffer(std::shared_ptr<const ByteBuffer> whole,
                                             std::span<const uint8_t> part) {
  return std::make_shared<SubBuffer>(std::move(whole), part);
}

}  // namespace keel::runtime

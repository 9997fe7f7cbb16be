// libFuzzer target: the loader of precompiled modules and code cache entries (runtime/artifact.h).
// An input that is a wasm module is compiled (tier 1, eagerly) to a precompiled module first, so
// the seeds are the usual modules; any other input is taken as an artifact. Either way the engine
// field and the checksum are made right (or the first check would turn nearly every input away),
// then the bytes, and each of a few variants of them (truncated, one byte flipped: the fuzzer's
// own mutations reach the rest), must load or fail with an error: never crash, leak or read out
// of bounds. Loaded code is installed but never run.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/byte_buffer.h"
#include "base/hash.h"
#include "jit/engine/jit_compiler.h"
#include "runtime/artifact.h"
#include "runtime/store.h"

namespace {

constexpr const char* kEngine = "keel fuzz";

keel::EngineConfig config() {
  keel::EngineConfig c;
  c.compiler = keel::jit::jit_compiler();
  c.engine_id = kEngine;
  c.compile_threads = 1;
  return c;
}

void fix_up(std::vector<uint8_t>& bytes) {
  using keel::runtime::ArtifactHeader;
  if (bytes.size() < sizeof(ArtifactHeader)) return;
  auto* h = reinterpret_cast<ArtifactHeader*>(bytes.data());
  std::memset(h->engine, 0, sizeof h->engine);
  std::strcpy(h->engine, kEngine);
  keel::Xxh128Digest sum =
      keel::xxh3_128(std::span<const uint8_t>(bytes).subspan(keel::runtime::kChecksummedFrom));
  std::memcpy(h->checksum, sum.data(), sum.size());
}

void try_load(const std::vector<uint8_t>& bytes) {
  auto module = keel::LoadedModule::load_precompiled(keel::ByteBuffer::copy_of(bytes), config());
  if (module) (void)(*module)->precompiled();  // and write it out again
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  if (size >= 4 && std::memcmp(data, "\0asm", 4) == 0) {
    keel::EngineConfig c = config();
    c.compile_mode = keel::CompileMode::kEager;
    auto module = keel::LoadedModule::load(keel::ByteBuffer::copy_of(bytes), c);
    if (!module) return 0;
    bytes = (*module)->precompiled();
  } else {
    fix_up(bytes);
  }
  try_load(bytes);
  if (bytes.size() < 2) return 0;
  std::vector<uint8_t> variant(bytes.begin(), bytes.begin() + bytes.size() / 2);
  fix_up(variant);
  try_load(variant);
  variant = bytes;
  size_t at = (size * 2654435761u) % bytes.size();
  variant[at] ^= 0x5a;
  fix_up(variant);
  try_load(variant);
  return 0;
}

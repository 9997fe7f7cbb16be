// Links keel_runtime without keel_jit: it fails to link if the runtime calls into jit/ again. It
// also checks what an embedder that forgets the compiler is told.
#include <cstdio>
#include <string>

#include "base/byte_buffer.h"
#include "runtime/store.h"

int main() {
  // The smallest module: magic and version.
  static const uint8_t kEmpty[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  auto module = keel::LoadedModule::load(keel::ByteBuffer::copy_of(kEmpty), keel::EngineConfig{});
  if (module.ok()) {
    std::puts("FAIL: a module loaded without a compiler");
    return 1;
  }
  std::string message = module.error().to_string();
  if (message.find("no compiler") == std::string::npos) {
    std::printf("FAIL: unexpected error: %s\n", message.c_str());
    return 1;
  }
  std::printf("ok: %s\n", message.c_str());
  return 0;
}

// libFuzzer target: arbitrary bytes through the text-format lexer, parser and encoder (Wasm 2.0
// and Wasm 3.0 ranges), and what they encode through the binary decoder and validator. Any crash,
// leak, sanitizer report, timeout or stack overflow is a bug; rejecting the input is expected.
// Run with the keyword dictionary: fuzz_wat -dict=fuzz/wat.dict CORPUS SEEDS
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "base/byte_buffer.h"
#include "text/wat.h"
#include "validate/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  for (bool wide : {false, true}) {
    auto binary =
        keel::text::wat_to_wasm("fuzz.wat", source, {.u64_limits_and_offsets = wide});
    if (!binary) continue;
    // Whatever the text, an encoded module (not `module binary`) starts with the header.
    bool quoted_binary = source.find("binary") != std::string_view::npos;
    if (!quoted_binary && (binary->size() < 8 || std::memcmp(binary->data(), "\0asm", 4) != 0))
      std::abort();
    auto module = keel::load_module(keel::ByteBuffer::copy_of(*binary), keel::Features::all(),
                                    keel::ValidateOptions{.threads = 1});
    (void)module;
  }
  return 0;
}

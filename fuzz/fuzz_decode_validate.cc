// libFuzzer target: arbitrary bytes through the decoder, the disassembler (for what decodes) and
// the validator, under the default features and with every proposal enabled. Any crash, leak,
// sanitizer report or timeout is a bug; rejecting the input is the expected outcome.
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <streambuf>

#include "base/byte_buffer.h"
#include "decode/module_decoder.h"
#include "disasm/disassembler.h"
#include "validate/validator.h"

namespace {

// Discards what it is given: only the disassembler's reading matters here, not its text.
class NullBuffer final : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static NullBuffer null_buffer;
  static std::ostream null_stream(&null_buffer);
  auto buffer = keel::ByteBuffer::copy_of({data, size});
  // One thread: reproducible runs, and libFuzzer's timeout sees the work on its own thread.
  keel::ValidateOptions options{.threads = 1};
  for (const keel::Features& features : {keel::Features{}, keel::Features::all()}) {
    auto module = keel::decode_module(buffer, features);
    if (!module) continue;
    (void)keel::disassemble_module(*module, null_stream);
    (void)keel::validate_module(*module, options);
  }
  return 0;
}

#include "cli/commands/module_input.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <CLI/CLI.hpp>

#include "cli/commands/command.h"
#include "text/wat.h"

namespace keel::cli {
namespace {

struct FeatureFlag {
  const char* name;
  bool Features::*field;
};

constexpr FeatureFlag kFeatureFlags[] = {
#define KEEL_FEATURE_FLAG(id, name, on) {name, &Features::id},
    KEEL_FEATURES(KEEL_FEATURE_FLAG)
#undef KEEL_FEATURE_FLAG
};

// `-` as the module: all of standard input, as wasmtime reads it.
Result<std::shared_ptr<const ByteBuffer>> read_standard_input() {
  std::vector<uint8_t> bytes;
  uint8_t chunk[65536];
  for (;;) {
    ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorKind::kIo,
                        std::string("-: cannot read standard input: ") + std::strerror(errno));
    }
    bytes.insert(bytes.end(), chunk, chunk + n);
  }
  return ByteBuffer::adopt(std::move(bytes));
}

}  // namespace

Features ModuleInput::features() const {
  if (enable_all) return Features::all();
  Features features;
  for (const std::string& name : enable)
    for (const FeatureFlag& flag : kFeatureFlags)
      if (name == flag.name) features.*flag.field = true;
  return features;
}

void add_module_input(CLI::App& command, ModuleInput& input) {
  command
      .add_option("FILE", input.path, "WebAssembly module, binary or text (- reads standard input)")
      ->required();
  add_feature_options(command, input);
}

void add_feature_options(CLI::App& command, ModuleInput& input) {
  std::vector<std::string> names;
  for (const FeatureFlag& flag : kFeatureFlags) names.emplace_back(flag.name);
  command
      .add_option("--enable", input.enable,
                  "Allow a proposal beyond the Wasm 2.0 defaults (repeatable, comma-separated)")
      ->type_name("FEATURE")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->check(CLI::IsMember(names));
  command.add_flag("--enable-all", input.enable_all, "Allow every proposal keel knows");
}

Result<std::shared_ptr<const ByteBuffer>> read_module_file(const std::string& path,
                                                           const Features& features) {
  auto buffer = path == "-" ? read_standard_input() : ByteBuffer::from_file(path);
  if (!buffer) return buffer;
  // A component's preamble: the magic, then version 0x0d and layer 1.
  constexpr uint8_t kComponent[] = {0, 'a', 's', 'm', 0x0d, 0, 0x01, 0};
  std::span<const uint8_t> head = (*buffer)->bytes();
  if (head.size() >= 8 && std::equal(head.begin(), head.begin() + 8, kComponent)) {
    return make_error(ErrorKind::kIo, path +
                                          ": this is a WebAssembly component; keel runs core "
                                          "modules (WASI preview1)");
  }
  if (!text::looks_like_text((*buffer)->bytes())) return buffer;
  std::span<const uint8_t> bytes = (*buffer)->bytes();
  std::string_view source(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto binary = text::wat_to_wasm(path, source, {.u64_limits_and_offsets = features.memory64});
  if (!binary) return std::move(binary).error();
  return ByteBuffer::adopt(std::move(binary).value());
}

int report_error(std::ostream& err, const std::string& path, const Error& error) {
  // A text-format error names the file, line and column itself ("m.wat:12:7: ...").
  if (error.kind == ErrorKind::kMalformed && error.offset == kNoOffset &&
      error.message.starts_with(path + ":")) {
    err << "keel: " << error.message << '\n';
    return kExitFailure;
  }
  if (error.kind == ErrorKind::kIo)
    err << "keel: " << error.message << '\n';
  else
    err << "keel: " << path << ": " << error.to_string() << '\n';
  return kExitFailure;
}

}  // namespace keel::cli

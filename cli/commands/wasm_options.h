// The -W (wasm), -O (optimisation) and -D (debug) keys of `keel run`, as wasmtime spells them:
// each key keel knows is applied to the engine configuration, ignored with a documented reason
// (it tunes something keel does not have, harmlessly), or refused with a message naming what keel
// lacks. `-W help`, `-O help` and `-D help` list them with one line each.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "runtime/store.h"

namespace keel::cli {

// The largest -W max-wasm-stack keel takes: the stack is reserved (not committed) up front, so a
// bound keeps a typo from reserving more address space than a thread can have.
inline constexpr uint64_t kMaxWasmStackLimit = uint64_t{512} << 20;

// What -W sets beyond the engine configuration.
struct WasmSettings {
  std::optional<std::chrono::nanoseconds> timeout;
  bool unknown_imports_trap = false;     // a missing function import traps when called
  bool unknown_imports_default = false;  // a missing function import returns zeros
  std::optional<uint64_t> max_instances;
  std::optional<uint64_t> max_memories;
  std::optional<uint64_t> max_tables;
};

// A key of one of the option groups, for `-W help` and the like.
struct OptionKey {
  std::string_view name;
  std::string_view value;  // "=y|n", "=N", "" for keys that take nothing
  std::string_view help;   // one line: what it does in keel, or why keel refuses or ignores it
};

std::span<const OptionKey> wasm_keys();      // -W
std::span<const OptionKey> optimize_keys();  // -O
std::span<const OptionKey> debug_keys();     // -D
std::span<const OptionKey> codegen_keys();   // -C (run.cc applies the tier keys itself)

// "Available wasm options (-W KEY[=VALUE]):" and one line per key.
std::string keys_help(std::string_view flag, std::string_view title, std::span<const OptionKey>);

// wasmtime's booleans: empty (a bare key), y, yes, true; n, no, false.
Result<bool> parse_yes_no(std::string_view flag, std::string_view key, std::string_view value);

// Applies one key of each group. Errors are kUsage with a message naming the key.
Status apply_wasm_key(std::string_view key, std::string_view value, EngineConfig& config,
                      WasmSettings& settings);
Status apply_optimize_key(std::string_view key, std::string_view value, EngineConfig& config);
Status apply_debug_key(std::string_view key, std::string_view value);
// The -C keys of wasmtime's that run.cc does not apply: accepted where harmless, else refused.
Status apply_other_codegen_key(std::string_view key, std::string_view value);

// Whether a -W/-S/-O/-C/-D list asks for its help ("help" or "help-long" as an item).
bool asks_for_help(const std::vector<std::string>& lists);

}  // namespace keel::cli

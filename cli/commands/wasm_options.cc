#include "cli/commands/wasm_options.h"

#include <charconv>

#include "cli/commands/invoke_values.h"

namespace keel::cli {
namespace {

Error usage(std::string message) {
  return make_error(ErrorKind::kUsage, std::move(message));
}

std::string item(std::string_view flag, std::string_view key, std::string_view value) {
  std::string text = std::string(flag) + " " + std::string(key);
  if (!value.empty()) text += "=" + std::string(value);
  return text;
}

// A WebAssembly proposal as wasmtime's -W names it: keel's feature flag (if it has one) and
// whether keel executes it. A proposal keel does not execute may be switched off, never on.
struct Proposal {
  std::string_view name;
  bool Features::*field;   // null: keel has no flag (never enabled)
  std::string_view lacks;  // empty: keel executes it; else what keel does not execute yet
};

constexpr Proposal kProposals[] = {
    {"simd", &Features::simd, ""},
    {"bulk-memory", &Features::bulk_memory, ""},
    {"multi-value", &Features::multi_value, ""},
    {"reference-types", &Features::reference_types, ""},
    {"extended-const", &Features::extended_const, ""},
    {"relaxed-simd", &Features::relaxed_simd, "the relaxed-simd instructions"},
    {"relaxed-simd-deterministic", nullptr, "the relaxed-simd instructions"},
    {"tail-call", &Features::tail_call, "tail calls (return_call, return_call_indirect)"},
    {"exceptions", &Features::exceptions, "exception handling (try_table, throw)"},
    {"multi-memory", &Features::multi_memory, "instructions on memories other than memory 0"},
    {"memory64", &Features::memory64, "64-bit memories"},
    {"threads", &Features::threads, "atomic instructions and shared memories"},
    {"shared-memory", &Features::threads, "shared memories"},
    {"shared-everything-threads", nullptr, "the shared-everything-threads proposal"},
    {"function-references", nullptr, "typed function references"},
    {"gc", nullptr, "the GC proposal (struct and array types)"},
    {"gc-support", nullptr, "the GC proposal (struct and array types)"},
    {"stack-switching", nullptr, "the stack-switching proposal"},
    {"custom-page-sizes", nullptr, "the custom-page-sizes proposal"},
    {"wide-arithmetic", nullptr, "the wide-arithmetic instructions"},
};

const Proposal* find_proposal(std::string_view key) {
  for (const Proposal& p : kProposals)
    if (p.name == key) return &p;
  return nullptr;
}

constexpr OptionKey kWasmKeys[] = {
    {"max-wasm-stack", "=N", "Native stack wasm may use, in bytes (K, M, G; at most 512M)"},
    {"max-memory-size", "=N", "Largest a linear memory may grow to, in bytes (K, M, G)"},
    {"max-table-elements", "=N", "Largest a table may grow to, in elements"},
    {"max-instances", "=N", "Most instances the run may create (the module and --preload ones)"},
    {"max-memories", "=N", "Most linear memories the run's modules may define"},
    {"max-tables", "=N", "Most tables the run's modules may define"},
    {"trap-on-grow-failure", "=y|n", "A failed memory.grow or table.grow traps (not -1)"},
    {"timeout", "=N|Ns|Nms|..", "Interrupt wasm after this long (500ms, 2s, 1min, 1h)"},
    {"unknown-imports-trap", "=y|n", "A function import nothing provides traps when called"},
    {"unknown-imports-default", "=y|n", "A function import nothing provides returns zeros"},
    {"unknown-exports-allow", "=y|n", "Accepted: keel never refuses a command for its exports"},
    {"all-proposals", "=y|n", "Every proposal keel executes (simd, extended-const, Wasm 2.0)"},
    {"simd", "=y|n", "Fixed-width SIMD (on by default)"},
    {"bulk-memory", "=y|n", "Bulk memory operations (on by default)"},
    {"multi-value", "=y|n", "Multiple results and block parameters (on by default)"},
    {"reference-types", "=y|n", "Reference types (on by default)"},
    {"extended-const", "=y|n", "Extended constant expressions"},
    {"relaxed-simd", "=y|n", "=y refused: keel does not execute relaxed SIMD yet"},
    {"relaxed-simd-deterministic", "=y|n", "=y refused: keel does not execute relaxed SIMD yet"},
    {"tail-call", "=y|n", "=y refused: keel does not execute tail calls yet"},
    {"exceptions", "=y|n", "=y refused: keel does not execute exception handling yet"},
    {"multi-memory", "=y|n", "=y refused: keel does not execute multiple memories yet"},
    {"memory64", "=y|n", "=y refused: keel does not execute 64-bit memories yet"},
    {"threads", "=y|n", "=y refused: keel does not execute atomics yet"},
    {"shared-memory", "=y|n", "=y refused: keel does not execute shared memories yet"},
    {"shared-everything-threads", "=y|n", "=y refused: not in keel"},
    {"function-references", "=y|n", "=y refused: keel does not execute typed references yet"},
    {"gc", "=y|n", "=y refused: keel does not execute the GC proposal yet"},
    {"gc-support", "=y|n", "=y refused: keel does not execute the GC proposal yet"},
    {"stack-switching", "=y|n", "=y refused: not in keel"},
    {"custom-page-sizes", "=y|n", "=y refused: not in keel"},
    {"wide-arithmetic", "=y|n", "=y refused: not in keel"},
    {"component-model", "=y|n", "=y refused: keel runs core modules, not components"},
    {"branch-hinting", "=y|n", "Accepted: keel reads no branch hints (they change no result)"},
    {"epoch-interruption", "=y|n", "Accepted: keel always checks for interrupts (timeout)"},
    {"async-stack-size", "=N", "Accepted and ignored: keel runs wasm on a native stack"},
    {"async-stack-zeroing", "=y|n", "Accepted and ignored: keel runs wasm on a native stack"},
    {"fuel", "=N", "Refused: keel has no fuel metering yet"},
    {"nan-canonicalization", "=y|n", "=y refused: keel does not canonicalise NaNs yet"},
    {"wmemcheck", "=y|n", "=y refused: keel has no memory checker"},
};

constexpr OptionKey kOptimizeKeys[] = {
    {"opt-level", "=0|1|2|s", "0: tier 1 only (-C tier=baseline); 1, 2, s: tiered (default)"},
    {"memory-may-move", "=y|n", "=n accepted: keel's memories never move; =y changes nothing"},
    {"memory-init-cow", "=y|n", "Accepted and ignored: keel copies data segments in"},
    {"table-lazy-init", "=y|n", "Accepted and ignored: keel initialises tables at instantiation"},
    {"signals-based-traps", "=y|n", "=n refused: keel's bounds checks are guard pages"},
    {"pooling-allocator", "=y|n", "=y refused: keel has no pooling allocator"},
    {"memory-reservation", "=N", "Refused: keel reserves a fixed 8 GiB per memory"},
    {"memory-reservation-for-growth", "=N", "Refused: keel reserves a fixed 8 GiB per memory"},
    {"memory-guard-size", "=N", "Refused: keel's guard region is fixed (4 GiB)"},
    {"guard-before-linear-memory", "=y|n", "Refused: keel's guard region is fixed"},
    {"regalloc-algorithm", "=..", "Refused: keel's tier 2 has one register allocator"},
};

constexpr OptionKey kDebugKeys[] = {
    {"address-map", "=y|n", "=y accepted: keel always maps code to wasm offsets (backtraces)"},
    {"logging", "=y|n", "Accepted: keel logs as KEEL_LOG says (keel-run(1), ENVIRONMENT)"},
    {"debug-info", "=y|n", "=y refused: keel emits no DWARF for wasm code"},
    {"guest-debug", "=y|n", "=y refused: keel has no guest debugger"},
    {"coredump", "=PATH", "Refused: keel writes no wasm core dumps"},
    {"log-to-files", "=y|n", "=y refused: keel logs to standard error only"},
};

// cache_options.cc applies the cache keys; they are listed here for -C help.
constexpr OptionKey kCodegenKeys[] = {
    {"tier", "=tiered|baseline|optimizing", "Which tiers compile: tiered (default) or one"},
    {"compiler", "=winch|cranelift", "wasmtime's names for one tier: baseline, optimizing"},
    {"tier-up-budget", "=N", "Bytes of wasm run in tier 1 before tier 2 (0: first call)"},
    {"tier2-threads", "=N", "Background tier-2 compile threads (1 to 256)"},
    {"tier-up-sync", "=y|n", "Compile tier 2 before going on (deterministic; tests)"},
    {"tier-up-osr", "=y|n", "Leave hot loops for tier 2 mid-call (default y)"},
    {"cache", "=y|n", "The code cache of compiled functions (default y)"},
    {"cache-dir", "=PATH", "Where the cache lives (default $XDG_CACHE_HOME/keel, ~/.cache/keel)"},
    {"cache-size", "=BYTES", "The cache's size limit; least recently used go first (default 1G)"},
    {"parallel-compilation", "=y|n", "Accepted: keel compiles on first call (--compile=eager)"},
    {"native-unwind-info", "=y|n", "Accepted and ignored: keel unwinds wasm by frame pointers"},
    {"inlining", "=y|n", "Accepted and ignored: keel's tier 2 does not inline"},
    {"collector", "=..", "Refused: keel has no garbage collector (no GC proposal)"},
    {"cranelift-debug-verifier", "=y|n", "=y refused: keel has no Cranelift"},
    {"cranelift-NAME", "=..", "Refused: keel has no Cranelift (-C tier= picks keel's tiers)"},
};

Result<uint64_t> parse_count(std::string_view flag, std::string_view key, std::string_view value) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size())
    return usage(item(flag, key, value) + ": expected a number");
  return n;
}

bool known(std::span<const OptionKey> keys, std::string_view key) {
  for (const OptionKey& k : keys)
    if (k.name == key) return true;
  return false;
}

Error unknown(std::string_view flag, std::string_view key) {
  return usage("unknown " + std::string(flag) + " option \"" + std::string(key) + "\" (`keel run " +
               std::string(flag) + " help` lists them)");
}

}  // namespace

std::span<const OptionKey> wasm_keys() {
  return kWasmKeys;
}
std::span<const OptionKey> optimize_keys() {
  return kOptimizeKeys;
}
std::span<const OptionKey> debug_keys() {
  return kDebugKeys;
}
std::span<const OptionKey> codegen_keys() {
  return kCodegenKeys;
}

Status apply_other_codegen_key(std::string_view key, std::string_view value) {
  constexpr std::string_view C = "-C";
  if (key == "collector") return usage(item(C, key, value) + ": keel has no garbage collector");
  if (key.starts_with("cranelift-") && key != "cranelift-debug-verifier") {
    return usage(item(C, key, value) +
                 ": keel has no Cranelift (-C tier=baseline|optimizing|tiered picks keel's tiers)");
  }
  if (key == "parallel-compilation" || key == "native-unwind-info" || key == "inlining" ||
      key == "cranelift-debug-verifier" || key == "metadata-for-internal-asserts" ||
      key == "metadata-for-gc-heap-corruption") {
    auto on = parse_yes_no(C, key, value);
    if (!on) return std::move(on).error();
    if (*on && key == "cranelift-debug-verifier")
      return usage(item(C, key, value) + ": keel has no Cranelift");
    return {};
  }
  return unknown(C, key);
}

std::string keys_help(std::string_view flag, std::string_view title,
                      std::span<const OptionKey> keys) {
  std::string out = "Available " + std::string(title) + " options:\n\n";
  size_t width = 0;
  for (const OptionKey& k : keys) width = std::max(width, k.name.size() + k.value.size());
  for (const OptionKey& k : keys) {
    std::string left = std::string(k.name) + std::string(k.value);
    out += "  " + std::string(flag) + " " + left + std::string(width - left.size() + 2, ' ') +
           std::string(k.help) + "\n";
  }
  out += "\npass " + std::string(flag) + " KEY=VALUE (comma-separated or repeated)\n";
  return out;
}

Result<bool> parse_yes_no(std::string_view flag, std::string_view key, std::string_view value) {
  if (value.empty() || value == "y" || value == "yes" || value == "true") return true;
  if (value == "n" || value == "no" || value == "false") return false;
  return usage(item(flag, key, value) + ": expected y or n");
}

bool asks_for_help(const std::vector<std::string>& lists) {
  for (const std::string& list : lists) {
    std::string_view rest = list;
    while (!rest.empty()) {
      std::string_view one = rest.substr(0, rest.find(','));
      rest.remove_prefix(std::min(rest.size(), one.size() + 1));
      if (one == "help" || one == "help-long") return true;
    }
  }
  return false;
}

Status apply_wasm_key(std::string_view key, std::string_view value, EngineConfig& config,
                      WasmSettings& s) {
  constexpr std::string_view W = "-W";
  auto yes = [&]() { return parse_yes_no(W, key, value); };
  if (key == "max-wasm-stack") {
    auto bytes = parse_byte_size(value);
    if (!bytes) return std::move(bytes).error();
    if (*bytes > kMaxWasmStackLimit) {
      return usage(item(W, key, value) +
                   ": more than keel allows (512M: the stack is reserved for the whole run)");
    }
    if (*bytes < 4096) return usage(item(W, key, value) + ": less than keel needs (4K)");
    config.max_wasm_stack = *bytes;
  } else if (key == "max-memory-size") {
    auto bytes = parse_byte_size(value);
    if (!bytes) return std::move(bytes).error();
    config.max_memory_size = *bytes;
  } else if (key == "max-table-elements") {
    auto n = parse_count(W, key, value);
    if (!n) return std::move(n).error();
    config.max_table_elements = *n;
  } else if (key == "max-instances" || key == "max-memories" || key == "max-tables") {
    auto n = parse_count(W, key, value);
    if (!n) return std::move(n).error();
    (key == "max-instances"  ? s.max_instances
     : key == "max-memories" ? s.max_memories
                             : s.max_tables) = *n;
  } else if (key == "timeout") {
    auto d = parse_duration(value);
    if (!d) return std::move(d).error();
    s.timeout = *d;
  } else if (key == "unknown-imports-trap" || key == "unknown-imports-default") {
    auto on = yes();
    if (!on) return std::move(on).error();
    (key == "unknown-imports-trap" ? s.unknown_imports_trap : s.unknown_imports_default) = *on;
  } else if (key == "all-proposals") {
    auto on = yes();
    if (!on) return std::move(on).error();
    for (const Proposal& p : kProposals)
      if (p.field && p.lacks.empty()) config.features.*p.field = *on || Features{}.*p.field;
  } else if (const Proposal* p = find_proposal(key)) {
    auto on = yes();
    if (!on) return std::move(on).error();
    if (*on && !p->lacks.empty()) {
      return usage(item(W, key, value) + ": keel does not execute " + std::string(p->lacks) +
                   " yet");
    }
    if (p->field) config.features.*p->field = *on;
  } else if (key == "trap-on-grow-failure") {
    auto on = yes();
    if (!on) return std::move(on).error();
    config.trap_on_grow_failure = *on;
  } else if (key == "fuel") {
    return usage(item(W, key, value) + ": keel has no fuel metering yet");
  } else if (key == "nan-canonicalization" || key == "wmemcheck") {
    auto on = yes();
    if (!on) return std::move(on).error();
    if (*on) {
      return usage(item(W, key, value) + (key == "wmemcheck"
                                              ? ": keel has no memory checker"
                                              : ": keel does not canonicalise NaNs yet"));
    }
  } else if (key == "unknown-exports-allow" || key == "branch-hinting" ||
             key == "epoch-interruption" || key == "async-stack-zeroing") {
    auto on = yes();
    if (!on) return std::move(on).error();  // accepted: nothing in keel depends on them
  } else if (key == "async-stack-size") {
    auto bytes = parse_byte_size(value);
    if (!bytes) return std::move(bytes).error();
  } else if (key.starts_with("component-model")) {
    auto on = yes();
    if (!on) return std::move(on).error();
    if (*on) return usage(item(W, key, value) + ": keel runs core modules, not components");
  } else {
    return unknown(W, key);
  }
  return {};
}

Status apply_optimize_key(std::string_view key, std::string_view value, EngineConfig& config) {
  constexpr std::string_view O = "-O";
  if (key == "opt-level") {
    if (value == "0") {
      config.tier = runtime::Tier::kBaseline;
      config.tiering.enabled = false;
    } else if (value == "1" || value == "2" || value == "s") {
      config.tier = runtime::Tier::kBaseline;
      config.tiering.enabled = true;
    } else {
      return usage(item(O, key, value) + ": expected 0, 1, 2 or s");
    }
    return {};
  }
  if (!known(kOptimizeKeys, key)) return unknown(O, key);
  if (key == "memory-reservation" || key == "memory-reservation-for-growth" ||
      key == "memory-guard-size" || key == "guard-before-linear-memory") {
    return usage(item(O, key, value) +
                 ": keel's memory layout is fixed (an 8 GiB reservation per memory, guard "
                 "included)");
  }
  if (key == "regalloc-algorithm")
    return usage(item(O, key, value) + ": keel's tier 2 has one register allocator");
  auto on = parse_yes_no(O, key, value);
  if (!on) return std::move(on).error();
  if (key == "signals-based-traps" && !*on)
    return usage(item(O, key, value) + ": keel's bounds checks need signal handlers");
  if (key == "pooling-allocator" && *on)
    return usage(item(O, key, value) + ": keel has no pooling allocator");
  return {};  // memory-may-move, memory-init-cow, table-lazy-init: nothing to change in keel
}

Status apply_debug_key(std::string_view key, std::string_view value) {
  constexpr std::string_view D = "-D";
  if (!known(kDebugKeys, key)) return unknown(D, key);
  if (key == "coredump") return usage(item(D, key, value) + ": keel writes no wasm core dumps");
  auto on = parse_yes_no(D, key, value);
  if (!on) return std::move(on).error();
  if (!*on || key == "address-map" || key == "logging") return {};
  if (key == "debug-info") return usage(item(D, key, value) + ": keel emits no DWARF for wasm");
  if (key == "guest-debug") return usage(item(D, key, value) + ": keel has no guest debugger");
  return usage(item(D, key, value) + ": keel logs to standard error only");
}

}  // namespace keel::cli

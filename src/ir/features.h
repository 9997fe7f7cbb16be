// Which proposals a module may use. The defaults are Wasm 2.0; later proposals are opt-in.
#pragma once

#include <cstdint>

namespace keel {

// One row per feature flag: identifier, command-line name, enabled by default.
#define KEEL_FEATURES(V)                          \
  V(sign_extension, "sign-extension", true)       \
  V(saturating_conversions, "saturating-float-to-int", true) \
  V(multi_value, "multi-value", true)             \
  V(bulk_memory, "bulk-memory", true)             \
  V(reference_types, "reference-types", true)     \
  V(simd, "simd", true)                           \
  V(tail_call, "tail-call", false)                \
  V(extended_const, "extended-const", false)      \
  V(multi_memory, "multi-memory", false)          \
  V(memory64, "memory64", false)                  \
  V(threads, "threads", false)                    \
  V(exceptions, "exceptions", false)              \
  V(relaxed_simd, "relaxed-simd", false)

struct Features {
#define KEEL_FEATURE_FIELD(id, name, on) bool id = on;
  KEEL_FEATURES(KEEL_FEATURE_FIELD)
#undef KEEL_FEATURE_FIELD

  bool operator==(const Features&) const = default;

  static Features all() {
    Features f;
#define KEEL_FEATURE_ALL(id, name, on) f.id = true;
    KEEL_FEATURES(KEEL_FEATURE_ALL)
#undef KEEL_FEATURE_ALL
    return f;
  }
};

// Feature and Const columns of the opcode table. kMvp and the Wasm 2.0 features are on by
// default.
enum class Feature : uint8_t {
  kMvp,
  kSignExtension,
  kSaturatingConversions,
  kBulkMemory,
  kReferenceTypes,
  kSimd,
  kTailCall,
  kExtendedConst,  // adds no instructions; admits some to constant expressions
  kThreads,
  kExceptions,
  kRelaxedSimd,
  // Wasm 3.0 instructions the text format parses and nothing else handles yet: never enabled.
  kFunctionReferences,
  kGc,
  kExnref,
};

inline bool feature_enabled(const Features& f, Feature feature) {
  switch (feature) {
    case Feature::kMvp: return true;
    case Feature::kSignExtension: return f.sign_extension;
    case Feature::kSaturatingConversions: return f.saturating_conversions;
    case Feature::kBulkMemory: return f.bulk_memory;
    case Feature::kReferenceTypes: return f.reference_types;
    case Feature::kSimd: return f.simd;
    case Feature::kTailCall: return f.tail_call;
    case Feature::kExtendedConst: return f.extended_const;
    case Feature::kThreads: return f.threads;
    case Feature::kExceptions: return f.exceptions;
    case Feature::kRelaxedSimd: return f.relaxed_simd;
    case Feature::kFunctionReferences:
    case Feature::kGc:
    case Feature::kExnref: return false;
  }
  return false;
}

}  // namespace keel

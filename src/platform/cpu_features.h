// The x86-64 extensions code generation may use, detected once at start-up. Code generators take
// a CpuFeatures value rather than asking the CPU, so tests can force the fallback paths.
#pragma once

#include <string>

namespace keel::platform {

struct CpuFeatures {
  bool ssse3 = false;
  bool sse41 = false;
  bool sse42 = false;
  bool popcnt = false;
  bool lzcnt = false;
  bool bmi1 = false;  // tzcnt
  bool bmi2 = false;
  bool avx = false;
  bool avx2 = false;

  // x86-64 itself: SSE2 and nothing more. Every generator must work with this.
  static CpuFeatures baseline() { return {}; }
  static CpuFeatures detect();
  // `available` reduced to the extensions a profile names: "baseline" (none), or a list such as
  // "sse4.1" or "sse4.1,popcnt" (separated by commas, spaces or '+'). A name implies the SSE
  // levels below it and AVX2 implies AVX. Unknown names are ignored.
  static CpuFeatures restrict(const CpuFeatures& available, const std::string& profile);
  std::string to_string() const;  // "sse4.1 popcnt lzcnt ..."
};

// What this process generates code for: the detected features, reduced by the profile in the
// environment variable KEEL_CPU_FEATURES if set (how tests exercise the fallbacks: "baseline" is
// plain x86-64, "sse4.1" the least a module using SIMD needs).
const CpuFeatures& host_cpu_features();

}  // namespace keel::platform

#include "platform/cpu_features.h"

#include <asmjit/core.h>

#include <cstdlib>
#include <string_view>

namespace keel::platform {

CpuFeatures CpuFeatures::detect() {
  const asmjit::CpuInfo& info = asmjit::CpuInfo::host();
  using F = asmjit::CpuFeatures::X86;
  const asmjit::CpuFeatures& f = info.features();
  CpuFeatures out;
  out.ssse3 = f.has(F::kSSSE3);
  out.sse41 = f.has(F::kSSE4_1);
  out.sse42 = f.has(F::kSSE4_2);
  out.popcnt = f.has(F::kPOPCNT);
  out.lzcnt = f.has(F::kLZCNT);
  out.bmi1 = f.has(F::kBMI);
  out.bmi2 = f.has(F::kBMI2);
  out.avx = f.has(F::kAVX);
  out.avx2 = f.has(F::kAVX2);
  return out;
}

std::string CpuFeatures::to_string() const {
  std::string s;
  auto add = [&](bool has, const char* name) {
    if (!has) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(ssse3, "ssse3");
  add(sse41, "sse4.1");
  add(sse42, "sse4.2");
  add(popcnt, "popcnt");
  add(lzcnt, "lzcnt");
  add(bmi1, "bmi1");
  add(bmi2, "bmi2");
  add(avx, "avx");
  add(avx2, "avx2");
  return s.empty() ? "baseline" : s;
}

const CpuFeatures& host_cpu_features() {
  static const CpuFeatures features = [] {
    const char* forced = std::getenv("KEEL_CPU_FEATURES");
    if (forced && std::string_view(forced) == "baseline") return CpuFeatures::baseline();
    return CpuFeatures::detect();
  }();
  return features;
}

}  // namespace keel::platform

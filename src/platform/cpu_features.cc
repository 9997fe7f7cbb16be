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

CpuFeatures CpuFeatures::restrict(const CpuFeatures& available, const std::string& profile) {
  CpuFeatures want;
  size_t at = 0;
  while (at <= profile.size()) {
    size_t end = profile.find_first_of(", +", at);
    if (end == std::string::npos) end = profile.size();
    std::string_view name(profile.data() + at, end - at);
    at = end + 1;
    int sse = name == "ssse3" ? 1 : name == "sse4.1" ? 2 : name == "sse4.2" ? 3 : 0;
    if (name == "avx" || name == "avx2") {
      sse = 3;
      want.avx = true;
      want.avx2 |= name == "avx2";
    }
    want.ssse3 |= sse >= 1;
    want.sse41 |= sse >= 2;
    want.sse42 |= sse >= 3;
    want.popcnt |= name == "popcnt";
    want.lzcnt |= name == "lzcnt";
    want.bmi1 |= name == "bmi1";
    want.bmi2 |= name == "bmi2";
  }
  CpuFeatures out;
  out.ssse3 = available.ssse3 && want.ssse3;
  out.sse41 = available.sse41 && want.sse41;
  out.sse42 = available.sse42 && want.sse42;
  out.popcnt = available.popcnt && want.popcnt;
  out.lzcnt = available.lzcnt && want.lzcnt;
  out.bmi1 = available.bmi1 && want.bmi1;
  out.bmi2 = available.bmi2 && want.bmi2;
  out.avx = available.avx && want.avx;
  out.avx2 = available.avx2 && want.avx2;
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
    if (forced && *forced) return CpuFeatures::restrict(CpuFeatures::detect(), forced);
    return CpuFeatures::detect();
  }();
  return features;
}

}  // namespace keel::platform

#include "jit/optimizing/register_convention.h"

#include <iterator>

namespace keel::jit::opt {

std::optional<RegisterConvention> register_convention(const FuncType& type) {
  if (type.results.size() > 1) return std::nullopt;
  RegisterConvention out;
  size_t gp = 0, xmm = 0;
  for (ValType t : type.params) {
    if (reg_kind(t) == RegKind::kGp) {
      if (gp == std::size(kConventionGp)) return std::nullopt;
      out.params.push_back({Location::kReg, kConventionGp[gp++], 0});
    } else {
      if (xmm == std::size(kConventionXmm)) return std::nullopt;
      out.params.push_back({Location::kReg, kConventionXmm[xmm++], 0});
    }
  }
  if (!type.results.empty()) {
    bool in_gp = reg_kind(type.results[0]) == RegKind::kGp;
    out.result = Location{Location::kReg, in_gp ? kConventionResultGp : kConventionResultXmm, 0};
  }
  return out;
}

}  // namespace keel::jit::opt

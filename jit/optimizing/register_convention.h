// The register convention between tier-2 functions of one module (vm_abi.h describes how it sits
// beside the area convention): where a signature's parameters and result go in registers, or
// nothing when the signature does not fit. Caller and callee both ask here, so they agree.
//
// The registers are allocatable ones the attention stub preserves (so a parameter survives the
// interrupt check at entry), none of them the call's own temporaries (rax: VMFuncRef, rcx: the
// target). The result comes back in rax or xmm0, which no parameter uses at the return.
#pragma once

#include <optional>
#include <vector>

#include "ir/types.h"
#include "jit/optimizing/register_allocator.h"

namespace keel::jit::opt {

struct RegisterConvention {
  std::vector<Location> params;  // kReg, in the class of each parameter's type
  std::optional<Location> result;
};

inline constexpr uint8_t kConventionGp[] = {7 /*rdi*/, 6 /*rsi*/, 8, 9, 10, 11};
inline constexpr uint8_t kConventionXmm[] = {0, 1, 2, 3, 4, 5, 6, 7};
inline constexpr uint8_t kConventionResultGp = 0;   // rax
inline constexpr uint8_t kConventionResultXmm = 0;  // xmm0

// Null when `type` has more integer or float parameters than registers above, or more than one
// result: such functions have only the area entry.
std::optional<RegisterConvention> register_convention(const FuncType& type);

}  // namespace keel::jit::opt

// Decode-only pass over a function body: local declarations and instruction encodings, with no
// typing. The spec decodes a whole module before validating it, so when validation fails inside a
// body, this pass decides whether the body is malformed further on (which then wins).
#pragma once

#include <cstdint>

#include "base/result.h"
#include "ir/module.h"

namespace keel {

// The most locals (parameters included) a function may declare. The spec allows up to 2^32-1;
// engines cap it (V8 and wasmtime at 50,000) so frames stay bounded. Over it: "too many locals".
inline constexpr uint32_t kMaxLocals = 50000;

Status scan_function_body(const Module& module, uint32_t func_index);

// True if a valid module uses SIMD: v128 in a type, global or local, or a 0xfd instruction
// (which code generators need SSE4.1 for).
bool uses_simd(const Module& module);

}  // namespace keel

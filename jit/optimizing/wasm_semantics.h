// What wasm's integer instructions compute, exactly as the spec defines it (wrapping arithmetic,
// masked shift counts, traps on division), for the passes that evaluate, reorder or merge them.
// Which instructions are which comes from their text names in opcodes.def, so there is no
// second opcode list. Floats appear only as bit operations (neg, abs, copysign, reinterpret),
// whose results are exact; float arithmetic is not evaluated because NaN payloads are not.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "jit/optimizing/ir.h"

namespace keel::jit::opt {

// Evaluates a wasm instruction on constant operands (their bits; i32 in the low half), or
// nullopt when it would trap or is not one this file knows.
std::optional<uint64_t> fold_wasm_op(Op op, std::span<const uint64_t> operands);

// The traps a wasm instruction can still raise once its second operand is known to be this
// constant: none for a division by anything but 0 (and -1, for a signed division).
uint32_t traps_with_constant_divisor(Op op, uint64_t divisor);

// Integer instructions whose operands can be swapped (add, mul, and, or, xor, eq, ne).
bool is_commutative(Op op);

}  // namespace keel::jit::opt

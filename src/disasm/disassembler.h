// Text listing of function bodies in the manner of `wasm-objdump -d`: one line per instruction with
// its module offset and bytes. Works on decoded (not necessarily valid) modules, so it can show the
// code the validator rejects; it stops at the first malformed instruction and reports it.
#pragma once

#include <cstdint>
#include <ostream>

#include "base/result.h"
#include "ir/module.h"

namespace keel {

// Lists every function defined in the module (imports have no body), in index order.
Status disassemble_module(const Module& module, std::ostream& out);

// Lists one defined function: a header line, its local declarations, then its instructions.
Status disassemble_function(const Module& module, uint32_t func_index, std::ostream& out);

}  // namespace keel

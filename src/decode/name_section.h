// The `name` custom section: module, function and local names, for backtraces and disassembly.
// A malformed name section never rejects a module (custom sections cannot), so the caller keeps
// the error as a note and whatever names parsed before it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/result.h"
#include "ir/module.h"

namespace keel {

// Parses the section's contents (after its name); `base_offset` is their offset in the module.
// Subsections must come in order of id; ids other than module (0), function (1) and local (2)
// names are skipped. On failure `names` keeps what parsed before the error.
Status decode_name_section(std::span<const uint8_t> contents, size_t base_offset,
                           NameSection& names);

}  // namespace keel

// The GNU build ID of the running executable (the linker's --build-id note): it changes whenever
// the linked code does, so compiled code keyed on it is never reused by a different build, even one
// with the same version and commit.
#pragma once

#include <string>

namespace keel::platform {

// Lower-case hex, or empty when the executable has no build-ID note.
const std::string& executable_build_id();

}  // namespace keel::platform

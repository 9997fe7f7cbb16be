// Binary module decoding: every section of Wasm 2.0 (and the enabled proposals) into a Module.
// Decoding checks everything the spec calls "malformed"; validation (validate/) checks the rest.
#pragma once

#include <memory>

#include "base/byte_buffer.h"
#include "base/result.h"
#include "ir/features.h"
#include "ir/module.h"

namespace keel {

Result<Module> decode_module(std::shared_ptr<const ByteBuffer> buffer,
                             const Features& features = {});

}  // namespace keel

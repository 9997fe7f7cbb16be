// Module validation: the spec's validation algorithm over a decoded Module. Function bodies are
// validated by the single-pass body decoder (function_body_decoder.h) with the null consumer, in
// parallel across threads; the first error by function index is reported.
#pragma once

#include "base/result.h"
#include "ir/module.h"

namespace keel {

struct ValidateOptions {
  unsigned threads = 0;  // 0: one per hardware thread
  // False: everything but function bodies (a precompiled module's, whose code is in the file; a
  // function compiled from its body anyway is validated as it compiles).
  bool bodies = true;
};

Status validate_module(const Module& module, const ValidateOptions& options = {});

// Decode and validate in one call: what `keel validate` and the spec runner do.
Result<Module> load_module(std::shared_ptr<const ByteBuffer> buffer, const Features& features = {},
                           const ValidateOptions& options = {});

}  // namespace keel

// asmjit used as an encoder that records its first error instead of stopping: each compiler
// checks after the whole function, as WAMR's fast JIT does.
#pragma once

#include <asmjit/core.h>

#include <string>

namespace keel::jit {

class RecordingErrorHandler : public asmjit::ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, asmjit::BaseEmitter*) override {
    if (error == asmjit::kErrorOk) {
      error = err;
      text = message;
    }
  }
  asmjit::Error error = asmjit::kErrorOk;
  std::string text;
};

}  // namespace keel::jit

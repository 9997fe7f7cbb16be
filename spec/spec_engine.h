// The seam between the spec runner and an engine tier. The runner asks the engine what it
// supports; a command that needs a missing capability is counted as skipped, never as failed.
// Each script gets a fresh engine, so state a script builds (registered modules) stays in it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "base/result.h"
#include "ir/features.h"

namespace keel::spec {

// What a command may need beyond decoding and validating a module.
enum class Capability : uint8_t {
  kInstantiate,  // module instances, imports and `register`
  kInvoke,       // calling exports, reading globals, traps
};

class SpecEngine {
 public:
  virtual ~SpecEngine() = default;
  virtual bool supports(Capability capability) const = 0;
  // Decodes and validates a binary module; the error kind says which phase rejected it.
  virtual Status load(const std::filesystem::path& module_path) = 0;
};

using EngineFactory = std::function<std::unique_ptr<SpecEngine>(const Features&)>;

// keel as it stands: decode and validate, nothing more.
std::unique_ptr<SpecEngine> make_validating_engine(const Features& features);

}  // namespace keel::spec

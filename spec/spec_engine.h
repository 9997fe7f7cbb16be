// The seam between the spec runner and an engine tier. The runner asks the engine what it
// supports; a command that needs a missing capability is counted as skipped, never as failed.
// Each script gets a fresh engine, so state a script builds (registered modules) stays in it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/byte_buffer.h"
#include "base/result.h"
#include "ir/features.h"
#include "runtime/compiler.h"
#include "runtime/store.h"
#include "runtime/value.h"

namespace keel::spec {

// What a command may need beyond decoding and validating a module.
enum class Capability : uint8_t {
  kInstantiate,  // module instances, imports and `register`
  kInvoke,       // calling exports, reading globals, traps
  kExceptions,   // assert_exception: observing an uncaught wasm exception
};

// A module's binary: read from wast2json's .wasm file or encoded from a .wast script's text.
using ModuleBytes = std::shared_ptr<const ByteBuffer>;

class SpecEngine {
 public:
  virtual ~SpecEngine() = default;
  virtual bool supports(Capability capability) const = 0;
  // Decodes and validates a binary module; the error kind says which phase rejected it.
  virtual Status load(const ModuleBytes& module) = 0;

  // kInstantiate. Loads and instantiates a module with the `spectest` module and every registered
  // one importable; it becomes the current module, and `name` ("$m", may be empty) names it.
  // Link errors are kUnlinkable, traps while initialising or in the start function kTrap.
  virtual Status instantiate(const ModuleBytes& module, const std::string& name);
  // Offers the exports of module `name` (empty: the current one) as import module `as`.
  virtual Status register_module(const std::string& name, const std::string& as);

  // kInvoke. `module` empty means the current module. A trap is a kTrap error whose message is
  // the trap's; a missing export or a bad argument is a kUsage error.
  virtual Result<std::vector<Value>> invoke(const std::string& module, const std::string& field,
                                            std::span<const Value> args);
  virtual Result<Value> get_global(const std::string& module, const std::string& field);
};

using EngineFactory = std::function<std::unique_ptr<SpecEngine>(const Features&)>;

// keel's front end alone: decode and validate, nothing more.
std::unique_ptr<SpecEngine> make_validating_engine(const Features& features);

// The runtime: instances, calls and traps through the public Store API (spec_exec_engine.cc),
// every function compiled at `tier`, or with `tiering` enabled first at tier 1 and then tier 2.
std::unique_ptr<SpecEngine> make_executing_engine(const Features& features, runtime::Tier tier,
                                                  const TieringConfig& tiering = {});

// The tiers a script runs at, as keel-spec's and `keel wast`'s --tier name them.
inline constexpr std::string_view kTierNames[] = {"baseline", "optimizing", "tiered"};
struct TierChoice {
  runtime::Tier tier = runtime::Tier::kBaseline;
  TieringConfig tiering;  // tiered: tier 1, then tier 2 from each function's first call
};
// `background`: tier 2 compiles on background threads (as keel run does) instead of before the
// call goes on; `osr`: every loop a tier-1 frame reaches is left for tier 2. Errors for an
// unknown name, and when this build's compiler lacks a tier the choice needs.
Result<TierChoice> choose_tier(std::string_view name, bool background = false, bool osr = false);

}  // namespace keel::spec

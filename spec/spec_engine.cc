#include "spec_engine.h"

#include "base/byte_buffer.h"
#include "validate/validator.h"

namespace keel::spec {
namespace {

Error unsupported(const char* what) {
  return make_error(ErrorKind::kUsage, std::string("this engine cannot ") + what);
}

class ValidatingEngine final : public SpecEngine {
 public:
  explicit ValidatingEngine(const Features& features) : features_(features) {}

  bool supports(Capability) const override { return false; }

  Status load(const ModuleBytes& bytes) override {
    // The runner already keeps every core busy with one script each.
    auto module = load_module(bytes, features_, ValidateOptions{.threads = 1});
    if (!module) return std::move(module).error();
    return {};
  }

 private:
  Features features_;
};

}  // namespace

Status SpecEngine::instantiate(const ModuleBytes&, const std::string&) {
  return unsupported("instantiate");
}

Status SpecEngine::register_module(const std::string&, const std::string&) {
  return unsupported("register modules");
}

Result<std::vector<Value>> SpecEngine::invoke(const std::string&, const std::string&,
                                              std::span<const Value>) {
  return unsupported("invoke");
}

Result<Value> SpecEngine::get_global(const std::string&, const std::string&) {
  return unsupported("read globals");
}

std::unique_ptr<SpecEngine> make_validating_engine(const Features& features) {
  return std::make_unique<ValidatingEngine>(features);
}

}  // namespace keel::spec

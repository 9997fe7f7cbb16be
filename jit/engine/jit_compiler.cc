#include "jit/engine/jit_compiler.h"

#include "jit/baseline/baseline_compiler.h"
#include "jit/stubs/stubs.h"

namespace keel::jit {
namespace {

class JitCompiler final : public runtime::Compiler {
 public:
  bool supports(runtime::Tier tier) const override { return tier == runtime::Tier::kBaseline; }

  Result<CompiledFunction> compile(const ValidationContext& ctx, uint32_t func_index,
                                   const CompileOptions& options) const override {
    if (!supports(options.tier))
      return make_error(
          ErrorKind::kUsage,
          std::string("this build of keel has no ") + runtime::tier_name(options.tier) + " tier",
          kNoOffset, func_index);
    auto compiled = compile_baseline(ctx, func_index, options);
    if (compiled) compiled->tier = runtime::Tier::kBaseline;
    return compiled;
  }

  const runtime::RuntimeStubs& stubs() const override { return jit::stubs(); }
};

}  // namespace

std::shared_ptr<const runtime::Compiler> jit_compiler() {
  static const auto compiler = std::make_shared<const JitCompiler>();
  return compiler;
}

}  // namespace keel::jit

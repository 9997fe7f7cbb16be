#include "jit/engine/jit_compiler.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "jit/baseline/baseline_compiler.h"
#include "jit/engine/tier2_debug.h"
#include "jit/optimizing/codegen.h"
#include "jit/optimizing/compare_fusion.h"
#include "jit/optimizing/graph_builder.h"
#include "jit/optimizing/passes/pipeline.h"
#include "jit/optimizing/printer.h"
#include "jit/stubs/stubs.h"

namespace keel::jit {
namespace {

class JitCompiler final : public runtime::Compiler {
 public:
  // Both tiers are always there; tier 2's debugging knobs must parse (tier2_debug.h).
  Status tier_available(runtime::Tier tier) const override {
    if (tier == runtime::Tier::kOptimizing && !tier2_debug()) return tier2_debug().error();
    return {};
  }

  Result<CompiledFunction> compile(const ValidationContext& ctx, uint32_t func_index,
                                   const CompileOptions& options) const override {
    if (Status available = tier_available(options.tier); !available) {
      Error error = std::move(available).error();
      error.function = func_index;
      return error;
    }
    // tier_available has reported knobs that do not parse.
    if (options.tier == runtime::Tier::kOptimizing && tier2_debug()->selects(func_index))
      return compile_optimizing(ctx, func_index, options, *tier2_debug());
    if (options.osr_loop != UINT32_MAX)
      return make_error(ErrorKind::kUsage, "no OSR entry: KEEL_TIER2_FUNCTIONS leaves it to tier 1",
                        kNoOffset, func_index);
    auto compiled = compile_baseline(ctx, func_index, options);
    if (compiled) compiled->tier = runtime::Tier::kBaseline;
    return compiled;
  }

  const runtime::RuntimeStubs& stubs() const override { return jit::stubs(); }

 private:
  // Tier 2: the graph straight from the body decoder, the pass pipeline, then the back end.
  static Result<CompiledFunction> compile_optimizing(const ValidationContext& ctx,
                                                     uint32_t func_index,
                                                     const CompileOptions& options,
                                                     const Tier2Debug& debug) {
    auto graph = opt::build_graph(ctx, func_index,
                                  {.validated = options.validated, .osr_loop = options.osr_loop});
    if (!graph) return std::move(graph).error();
    bool print = debug.print_ir == func_index;
    if (print) print_ir(*graph, func_index, "as built");
    KEEL_TRY(opt::run_passes(*graph, debug.passes));
    opt::sink_compares_into_branches(*graph);
    if (print) print_ir(*graph, func_index, "after the passes");
    opt::CodegenStats stats;
    stats.want_assembly = print;
    auto compiled = opt::compile_graph(*graph, ctx.module, func_index, options, &stats);
    if (print)
      std::fprintf(stderr, ";; tier 2 code of function %u\n%s", func_index, stats.assembly.c_str());
    if (compiled) compiled->tier = runtime::Tier::kOptimizing;
    return compiled;
  }

  static void print_ir(const opt::Graph& graph, uint32_t func_index, const char* when) {
    std::string text = opt::print_graph(graph, [&](opt::InstId id) {
      char offset[16];
      std::snprintf(offset, sizeof offset, "@%x", graph.inst(id).module_offset);
      return std::string(offset);
    });
    std::fprintf(stderr, ";; tier 2 IR of function %u, %s\n%s", func_index, when, text.c_str());
  }
};

}  // namespace

std::shared_ptr<const runtime::Compiler> jit_compiler() {
  static const auto compiler = std::make_shared<const JitCompiler>();
  return compiler;
}

}  // namespace keel::jit

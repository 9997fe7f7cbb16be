// libFuzzer target: every module that loads (decodes and validates) has each of its functions
// built into tier 2's SSA graph, which must verify, and verify again after the pass pipeline;
// then the back end compiles it to machine code (not run). A graph that does not verify aborts
// (a bug in the builder or a pass), as do crashes, leaks and sanitizer reports anywhere; a
// function tier 2 cannot express or compile yet is an expected error.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "base/byte_buffer.h"
#include "jit/optimizing/codegen.h"
#include "jit/optimizing/compare_fusion.h"
#include "jit/optimizing/graph_builder.h"
#include "jit/optimizing/passes/pipeline.h"
#include "jit/optimizing/verifier.h"
#include "validate/validator.h"

namespace {

[[noreturn]] void broken(uint32_t function, const char* when, const keel::Error& error) {
  std::fprintf(stderr, "function %u %s: %s\n", function, when, error.to_string().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto buffer = keel::ByteBuffer::copy_of({data, size});
  auto module = keel::load_module(buffer, keel::Features{}, keel::ValidateOptions{.threads = 1});
  if (!module) return 0;
  keel::ValidationContext ctx(*module);
  for (uint32_t f = module->num_imported_functions; f < module->functions.size(); ++f) {
    auto graph = keel::jit::opt::build_graph(ctx, f, {.validated = true});
    if (!graph) continue;
    if (keel::Status s = keel::jit::opt::verify(*graph); !s) broken(f, "as built", s.error());
    if (keel::Status s = keel::jit::opt::run_passes(*graph); !s) broken(f, "in a pass", s.error());
    if (keel::Status s = keel::jit::opt::verify(*graph); !s)
      broken(f, "after the passes", s.error());
    keel::jit::opt::sink_compares_into_branches(*graph);
    keel::runtime::CompileOptions options;
    options.tier = keel::runtime::Tier::kOptimizing;
    options.cpu = keel::platform::host_cpu_features();
    options.validated = true;
    (void)keel::jit::opt::compile_graph(*graph, *module, f, options);
  }
  return 0;
}

#include "jit/optimizing/passes/pipeline.h"

#include <string>

#include "jit/optimizing/passes/cfg_simplification.h"
#include "jit/optimizing/passes/constant_folding.h"
#include "jit/optimizing/passes/copy_propagation.h"
#include "jit/optimizing/passes/dce.h"
#include "jit/optimizing/passes/gvn.h"
#include "jit/optimizing/passes/licm.h"
#include "jit/optimizing/passes/loop_vectorization.h"
#include "jit/optimizing/passes/redundant_loads.h"
#include "jit/optimizing/passes/strength_reduction.h"
#include "jit/optimizing/verifier.h"

namespace keel::jit::opt {

Status run_passes(Graph& graph, const PassOptions& options) {
  struct Pass {
    const char* name;
    bool enabled;
    bool (*run)(Graph&);
  };
  const Pass passes[] = {
      {"constant folding", options.constant_folding, run_constant_folding},
      {"strength reduction", options.strength_reduction, run_strength_reduction},
      {"copy propagation", options.copy_propagation, run_copy_propagation},
      {"gvn", options.gvn, run_gvn},
      {"redundant loads", options.redundant_loads, run_redundant_load_elimination},
      {"dce", options.dce, run_dce},
      {"cfg simplification", options.cfg_simplification, run_cfg_simplification},
  };
  auto run = [&](const Pass& pass) -> Result<bool> {
    bool changed = pass.run(graph);
    if (options.verify_after_each_pass) {
      Status status = verify(graph);
      if (!status.ok())
        return make_error(ErrorKind::kInvalid,
                          std::string("after ") + pass.name + ": " + status.error().message);
    }
    return changed;
  };
  for (int round = 0; round < options.max_rounds; ++round) {
    bool changed = false;
    for (const Pass& pass : passes) {
      if (!pass.enabled) continue;
      auto pass_changed = run(pass);
      if (!pass_changed) return std::move(pass_changed).error();
      changed |= *pass_changed;
    }
    if (!changed) break;
  }
  // LICM once, after the rounds: inside them, CFG simplification merged the preheaders it made
  // back into their predecessors and every function went round the maximum number of times
  // (15% of tier 2's compile time on Yosys). What it hoists needs no more folding.
  if (options.licm) {
    auto hoisted = run({"licm", true, run_licm});
    if (!hoisted) return std::move(hoisted).error();
  }
  // After LICM: the vector loop's checks go in the preheader LICM leaves, and what LICM would
  // hoist out of the vector copy (the splats) the pass puts there itself.
  if (options.loop_vectorization) {
    auto vectorized = run({"loop vectorization", true, run_loop_vectorization});
    if (!vectorized) return std::move(vectorized).error();
  }
  return {};
}

}  // namespace keel::jit::opt

#include "jit/optimizing/passes/pipeline.h"

#include <string>

#include "jit/optimizing/passes/cfg_simplification.h"
#include "jit/optimizing/passes/constant_folding.h"
#include "jit/optimizing/passes/copy_propagation.h"
#include "jit/optimizing/passes/dce.h"
#include "jit/optimizing/passes/gvn.h"
#include "jit/optimizing/passes/licm.h"
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
      {"licm", options.licm, run_licm},
      {"dce", options.dce, run_dce},
      {"cfg simplification", options.cfg_simplification, run_cfg_simplification},
  };
  for (int round = 0; round < options.max_rounds; ++round) {
    bool changed = false;
    for (const Pass& pass : passes) {
      if (!pass.enabled) continue;
      changed |= pass.run(graph);
      if (!options.verify_after_each_pass) continue;
      Status status = verify(graph);
      if (!status.ok())
        return make_error(ErrorKind::kInvalid,
                          std::string("after ") + pass.name + ": " + status.error().message);
    }
    if (!changed) break;
  }
  return {};
}

}  // namespace keel::jit::opt

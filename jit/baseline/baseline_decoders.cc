// The body decoder's two tier-1 instantiations, in their own file so the build compiles them in
// parallel with the emitter: the validating one (any module) and the one for validated modules.
#include "jit/baseline/baseline_emitter.h"

namespace keel {
template class FunctionBodyDecoder<jit::BaselineCompiler, FullValidationTag>;
template class FunctionBodyDecoder<jit::BaselineCompiler, NoValidationTag>;
}  // namespace keel

#include "validate/function_body_decoder.h"

namespace keel {

template class FunctionBodyDecoder<NullInterface>;

}  // namespace keel

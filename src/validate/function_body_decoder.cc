#include "validate/function_body_decoder.h"

namespace keel {

template class FunctionBodyDecoder<NullInterface, FullValidationTag>;

}  // namespace keel

#include "jit/baseline/numeric_lowering.h"

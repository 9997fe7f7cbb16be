#!/usr/bin/env bash
# A folder is a layer: src/ (engine, runtime, platform) never includes jit/, wasi/ or cli/, and
# jit/ never includes wasi/ or cli/; src/text/ includes only base/, ir/ and itself. Prints each offending line; exits 1 if there is one.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bad=0
check() {  # FOLDER PATTERN
  if grep -rnE "#include \"($2)/" "$root/$1" --include='*.h' --include='*.cc' --include='*.def'; then
    bad=1
  fi
}
check src 'jit|wasi|cli'
# The text format sits on base/ and ir/ alone: tools and the script layer need no runtime.
check src/text 'decode|validate|disasm|platform|runtime'
check jit 'wasi|cli'
check wasi 'jit|cli'
if [ "$bad" -ne 0 ]; then
  echo "layering: the lines above include a layer above their own"
  exit 1
fi
echo "layering: src/ includes no jit/, wasi/ or cli/; src/text/ only base/ and ir/; jit/ and wasi/ no higher layer"

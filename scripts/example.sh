#!/usr/bin/env bash
# The README's first command: builds keel and the example WASI program, then validates it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh keel examples

wasm=build/examples/hello.wasm
if [ ! -f "$wasm" ]; then
  echo "example.sh: $wasm was not built (the clang-19/wasi-libc toolchain is missing)" >&2
  exit 1
fi
echo
echo "\$ build/cli/keel validate $wasm"
if build/cli/keel validate "$wasm"; then
  echo "$wasm: valid ($(stat -c %s "$wasm") bytes)"
else
  exit 1
fi

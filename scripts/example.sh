#!/usr/bin/env bash
# The README's first command: builds keel and the example WASI programs, then runs the word counter
# (examples/wc.c) on keel's own example sources, granted to it as the guest directory /src.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh keel examples

wasm=build/examples/wc.wasm
if [ ! -f "$wasm" ]; then
  echo "example.sh: $wasm was not built (the clang-19/wasi-libc toolchain is missing)" >&2
  exit 1
fi
echo
echo "\$ build/cli/keel run --dir examples::/src $wasm /src/hello.c /src/wc.c"
build/cli/keel run --dir examples::/src "$wasm" /src/hello.c /src/wc.c
echo
echo "\$ build/cli/keel $wasm /etc/passwd      # no directory granted: the guest cannot see it"
build/cli/keel "$wasm" /etc/passwd || echo "(exit $?)"

#!/usr/bin/env bash
# ctest test `yosys-validate`: `keel validate` must accept Yosys (a 30 MB WASI command).
# Usage: yosys-validate.sh KEEL CACHE_DIR. Exits 77 (skipped) when npm cannot be reached.
set -euo pipefail
keel=${1:?usage: yosys-validate.sh KEEL CACHE_DIR}
cache=${2:?usage: yosys-validate.sh KEEL CACHE_DIR}
wasm=$(bash "$(dirname "$0")/fetch-yosys.sh" "$cache") || exit $?
"$keel" validate "$wasm"
echo "keel validate $wasm: valid"

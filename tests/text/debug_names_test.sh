#!/usr/bin/env bash
# keel wat2wasm --debug-names writes the bytes wabt's wat2wasm --debug-names writes, name section
# included: for the samples in tests/text/names/, the repository's other .wat files, and each of
# those again after wasm2wat --generate-names has named everything in it.
# Usage: debug_names_test.sh KEEL (exit 77 when wabt's wat2wasm or wasm2wat is missing)
set -u
keel=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v wat2wasm >/dev/null && command -v wasm2wat >/dev/null ||
  { echo "debug_names_test: wat2wasm or wasm2wat not found (apt install wabt)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

compared=0 different=0
compare() {  # WAT
  local wat=$1 name
  name=$(basename "$wat" .wat)
  if ! wat2wasm --enable-all --no-check --debug-names "$wat" -o "$dir/$name.wabt.wasm"; then
    echo "debug_names_test: wabt rejects $wat"
    different=$((different + 1))
    return
  fi
  compared=$((compared + 1))
  if ! "$keel" wat2wasm --enable-all --no-check --debug-names "$wat" -o "$dir/$name.keel.wasm" ||
     ! cmp "$dir/$name.wabt.wasm" "$dir/$name.keel.wasm"; then
    echo "debug_names_test: $wat: keel's bytes differ from wabt's"
    different=$((different + 1))
  fi
}

samples=("$here"/names/*.wat "$here"/../osr/osr.wat "$here"/../../bench/*.wat)
for wat in "${samples[@]}"; do
  [ -f "$wat" ] || continue
  compare "$wat"
  # Named everywhere: $f0, $l1, $t0, $g0, $e0, $d0, ...
  named=$dir/$(basename "$wat" .wat).generated.wat
  wasm2wat --enable-all --no-check --generate-names "$dir/$(basename "$wat" .wat).wabt.wasm" -o "$named" &&
    compare "$named"
done
echo "debug_names_test: $compared modules compared, $different different"
[ "$compared" -gt 0 ] && [ "$different" -eq 0 ]

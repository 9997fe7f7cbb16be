#!/usr/bin/env bash
# Differential test of the validator: binaryen's translate-to-fuzz (wasm-opt -ttf) turns seeded
# random bytes into modules, and `keel validate` must accept or reject each exactly as wabt's
# wasm-validate does. Seeds are fixed, so a failure reproduces. Exit 77 (skipped) without the tools.
# Usage: validate_vs_wabt.sh KEEL [COUNT]
set -euo pipefail
keel=$1
count=${2:-150}
for tool in wasm-opt wasm-validate python3; do
  command -v "$tool" >/dev/null || { echo "validate_vs_wabt: $tool not found: skipped"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Two feature sets: Wasm 2.0 without reference types (every module should be valid), and with them
# (binaryen 108 then also emits some invalid modules, which both validators must reject).
feature_sets=(
  "-mvp --enable-simd --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-multivalue"
  "-mvp --enable-simd --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types"
)
python3 - "$work" "$count" <<'PY'
import random, sys
work, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    with open(f"{work}/seed.{i}", "wb") as f:
        f.write(random.Random(i).randbytes(4096))
PY
agree=0 disagree=0 accepted=0
for set in 0 1; do
  for ((i = 0; i < count; i++)); do
    # shellcheck disable=SC2086
    wasm-opt -ttf "$work/seed.$i" -o "$work/m.wasm" ${feature_sets[$set]} 2>/dev/null || continue
    k=0 w=0
    "$keel" validate "$work/m.wasm" 2>"$work/err" && k=1
    wasm-validate "$work/m.wasm" >/dev/null 2>&1 && w=1
    if [ "$k" = "$w" ]; then
      agree=$((agree + 1))
      accepted=$((accepted + k))
    else
      disagree=$((disagree + 1))
      echo "disagree: feature set $set seed $i: keel=$k wabt=$w $(cat "$work/err")"
      cp "$work/m.wasm" "${KEEL_DIFF_KEEP:-.}/disagree-$set-$i.wasm"
    fi
  done
done
echo "validate_vs_wabt: $((agree + disagree)) modules, $agree agree ($accepted accepted by both), $disagree disagree"
[ "$disagree" -eq 0 ] && [ "$agree" -gt 0 ]

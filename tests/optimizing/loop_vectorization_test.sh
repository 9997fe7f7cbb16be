#!/usr/bin/env bash
# Which loops of loop_vectorization.wast tier 2 pairs into f64x2: the IR after the passes
# (KEEL_TIER2_PRINT_IR) of each export must have the vector operations, or not, as the function
# says, and none with the pass switched off. loop_vectorization.wast itself checks the results.
# Usage: loop_vectorization_test.sh KEEL
set -u
keel=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The script's one module, from its first line to the line that closes it.
sed -n '/^(module/,/^)$/p' "$here/loop_vectorization.wast" >"$dir/m.wat"
"$keel" wat2wasm "$dir/m.wat" -o "$dir/m.wasm" || exit 1
fail=0
ir() {  # FUNCTION-INDEX EXPORT [ENV...]: the function's IR after the passes
  local index=$1 name=$2 args=(0 8192 2048 1.5)
  shift 2
  [ "$name" = splat ] && args=(1008 2000 2.5)
  env KEEL_TIER2_PRINT_IR="$index" "$@" "$keel" run -C cache=n,tier=optimizing --invoke "$name" \
    "$dir/m.wasm" "${args[@]}" 2>&1 >/dev/null | sed -n '/after the passes/,$p'
}
expect() {  # FUNCTION-INDEX EXPORT yes|no PATTERN
  local got
  got=$(ir "$1" "$2" | grep -c -- "$4")
  if [ "$3" = yes ] && [ "$got" -eq 0 ]; then echo "FAIL $2: no $4 in its tier-2 IR"; fail=1; fi
  if [ "$3" = no ] && [ "$got" -ne 0 ]; then echo "FAIL $2: $4 in its tier-2 IR"; fail=1; fi
}
# Function indices: fill 0, sum 1, axpy 2, sub_div 3, splat 4, forward 5, axpy_last 6.
expect 2 axpy yes 'f64x2.mul'
expect 2 axpy yes 'v128.store'
expect 3 sub_div yes 'f64x2.div'
expect 3 sub_div yes 'f64x2.sub'
expect 4 splat yes 'f64x2.splat'
expect 5 forward no 'f64x2'
expect 6 axpy_last yes 'f64x2.add'
# The scalar copy stays for when the checks fail.
n=$(ir 2 axpy | grep -c 'f64.mul')
[ "$n" -eq 2 ] || { echo "FAIL axpy: $n scalar f64.mul, want the scalar loop's 2"; fail=1; }
n=$(ir 2 axpy env KEEL_TIER2_PASSES=-loop-vectorization | grep -c 'f64x2')
[ "$n" -eq 0 ] || { echo "FAIL axpy: f64x2 with the pass switched off"; fail=1; }
[ $fail -eq 0 ] && echo "loop_vectorization_test: all checks passed"
exit $fail

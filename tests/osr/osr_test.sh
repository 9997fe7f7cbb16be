#!/usr/bin/env bash
# On-stack replacement against tier 1: every export of osr.wat, at several sizes, run by tier 1
# alone and by tiered keel with OSR (forced at the first loop header with budget 0, and at
# budgets that run out partway, in the inner or the outer loop; synchronous, and once on the
# background threads). Results, traps with their backtraces and exit statuses must be the same,
# and with budget 0 every loop export must really have entered an OSR entry.
# Usage: osr_test.sh KEEL (exit 77 when wabt's wat2wasm is missing)
set -u
keel=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v wat2wasm >/dev/null || { echo "osr_test: wat2wasm not found (apt install wabt)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
wat2wasm --debug-names "$here/osr.wat" -o "$dir/osr.wasm" || exit 1
fail=0 runs=0
run() {  # OUT-FILE FLAGS... -- EXPORT N
  local out=$1
  shift
  "$keel" run "$@" >"$out" 2>&1
  echo "status $?" >>"$out"
}
for name in scalars vector refs params nested in_block below fill; do
  for n in 1 10 3000 6000; do
    run "$dir/want" -C tier=baseline --invoke "$name" "$dir/osr.wasm" "$n"
    for flags in tier-up-budget=0,tier-up-sync=y tier-up-budget=50,tier-up-sync=y \
                 tier-up-budget=300,tier-up-sync=y tier-up-budget=2000,tier-up-sync=y \
                 tier-up-budget=0,tier-up-sync=n; do
      run "$dir/got" -C "cache=n,tier=tiered,$flags" --invoke "$name" "$dir/osr.wasm" "$n"
      runs=$((runs + 1))
      if ! cmp -s "$dir/want" "$dir/got"; then
        echo "FAIL $name $n ($flags): tier 1 gave"
        cat "$dir/want"
        echo "  tiered gave"
        cat "$dir/got"
        fail=1
      fi
    done
  done
  # Forced: the first pass through a loop header in tier 1 moves the frame to tier 2.
  log=$(KEEL_LOG=tierup=debug "$keel" run -C cache=n,tier=tiered,tier-up-budget=0,tier-up-sync=y \
        --invoke "$name" "$dir/osr.wasm" 100 2>&1 >/dev/null)
  entered=$(echo "$log" | sed -n 's/.*OSR entries compiled, [0-9]* failed, \([0-9]*\) entered.*/\1/p')
  if [ -z "$entered" ] || [ "$entered" = 0 ]; then
    echo "FAIL $name: no OSR entry entered with budget 0: $log"
    fail=1
  fi
done
[ "$fail" = 0 ] && echo "osr_test: $runs runs agree with tier 1"
exit "$fail"

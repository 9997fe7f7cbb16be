#!/usr/bin/env bash
# Tiering through `keel run -C tier=tiered`: a hot function and the loop that calls it reach tier
# 2 (KEEL_LOG=tierup=debug says so, --profile=perfmap names the tier-2 code), the program's result
# does not change, and a program that ends (normally or by a trap) while thousands of tier-2
# compiles are still queued or running exits at once with its own status and nothing else.
# The code cache is off (-C cache=n): a warm one would start $hot in tier 2.
# Usage: tier_up_test.sh KEEL (exit 77 when wabt's wat2wasm is missing)
set -u
keel=$1
command -v wat2wasm >/dev/null || { echo "tier_up_test: wat2wasm not found (apt install wabt)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
check() {  # NAME CONDITION-STATUS MESSAGE
  [ "$2" = 0 ] || { echo "FAIL $1: $3"; fail=1; }
}

# hot(1000) 20000 times; _start traps if the sum is wrong (20000 * 500500 mod 2^32).
cat >"$dir/hot.wat" <<'EOF'
(module
  (func $hot (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (local.get $n)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
  (func $main (export "_start") (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $hot (i32.const 1000))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                          (i32.const 20000))))
    (if (i32.ne (local.get $s) (i32.const 1420065408)) (then unreachable))))
EOF
wat2wasm --debug-names "$dir/hot.wat" -o "$dir/hot.wasm" || exit 1

for mode in y n; do
  out=$(KEEL_LOG=tierup=debug "$keel" run -C cache=n,tier=tiered,tier-up-sync=$mode "$dir/hot.wasm" 2>&1)
  check "hot/sync=$mode" $? "status $?: $out"
  case "$out" in
    *'$hot ('*'bytes): tier 2 after'*) ;;
    *) check "hot/sync=$mode/log" 1 "no tier-up of \$hot in: $out" ;;
  esac
done
# Synchronous: $hot is in tier 2 by the end, deterministically; $main (20000 iterations of a
# 30-byte loop) stays within the default budget.
out=$(KEEL_LOG=tierup=debug "$keel" run -C cache=n,tier=tiered,tier-up-sync=y "$dir/hot.wasm" 2>&1)
case "$out" in
  *'1 queued for tier 2, 1 compiled, 0 failed'*) ;;
  *) check "hot/summary" 1 "unexpected summary in: $out" ;;
esac
# Without KEEL_LOG nothing is printed.
out=$("$keel" run -C cache=n,tier=tiered,tier-up-sync=y "$dir/hot.wasm" 2>&1)
check "hot/quiet" $? "status: $out"
[ -z "$out" ] || check "hot/quiet" 1 "printed: $out"
# perf map: the tier-1 and the tier-2 code of $hot, told apart.
"$keel" run --profile=perfmap -C cache=n,tier=tiered,tier-up-sync=y "$dir/hot.wasm" &
pid=$!
wait $pid
check "perfmap" $? "keel failed"
map=/tmp/perf-$pid.map
grep -q 'wasm::\$hot \[tier1\]' "$map" && grep -q 'wasm::\$hot \[tier2\]' "$map"
check "perfmap" $? "no tier-1 and tier-2 entries for \$hot in $map: $(cat "$map" 2>/dev/null)"
rm -f "$map"

# 2000 functions, each with a body worth compiling, all hot at their first call; one background
# thread, so most are still queued (one compiling) when _start ends or traps.
{
  echo '(module'
  for i in $(seq 0 1999); do
    printf '  (func $f%d (param $x i32) (result i32)\n' "$i"
    body='(local.get $x)'
    for k in $(seq 1 40); do body="(i32.xor (i32.mul $body (i32.const $((k * 7 + i)))) (i32.const $k))"; done
    printf '    %s)\n' "$body"
  done
  echo '  (func (export "_start") (local $s i32)'
  for i in $(seq 0 1999); do printf '    (local.set $s (i32.add (local.get $s) (call $f%d (local.get $s))))\n' "$i"; done
  echo '  )'
  echo '  (func (export "trap") (local $s i32)'
  for i in $(seq 0 1999); do printf '    (local.set $s (i32.add (local.get $s) (call $f%d (local.get $s))))\n' "$i"; done
  echo '    unreachable))'
} >"$dir/many.wat"
wat2wasm --debug-names "$dir/many.wat" -o "$dir/many.wasm" || exit 1
for round in $(seq 1 10); do
  out=$("$keel" run -C cache=n,tier=tiered,tier-up-budget=0,tier2-threads=1 "$dir/many.wasm" 2>&1)
  status=$?
  [ "$status" = 0 ] && [ -z "$out" ]
  check "exit/$round" $? "status $status, output: $out"
  out=$("$keel" run -C cache=n,tier=tiered,tier-up-budget=0,tier2-threads=1 --invoke trap "$dir/many.wasm" 2>&1)
  status=$?
  [ "$status" = 134 ]
  check "trap/$round" $? "status $status, output: $out"
  case "$out" in
    *'wasm trap: unreachable'*'wasm backtrace:'*) ;;
    *) check "trap/$round/message" 1 "output: $out" ;;
  esac
done

[ "$fail" = 0 ] && echo "tier_up_test: all passed"
exit "$fail"

#!/usr/bin/env bash
# The code cache and precompiled modules through the CLI: `keel run` fills the cache and a later
# run hits it (KEEL_LOG=debug says so) with the same results; -C cache=n, -C cache-dir; another CPU
# profile misses; a damaged entry is ignored and replaced; an unwritable directory is no error;
# four processes filling one cache at once all run and leave one good entry; `keel compile -o`
# writes the same bytes in two processes (position-independent code), `keel run` refuses it without
# --allow-precompiled, runs it with, and refuses a damaged one or one for a CPU with more features.
# Usage: code_cache_test.sh KEEL
set -u
keel=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
check() {  # NAME CONDITION-STATUS MESSAGE
  [ "$2" = 0 ] || { echo "FAIL $1: $3"; fail=1; }
}
entries() { find "$1" -name '*.keelcache' 2>/dev/null | wc -l; }

cat >"$dir/m.wat" <<'WAT'
(module
  (memory 1)
  (func $sum (export "sum") (param $n i32) (result i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (local.get $n)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))
  (func (export "oob") (result i32) (i32.load (i32.const 70000))))
WAT
"$keel" wat2wasm "$dir/m.wat" -o "$dir/m.wasm" || exit 1
export XDG_CACHE_HOME="$dir/xdg"
export KEEL_LOG=debug

out=$("$keel" run --invoke sum "$dir/m.wasm" 100 2>&1)
check "miss" $? "$out"
case "$out" in *'code cache: miss'*'5050'*'code cache: wrote'*) ;; *) check "miss/log" 1 "$out" ;; esac
check "miss/entry" "$([ "$(entries "$dir/xdg/keel")" = 1 ]; echo $?)" "no entry in $dir/xdg/keel"
out=$("$keel" run --invoke sum "$dir/m.wasm" 100 2>&1)
case "$out" in *'code cache: hit'*'5050'*) ;; *) check "hit" 1 "$out" ;; esac
case "$out" in *'code cache: wrote'*) check "hit/no-write" 1 "$out" ;; esac
# A trap in cached code has its backtrace (the source map and trap sites come from the file).
"$keel" run --invoke oob "$dir/m.wasm" >/dev/null 2>&1
out=$("$keel" run --invoke oob "$dir/m.wasm" 2>&1)
check "trap/status" "$([ $? = 134 ]; echo $?)" "$out"
case "$out" in *'code cache: hit'*'out of bounds memory access'*'0x'*) ;; *) check "trap" 1 "$out" ;; esac

out=$("$keel" run -C cache=n --invoke sum "$dir/m.wasm" 10 2>&1)
case "$out" in *'code cache'*) check "cache=n" 1 "$out" ;; esac
"$keel" run -C cache-dir="$dir/elsewhere" --invoke sum "$dir/m.wasm" 10 >/dev/null 2>&1
check "cache-dir" "$([ "$(entries "$dir/elsewhere")" = 1 ]; echo $?)" "no entry in $dir/elsewhere"
out=$(KEEL_CPU_FEATURES=baseline "$keel" run --invoke sum "$dir/m.wasm" 10 2>&1)
case "$out" in *'code cache: miss'*'55'*) ;; *) check "cpu-features" 1 "$out" ;; esac
out=$("$keel" run -C cache=maybe --invoke sum "$dir/m.wasm" 10 2>&1)
check "cache=maybe" "$([ $? = 2 ]; echo $?)" "$out"

# Damage: every byte of the entry's second half flipped, then half of it cut off.
entry=$("$keel" run --invoke sum "$dir/m.wasm" 1 2>&1 | sed -n 's/.*code cache: hit \(.*\) (.*/\1/p')
[ -f "$entry" ] || { echo "FAIL: no entry hit"; exit 1; }
size=$(stat -c %s "$entry")
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); h=len(b)//2
b[h:]=bytes(x^0xff for x in b[h:]); open(p,'wb').write(b)" "$entry"
out=$("$keel" run --invoke sum "$dir/m.wasm" 100 2>&1)
case "$out" in *'code cache: ignoring'*'checksum'*'5050'*'code cache: wrote'*) ;; *) check "corrupt" 1 "$out" ;; esac
out=$("$keel" run --invoke sum "$dir/m.wasm" 100 2>&1)
case "$out" in *'code cache: hit'*'5050'*) ;; *) check "corrupt/replaced" 1 "$out" ;; esac
truncate -s $((size / 2)) "$entry"
out=$("$keel" run --invoke sum "$dir/m.wasm" 100 2>&1)
case "$out" in *'code cache: ignoring'*'truncated'*'5050'*) ;; *) check "truncated" 1 "$out" ;; esac

# Unwritable (beneath a regular file: even root cannot make it a directory).
touch "$dir/file"
out=$("$keel" run -C cache-dir="$dir/file/cache" --invoke sum "$dir/m.wasm" 100 2>&1)
check "unwritable" $? "$out"
case "$out" in *'code cache: not written'*'5050'*|*'5050'*'code cache: not written'*) ;; *) check "unwritable/log" 1 "$out" ;; esac

# Four processes filling one cache at once.
unset KEEL_LOG
for i in 1 2 3 4; do
  "$keel" run -C cache-dir="$dir/shared" --invoke sum "$dir/m.wasm" 1000 >"$dir/out$i" 2>&1 &
done
wait
for i in 1 2 3 4; do
  check "concurrent/$i" "$([ "$(cat "$dir/out$i")" = 500500 ]; echo $?)" "$(cat "$dir/out$i")"
done
check "concurrent/entries" "$([ "$(entries "$dir/shared")" = 1 ]; echo $?)" "$(ls -a "$dir/shared")"
check "concurrent/temp" "$([ -z "$(find "$dir/shared" -name '.tmp-*')" ]; echo $?)" "temporary files left"
out=$(KEEL_LOG=debug "$keel" run -C cache-dir="$dir/shared" --invoke sum "$dir/m.wasm" 1000 2>&1)
case "$out" in *'code cache: hit'*'500500'*) ;; *) check "concurrent/hit" 1 "$out" ;; esac

# Precompiled modules.
out=$("$keel" compile -o "$dir/a.cwasm" "$dir/m.wasm" 2>&1) && "$keel" compile -o "$dir/b.cwasm" "$dir/m.wasm"
check "compile" $? "keel compile -o failed: $out"
check "compile/quiet" "$([ -z "$out" ]; echo $?)" "printed without a terminal: $out"
# On a terminal (script(1) makes one) it shows its progress.
if command -v script >/dev/null; then
  out=$(script -qec "$keel compile -o $dir/tty.cwasm $dir/m.wasm" /dev/null 2>&1)
  case "$out" in *'compiled 2 of 2 functions'*) ;; *) check "compile/progress" 1 "$out" ;; esac
fi
cmp -s "$dir/a.cwasm" "$dir/b.cwasm"
check "compile/position-independent" $? "two processes compiled different bytes"
# To a path that is not a regular file (a pipe here, /dev/null in use): written through, not
# replaced by a file.
mkfifo "$dir/pipe"
cat "$dir/pipe" >"$dir/through-pipe" &
reader=$!
"$keel" compile -o "$dir/pipe" "$dir/m.wasm"
check "compile/pipe" $? "keel compile -o PIPE failed"
wait "$reader"
check "compile/pipe/kept" "$([ -p "$dir/pipe" ]; echo $?)" "the pipe was replaced: $(ls -l "$dir/pipe")"
cmp -s "$dir/a.cwasm" "$dir/through-pipe"
check "compile/pipe/bytes" $? "the pipe did not get the precompiled module"
out=$("$keel" run --invoke sum "$dir/a.cwasm" 100 2>&1)
check "precompiled/refused" "$([ $? = 1 ]; echo $?)" "$out"
case "$out" in *'precompiled module'*'--allow-precompiled'*) ;; *) check "precompiled/refused/msg" 1 "$out" ;; esac
out=$("$keel" run --allow-precompiled --invoke sum "$dir/a.cwasm" 100 2>&1)
check "precompiled/run" "$([ "$out" = 5050 ]; echo $?)" "$out"
out=$("$keel" run --allow-precompiled --invoke oob "$dir/a.cwasm" 2>&1)
case "$out" in *'out of bounds memory access'*'0x'*) ;; *) check "precompiled/trap" 1 "$out" ;; esac
"$keel" compile --tier baseline -o "$dir/t1.cwasm" "$dir/m.wasm"
out=$("$keel" run --allow-precompiled --invoke sum "$dir/t1.cwasm" 100 2>&1)
check "precompiled/tier1" "$([ "$out" = 5050 ]; echo $?)" "$out"
size=$(stat -c %s "$dir/a.cwasm")
for cut in 4 100 $((size / 2)) $((size - 1)); do
  head -c "$cut" "$dir/a.cwasm" >"$dir/cut.cwasm"
  out=$("$keel" run --allow-precompiled --invoke sum "$dir/cut.cwasm" 100 2>&1)
  check "precompiled/truncated/$cut" "$([ $? = 1 ]; echo $?)" "$out"
done
cp "$dir/a.cwasm" "$dir/flip.cwasm"
printf '\xff' | dd of="$dir/flip.cwasm" bs=1 seek=$((size / 2)) conv=notrunc status=none
out=$("$keel" run --allow-precompiled --invoke sum "$dir/flip.cwasm" 100 2>&1)
check "precompiled/corrupt" "$([ $? = 1 ]; echo $?)" "$out"
case "$out" in *'corrupted'*) ;; *) check "precompiled/corrupt/msg" 1 "$out" ;; esac
# Compiled for this CPU, run as if on plain x86-64 (when this CPU has any extension at all).
out=$(KEEL_CPU_FEATURES=baseline "$keel" run --allow-precompiled --invoke sum "$dir/a.cwasm" 100 2>&1)
if [ "$out" != 5050 ]; then
  case "$out" in *'compiled for a CPU with'*'this one lacks'*) ;; *) check "precompiled/cpu" 1 "$out" ;; esac
fi
KEEL_CPU_FEATURES=baseline "$keel" compile -o "$dir/base.cwasm" "$dir/m.wasm"
out=$("$keel" run --allow-precompiled --invoke sum "$dir/base.cwasm" 100 2>&1)
check "precompiled/cpu-subset" "$([ "$out" = 5050 ]; echo $?)" "$out"

[ $fail = 0 ] && echo "code_cache_test: all passed"
exit $fail

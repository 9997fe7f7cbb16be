#!/usr/bin/env bash
# SIMD and the CPU profile: with KEEL_CPU_FEATURES=baseline (plain x86-64) a module using SIMD is
# refused at load time with a clear error, whether v128 shows in a signature or only in its code,
# while modules without SIMD still run; with the SSE4.1 profile (the SIMD fallbacks) and with the
# detected features, SIMD runs and --invoke prints v128 results.
# Usage: simd_cpu_profile_test.sh KEEL
set -u
keel=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
# (func (export "f") (param i32) (result v128)
#   local.get 0 i32x4.splat local.get 0 i32x4.splat i32x4.add)
printf '\0asm\1\0\0\0\1\6\1\x60\1\x7f\1\x7b\3\2\1\0\7\5\1\1f\0\0\n\x0f\1\x0d\0\x20\0\xfd\x11\x20\0\xfd\x11\xfd\xae\1\x0b' >"$dir/sig.wasm"
# (func (export "g") (result i32) i32.const 3 i8x16.splat v128.any_true): v128 only in the code
printf '\0asm\1\0\0\0\1\5\1\x60\0\1\x7f\3\2\1\0\7\5\1\1g\0\0\n\n\1\x08\0\x41\3\xfd\x0f\xfd\x53\x0b' >"$dir/code.wasm"
# (func (export "d") (param v128) (result v128) local.get 0 local.get 0 i32x4.add)
printf '\0asm\1\0\0\0\1\6\1\x60\1\x7b\1\x7b\3\2\1\0\7\5\1\1d\0\0\n\x0b\1\x09\0\x20\0\x20\0\xfd\xae\1\x0b' >"$dir/arg.wasm"
# (func (export "h") (result i32) i32.const 7)
printf '\0asm\1\0\0\0\1\5\1\x60\0\1\x7f\3\2\1\0\7\5\1\1h\0\0\n\6\1\4\0\x41\7\x0b' >"$dir/plain.wasm"

expect() {  # NAME WANT_STATUS WANT_TEXT ENV... -- ARGS...
  name=$1 want_status=$2 want=$3
  shift 3
  out=$(env "$@" 2>&1)
  status=$?
  case "$out" in
    *"$want"*) ;;
    *) echo "FAIL $name: output '$out' lacks '$want'"; fail=1 ;;
  esac
  [ "$status" = "$want_status" ] || { echo "FAIL $name: status $status, want $want_status"; fail=1; }
}

v128=792281625327110816715484692490  # lanes 10 10 10 10
for profile in baseline sse4.1 detected; do
  setting="KEEL_CPU_FEATURES=$profile"
  [ "$profile" = detected ] && setting="-u KEEL_CPU_FEATURES"
  if [ "$profile" = baseline ]; then
    expect "sig/$profile" 1 "SIMD needs a CPU with SSE4.1" KEEL_CPU_FEATURES=baseline "$keel" run --invoke f "$dir/sig.wasm" 5
    expect "code/$profile" 1 "SIMD needs a CPU with SSE4.1" KEEL_CPU_FEATURES=baseline "$keel" run --invoke g "$dir/code.wasm"
  else
    expect "sig/$profile" 0 "$v128" $setting "$keel" run --invoke f "$dir/sig.wasm" 5
    expect "code/$profile" 0 "1" $setting "$keel" run --invoke g "$dir/code.wasm"
    # lanes 2 1 0 0 doubled: 4 + 2 * 2^32
    expect "arg/$profile" 0 "8589934596" $setting "$keel" run --invoke d "$dir/arg.wasm" 0x100000002
  fi
  expect "plain/$profile" 0 "7" $setting "$keel" run --invoke h "$dir/plain.wasm"
done
[ $fail = 0 ] && echo "simd cpu profile: ok"
exit $fail

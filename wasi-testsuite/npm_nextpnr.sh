#!/usr/bin/env bash
# ctest test `wasi-npm-nextpnr`: nextpnr from npm (@yowasp/nextpnr-ice40, a WASI command) places
# and routes a small design for an iCE40 HX1K: nextpnr/counter.json, the netlist Yosys (from npm,
# run by keel) made of nextpnr/counter.v with `synth_ice40 -noabc9 -noabc -top counter; select
# -module counter; write_json -selected`. The chip database is granted at /share as the package's
# launcher mounts it. The bitstream text (.asc) must be byte for byte the one Node.js's WASI writes:
# its SHA-256, recorded from node, and node's own output when node is installed.
# Usage: npm_nextpnr.sh KEEL CACHE_DIR. Exits 77 (skipped) when npm cannot be reached.
set -uo pipefail
keel=${1:?usage: npm_nextpnr.sh KEEL CACHE_DIR}
cache=${2:?usage: npm_nextpnr.sh KEEL CACHE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
cache=$(mkdir -p "$cache" && cd "$cache" && pwd)
root=$cache/nextpnr-ice40-0.8.621
wasm=$root/nextpnr-ice40.core.wasm
if [ ! -f "$wasm" ] || [ ! -f "$root/share/ice40/chipdb-1k.bin" ]; then
  command -v npm >/dev/null || { echo "npm_nextpnr.sh: npm is not installed: skipped"; exit 77; }
  pack=$(mktemp -d "$cache/pack.XXXXXX")
  (cd "$pack" && NPM_CONFIG_UPDATE_NOTIFIER=false timeout 900 npm pack @yowasp/nextpnr-ice40@0.8.621 \
    --loglevel=error >/dev/null 2>npm.err) ||
    { cat "$pack/npm.err"; rm -rf "$pack"; echo "npm unreachable: skipped"; exit 77; }
  tar -xzf "$pack"/*.tgz -C "$pack" package/gen/nextpnr-ice40.core.wasm \
    package/gen/share/ice40/chipdb-1k.bin || { rm -rf "$pack"; exit 1; }
  mkdir -p "$root/share/ice40"
  mv "$pack/package/gen/nextpnr-ice40.core.wasm" "$wasm"
  mv "$pack/package/gen/share/ice40/chipdb-1k.bin" "$root/share/ice40/"
  rm -rf "$pack"
fi
# SHA-256 of the .asc node 20's WASI writes for nextpnr/counter.json.
want=6c2e021947c19c62dca12b3e95d7e597870aefe1e220c0afb54df1bae77a5114
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/keel" "$work/node"
cp "$here/nextpnr/counter.json" "$work/keel/"
cp "$here/nextpnr/counter.json" "$work/node/"
args=(--hx1k --package tq144 --json /design/counter.json --asc /design/counter.asc -q)
fail=0
check() {  # NAME GOT WANT
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL $1: got '$2', want '$3'"; fail=1; fi
}

"$keel" run --dir "$root/share::/share" --dir "$work/keel::/design" "$wasm" "${args[@]}"
check "nextpnr exits 0" $? 0
got=$(sha256sum "$work/keel/counter.asc" 2>/dev/null | cut -d' ' -f1)
check "the bitstream is node's (recorded checksum)" "$got" "$want"
if command -v node >/dev/null; then
  cat >"$work/run.mjs" <<'JS'
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";
const [wasm, share, design, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["nextpnr-ice40", ...args], env: {},
                        preopens: { "/share": share, "/design": design } });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(wasm)),
                                               wasi.getImportObject());
process.exitCode = wasi.start(instance);
JS
  node --no-warnings --no-incremental-marking --no-turbo-fast-api-calls "$work/run.mjs" "$wasm" \
    "$root/share" "$work/node" "${args[@]}"
  check "the bitstream is node's (written now)" "$got" \
    "$(sha256sum "$work/node/counter.asc" | cut -d' ' -f1)"
else
  echo "note: node is not installed; compared with the recorded checksum only"
fi
exit $fail

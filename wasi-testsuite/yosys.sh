#!/usr/bin/env bash
# ctest test `wasi-yosys`: keel runs Yosys (npm's @yowasp/yosys, a 30 MB WASI command) with its
# share/ tree granted at /share, a writable /tmp, and a design directory: `-V`, then
# `read_verilog; synth -noabc; stat; write_verilog` on a small counter of keel's own.
# Usage: yosys.sh KEEL CACHE_DIR [RUN_FLAG...], the flags going to every `keel run` (for
# example -C tier=optimizing). Exits 77 (skipped) when npm cannot be reached.
set -euo pipefail
keel=${1:?usage: yosys.sh KEEL CACHE_DIR}
cache=${2:?usage: yosys.sh KEEL CACHE_DIR}
shift 2
run_flags=("$@")
here=$(cd "$(dirname "$0")" && pwd)
cache=$(mkdir -p "$cache" && cd "$cache" && pwd)
wasm=$(bash "$here/../bench/fetch-yosys.sh" "$cache") || exit $?

# The data files ship inside resources-yosys.js as an exported `filesystem` tree; npm's cache
# makes this second `npm pack` of the package fetched above cheap.
share=$cache/yosys-share
# The largest files are no strings in it but URLs of files beside it (gen/share/...): copied too.
# An older cache made those into empty directories; it is made again.
if [ ! -d "$share/share" ] || [ ! -f "$share/share/ice40/cells_sim.v" ]; then
  command -v node >/dev/null || { echo "yosys.sh: node is not installed" >&2; exit 1; }
  pack=$(mktemp -d "$cache/pack.XXXXXX")
  trap 'rm -rf "$pack"' EXIT
  (cd "$pack" && NPM_CONFIG_UPDATE_NOTIFIER=false npm pack @yowasp/yosys@0.55.944 \
    --loglevel=error >/dev/null 2>npm.err) || { cat "$pack/npm.err" >&2; exit 77; }
  tar -xzf "$pack"/*.tgz -C "$pack" package/gen/resources-yosys.js package/gen/share
  cp "$pack/package/gen/resources-yosys.js" "$pack/resources.mjs"
  cp -r "$pack/package/gen/share" "$pack/share"  # where the URLs point, beside resources.mjs
  rm -rf "$share.partial" && mkdir -p "$share.partial"
  node --input-type=module -e '
    import fs from "node:fs";
    import path from "node:path";
    import { pathToFileURL } from "node:url";
    const { filesystem } = await import(pathToFileURL(path.resolve(process.argv[1])).href);
    const write = (dir, tree) => {
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, value] of Object.entries(tree)) {
        const where = path.join(dir, name);
        if (typeof value === "string" || value instanceof Uint8Array) fs.writeFileSync(where, value);
        else if (value instanceof URL) fs.copyFileSync(value, where);
        else write(where, value);
      }
    };
    write(process.argv[2], filesystem);
  ' "$pack/resources.mjs" "$share.partial"
  rm -rf "$share" && mv "$share.partial" "$share"
  rm -rf "$pack"  # the EXIT trap below replaces this one
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tmp" "$work/design"
cat >"$work/design/counter.v" <<'VERILOG'
// A 4-bit counter with enable and synchronous reset, and a wrap flag.
module counter(input clk, input rst, input en, output reg [3:0] q, output wrap);
  always @(posedge clk)
    if (rst) q <= 4'd0;
    else if (en) q <= q + 4'd1;
  assign wrap = en && q == 4'hf;
endmodule
VERILOG
grant=(--dir "$share/share::/share" --dir "$work/tmp::/tmp" --dir "$work/design::/design")

fail() { echo "yosys.sh: $*" >&2; exit 1; }
version=$("$keel" run "${run_flags[@]}" "${grant[@]}" "$wasm" -V) || fail "yosys -V exited $?"
echo "$version"
[[ $version == "Yosys 0.55"* ]] || fail "unexpected version: $version"

log=$work/log.txt
"$keel" run "${run_flags[@]}" "${grant[@]}" "$wasm" -p \
  'read_verilog /design/counter.v; synth -noabc -top counter; stat; write_verilog -noattr /design/out.v' \
  >"$log" 2>&1 || { tail -n 40 "$log" >&2; fail "synthesis exited $?"; }
grep -q '=== counter ===' "$log" || fail "no statistics for counter"
cells=$(grep -E '^ +Number of cells: +[0-9]+' "$log" | tail -n 1 | awk '{print $4}')
[ -n "$cells" ] && [ "$cells" -gt 4 ] || fail "expected more than 4 cells, got '${cells:-none}'"
grep -qE '\$_S?DFFE?_' "$log" || fail "no flip-flops in the netlist"
grep -q 'module counter' "$work/design/out.v" || fail "write_verilog did not write /design/out.v"
echo "yosys: synthesised counter into $cells cells, netlist written through the granted directory"

#!/usr/bin/env bash
# Times `keel validate` on Yosys (30 MB of WASI code) with hyperfine and prints the median.
# Usage: validate-speed.sh [WASM [KEEL]]; defaults to the module fetched into build/bench/yosys and
# build/cli/keel.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasm=${1:-}
keel=${2:-$root/build/cli/keel}
if [ -z "$wasm" ]; then
  wasm=$(bash "$root/bench/fetch-yosys.sh" "$root/build/bench/yosys")
fi
[ -x "$keel" ] || { echo "validate-speed: $keel not built (cmake --build build)" >&2; exit 1; }

json=$(mktemp)
trap 'rm -f "$json"' EXIT
hyperfine -N --warmup 3 --export-json "$json" "$(printf '%q validate %q' "$keel" "$wasm")"
python3 - "$json" "$wasm" <<'PY'
import json, os, sys
result = json.load(open(sys.argv[1]))["results"][0]
size_mb = os.path.getsize(sys.argv[2]) / 1e6
median_ms = result["median"] * 1e3
print(f"keel validate {os.path.basename(sys.argv[2])} ({size_mb:.1f} MB): median {median_ms:.1f} ms "
      f"over {len(result['times'])} runs ({size_mb / result['median']:.0f} MB/s)")
PY

#!/usr/bin/env bash
# Start-up cost of `keel run` on a trivial WASI command: hyperfine (no shell, -N; 5 warm-up runs)
# of `keel run hello.wasm` against a native build of the same C source (examples/hello.c), then
# both medians and whether keel's meets the 1.5 ms goal. Measures only; changes nothing.
#
#   bench/startup.sh [KEEL [HELLO_WASM [RUNS]]]
#
# Defaults: build/cli/keel, build/examples/hello.wasm (built here with clang-19 if absent), 200
# runs. Exits 77 without hyperfine, clang-19 or python3 (which reads hyperfine's JSON).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
keel=${1:-$root/build/cli/keel}
hello_wasm=${2:-$root/build/examples/hello.wasm}
runs=${3:-200}
source=$root/examples/hello.c

for tool in hyperfine clang-19 python3; do
  command -v "$tool" >/dev/null || { echo "startup.sh: needs $tool" >&2; exit 77; }
done
[[ -x $keel ]] || { echo "startup.sh: no keel at $keel (build the keel target)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ ! -f $hello_wasm ]]; then
  # The examples target builds it; compile it the same way rather than fail when only keel is built.
  hello_wasm=$tmp/hello.wasm
  clang-19 --target=wasm32-wasi -O2 "$source" -o "$hello_wasm"
fi
# Same compiler, same flags but the target: the native row is the floor any runner pays.
clang-19 -O2 "$source" -o "$tmp/hello-native"

echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$tmp/result.json" \
  -n native "$tmp/hello-native" \
  -n keel "$keel run $hello_wasm"

python3 - "$tmp/result.json" <<'PY'
import json, sys
results = {r['command']: r for r in json.load(open(sys.argv[1]))['results']}
native, keel = results['native']['median'] * 1e3, results['keel']['median'] * 1e3
print(f'median: native {native:.3f} ms, keel {keel:.3f} ms ({keel / native:.1f}x native, '
      f'keel - native {keel - native:.3f} ms)')
print(f'goal keel < 1.5 ms: {"met" if keel < 1.5 else "NOT met"}')
PY

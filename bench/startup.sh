#!/usr/bin/env bash
# Start-up cost of keel on issue 16's goals: hyperfine (no shell, -N; 5 warm-up runs) of a native
# build of examples/hello.c (the floor any runner pays), `keel run hello.wasm` with a warm code
# cache and with `-C cache=n`, and `keel --version`; with YOSYS_WASM also `yosys -V` with a warm
# cache, without one, and precompiled (`keel compile`, `--allow-precompiled`). Prints each median,
# its goal and the peak RSS of one run. Measures only; the code cache it warms is a temporary one.
#
#   bench/startup.sh [KEEL [HELLO_WASM [RUNS [YOSYS_WASM]]]]
#
# Defaults: build/cli/keel, build/examples/hello.wasm (built here with clang-19 if absent), 200
# runs, no Yosys (bench/fetch-yosys.sh fetches it). Exits 77 without hyperfine, clang-19 or python3.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
keel=${1:-$root/build/cli/keel}
hello_wasm=${2:-$root/build/examples/hello.wasm}
runs=${3:-200}
yosys=${4:-}
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

cache="-C cache-dir=$tmp/cache"
# name|goal in ms|command
rows=(
  "native||$tmp/hello-native"
  "hello, warm cache|1.0|$keel run $cache $hello_wasm"
  "hello, -C cache=n|1.5|$keel run -C cache=n $hello_wasm"
  "keel --version|0.8|$keel --version"
)
if [[ -n $yosys ]]; then
  "$keel" compile -o "$tmp/yosys.cwasm" "$yosys"
  rows+=(
    "yosys -V, warm cache|15|$keel run $cache $yosys -V"
    "yosys -V, -C cache=n|60|$keel run -C cache=n $yosys -V"
    "yosys -V, precompiled|15|$keel run --allow-precompiled $tmp/yosys.cwasm -V"
  )
fi
args=()
for row in "${rows[@]}"; do
  IFS='|' read -r name goal command <<<"$row"
  args+=(-n "$name" "$command")
done

echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$tmp/result.json" "${args[@]}" >/dev/null

python3 - "$tmp/result.json" "${rows[@]}" <<'PY'
import json, os, shlex, subprocess, sys
results = {r['command']: r for r in json.load(open(sys.argv[1]))['results']}
print(f'{"run":24} {"median":>9} {"goal":>7} {"":7} {"peak RSS":>9}')
for row in sys.argv[2:]:
    name, goal, command = row.split('|', 2)
    median = results[name]['median'] * 1e3
    # Peak RSS of one more run, by GNU time: a child forked from this Python would count
    # Python's own pages (the maximum covers the process from fork to exit).
    rss = 'n/a'
    if os.path.exists('/usr/bin/time'):
        run = subprocess.run(['/usr/bin/time', '-f', '%M', *shlex.split(command)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        rss = f'{int(run.stderr.split()[-1]) / 1024:.1f} MB'
    verdict = '' if not goal else ('met' if median <= float(goal) else 'NOT met')
    goal_text = f'{goal} ms' if goal else ''
    print(f'{name:24} {median:6.3f} ms {goal_text:>7} {verdict:7} {rss:>9}')
PY

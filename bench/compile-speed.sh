#!/usr/bin/env bash
# Measures tier-1 compile speed: `keel compile` (eager: every function, nothing run) on Yosys, a
# 30 MB real-world WASI command, once with one thread (the per-core figure; the goal is at least
# 80 MB/s of code section) and once with keel's default thread count. Prints the median over RUNS
# runs of keel's own figure (code-section MB per second of compile time) and, beside it, the
# whole-process figure (code-section MB over wall-clock seconds, so including reading, decoding and
# validating), which is what a user waits for.
# Usage: compile-speed.sh [WASM [KEEL [RUNS]]]. WASM defaults to the module fetched by
# fetch-yosys.sh into build/bench/yosys (or a copy at /tmp/yosys/package/gen/yosys.core.wasm);
# KEEL to build/cli/keel; RUNS to 5.
# Exit status: 0 measured; 77 no Yosys available offline; 1 keel failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
wasm=${1:-}
keel=${2:-$root/build/cli/keel}
runs=${3:-5}
if [ -z "$wasm" ]; then
  if [ -s "$root/build/bench/yosys/yosys.core.wasm" ]; then
    wasm=$root/build/bench/yosys/yosys.core.wasm
  elif [ -s /tmp/yosys/package/gen/yosys.core.wasm ]; then
    wasm=/tmp/yosys/package/gen/yosys.core.wasm
  else
    wasm=$(bash "$root/bench/fetch-yosys.sh" "$root/build/bench/yosys") || exit $?
  fi
fi
[ -x "$keel" ] || { echo "compile-speed: $keel not built (cmake --build build)" >&2; exit 1; }

python3 - "$keel" "$wasm" "$runs" <<'PY'
import os, re, statistics, subprocess, sys, time

keel, wasm, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

def code_section_bytes(path):
    """The size of the code section (id 10): the figure both MB/s numbers divide."""
    data = open(path, 'rb').read()
    pos = 8
    while pos < len(data):
        section_id, pos = data[pos], pos + 1
        size = shift = 0
        while True:
            byte, pos = data[pos], pos + 1
            size |= (byte & 0x7f) << shift
            shift += 7
            if byte < 0x80:
                break
        if section_id == 10:
            return size
        pos += size
    sys.exit(f'compile-speed: {path} has no code section')

code_mb = code_section_bytes(wasm) / 1e6
print(f'# {os.path.basename(wasm)}: {code_mb:.1f} MB of code section; median of {runs} runs')

def measure(extra):
    argv = [keel, 'compile', *extra, wasm]
    own, wall = [], []
    # One untimed run first, so every timed run finds the file in the page cache.
    for i in range(runs + 1):
        start = time.perf_counter()
        result = subprocess.run(argv, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            sys.exit(f'compile-speed: {" ".join(argv)} failed (exit {result.returncode})')
        if i == 0:
            last = (result.stdout.strip().splitlines() or [''])[-1]
            print(f'# {" ".join(argv)}: {last}')
            continue
        wall.append(code_mb / seconds)
        # keel prints its own MB/s (compile time alone); take the last such number it prints.
        found = re.findall(r'([0-9]+(?:\.[0-9]+)?)\s*MB/s', result.stdout + result.stderr)
        if found:
            own.append(float(found[-1]))
    label = ' '.join(extra) or 'default threads'
    own_text = f'{statistics.median(own):7.1f} MB/s compile' if own else '   (keel printed no MB/s)'
    print(f'{label:<16} {own_text}   {statistics.median(wall):7.1f} MB/s whole process '
          f'({code_mb / statistics.median(wall) * 1e3:.0f} ms)')
    return statistics.median(own) if own else None

per_core = measure(['--threads', '1'])
measure([])
if per_core is not None:
    verdict = 'meets' if per_core >= 80 else 'misses'
    print(f'tier 1 per core: {per_core:.1f} MB/s, {verdict} the 80 MB/s goal')
PY

#!/usr/bin/env python3
"""Real WASI programs from npm that no one here wrote, timed side by side: keel with tier 1,
keel with tier 2 forced, and Node.js running the package's own JS bundle (its WASI shims, V8's
tiers). There is no native build of them, so the ratios are to tier 1 and to Node.js.

Workloads:
  yosys-synth  @yowasp/yosys: read_verilog and `synth -noabc` of a 32-bit multiply/divide/ALU
               datapath (bench/workloads/datapath.v), about 15,000 cells; every runner must
               report the same cell count.
  clang-O2     @yowasp/clang: clang -O2 -S of bench/programs/interp.c to wasm32 assembly; every
               runner must print the same function bodies.

Runs are interleaved (runner by runner within each round) and the median wall time of --runs
rounds is reported with the median peak RSS. The packages are fetched with npm into
build/bench-data (the wasi-yosys ctest's cache); Yosys's share/ tree comes from
wasi-testsuite/yosys.sh, which this script runs once if it is missing.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import run as harness  # noqa: E402  (bench/run.py: run_process, describe_machine)

YOSYS = '@yowasp/yosys@0.55.944'
CLANG = '@yowasp/clang@22.0.0-git20542-10'
SYNTH = 'read_verilog {design}/datapath.v; synth -noabc -top datapath; stat'
CLANG_ARGS = ['-O2', '-ffreestanding', '-nostdinc', '--target=wasm32', '-S', '-o', '-']


def fail(message):
    print(f'workloads: {message}', file=sys.stderr)
    sys.exit(1)


def npm_package(cache, spec, directory):
    """Unpacks npm package `spec` into cache/directory once; returns its package/ path."""
    where = os.path.join(cache, directory)
    if os.path.isdir(os.path.join(where, 'package')):
        return os.path.join(where, 'package')
    os.makedirs(where, exist_ok=True)
    result = subprocess.run(['npm', 'pack', spec, '--loglevel=error'], cwd=where,
                            capture_output=True, text=True,
                            env={**os.environ, 'NPM_CONFIG_UPDATE_NOTIFIER': 'false'})
    if result.returncode != 0:
        fail(f'npm pack {spec} failed: {result.stderr.strip()}')
    tarball = result.stdout.strip().splitlines()[-1]
    subprocess.run(['tar', '-xzf', tarball], cwd=where, check=True)
    os.remove(os.path.join(where, tarball))
    return os.path.join(where, 'package')


def cell_count(output):
    counts = re.findall(r'Number of cells:\s+(\d+)', output)
    return counts[-1] if counts else None


def function_bodies(output):
    # The assembly minus the lines that name the input file, which the runners spell apart, and
    # the bundle's progress lines about loading its resources.
    lines = [l for l in output.splitlines()
             if '.file' not in l and 'interp.c' not in l and not l.startswith('yowasp-')]
    return '\n'.join(lines) if any('.functype' in l for l in lines) else None


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--keel', default=os.path.join(ROOT, 'build', 'cli', 'keel'))
    parser.add_argument('--node', default='node')
    parser.add_argument('--cache', default=os.path.join(ROOT, 'build', 'bench-data'))
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--only', help='comma-separated workload names')
    parser.add_argument('--timeout', type=float, default=600)
    args = parser.parse_args()
    cache = os.path.abspath(args.cache)

    yosys = npm_package(cache, YOSYS, 'yowasp-yosys')
    clang = npm_package(cache, CLANG, 'yowasp-clang')
    share = os.path.join(cache, 'yosys-share', 'share')
    if not os.path.isdir(share):
        subprocess.run(['bash', os.path.join(ROOT, 'wasi-testsuite', 'yosys.sh'), args.keel, cache],
                       check=True, stdout=subprocess.DEVNULL)
    designs = os.path.join(HERE, 'workloads')
    programs = os.path.join(HERE, 'programs')
    node_driver = os.path.join(HERE, 'harness', 'node_yowasp.mjs')

    def keel(tier_flags, wasm, grants, argv):
        grant_flags = [f for host, guest in grants for f in ('--dir', f'{host}::{guest}')]
        return [args.keel, 'run', *tier_flags, *grant_flags, wasm, *argv]

    # keel as it comes (tiered), and with one tier forced.
    tiers = {'keel': [], 'keel-t1': ['-C', 'tier=baseline'], 'keel-t2': ['-C', 'tier=optimizing']}
    yosys_wasm = os.path.join(yosys, 'gen', 'yosys.core.wasm')
    clang_wasm = os.path.join(clang, 'gen', 'llvm.core.wasm')
    workloads = {
        'yosys-synth': (cell_count, {
            **{r: keel(flags, yosys_wasm, [(share, '/share'), (designs, '/design')],
                       ['-p', SYNTH.format(design='/design')]) for r, flags in tiers.items()},
            'node': [args.node, node_driver, os.path.join(yosys, 'gen', 'bundle.js'), 'runYosys',
                     designs, '-p', SYNTH.format(design='in')],
        }),
        'clang-O2': (function_bodies, {
            **{r: keel(flags, clang_wasm, [(programs, '/in')],
                       ['clang', *CLANG_ARGS, '/in/interp.c']) for r, flags in tiers.items()},
            'node': [args.node, node_driver, os.path.join(clang, 'gen', 'bundle.js'),
                     'commands.clang', programs, *CLANG_ARGS, 'in/interp.c'],
        }),
    }
    if args.only:
        workloads = {k: v for k, v in workloads.items() if k in args.only.split(',')}

    runners = ['keel-t1', 'keel-t2', 'keel', 'node']
    times = {(w, r): [] for w in workloads for r in runners}
    rss = {(w, r): [] for w in workloads for r in runners}
    problems = {}
    for _ in range(args.runs):
        for name, (check, commands) in workloads.items():
            expected = None
            for r in runners:
                if (name, r) in problems:
                    continue
                start = time.perf_counter()
                try:
                    code, out, err, peak = harness.run_process(commands[r], args.timeout)
                except subprocess.TimeoutExpired:
                    problems[(name, r)] = 'timeout'
                    continue
                seconds = time.perf_counter() - start
                value = check(out) if code == 0 else None
                if value is None:
                    problems[(name, r)] = 'fail'
                    print(f'{r} {name}: exit {code}: {(err or out).strip()[-300:]}',
                          file=sys.stderr)
                    continue
                expected = expected or value
                if value != expected:
                    problems[(name, r)] = 'MISMATCH'
                    print(f'{r} {name}: output differs from the first runner\'s', file=sys.stderr)
                    continue
                times[(name, r)].append(seconds)
                rss[(name, r)].append(peak)

    print(f'# {harness.describe_machine()}')
    print(f'# median of {args.runs} interleaved runs, wall-clock seconds and peak RSS per process')
    print('# keel: keel run as it comes (tiered: tier 1, hot code to tier 2 in the background); '
          'keel-t1, keel-t2: -C tier=baseline, -C tier=optimizing (lazy: each function compiled '
          'at its first call, compile time included)')
    headers = ['workload', 'keel-t1 s', 'keel-t2 s', 'keel s', 'node s', 'keel/t1', 'keel/t2',
               'keel/node', *[f'{r} MB' for r in runners]]
    rows = []
    for name in workloads:
        med = {r: (statistics.median(times[(name, r)]) if times[(name, r)] else None)
               for r in runners}
        mb = {r: (statistics.median(rss[(name, r)]) / 1024 if rss[(name, r)] else None)
              for r in runners}
        cell = lambda r: problems.get((name, r)) or f'{med[r]:.2f}'
        ratio = lambda a, b: f'{med[a] / med[b]:.2f}x' if med[a] and med[b] else '-'
        rows.append([name, *[cell(r) for r in runners], ratio('keel', 'keel-t1'),
                     ratio('keel', 'keel-t2'), ratio('keel', 'node'),
                     *[f'{mb[r]:.0f}' if mb[r] else '-' for r in runners]])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    line = lambda cells: '  '.join(c.ljust(w) if i == 0 else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(headers))
    print(line(['-' * w for w in widths]))
    for row in rows:
        print(line(row))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

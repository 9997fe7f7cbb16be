#!/usr/bin/env python3
"""keel's benchmark harness: builds every program in bench/programs twice with clang-19 -O2 (native,
and a wasm32-wasi command with the same main and wasi-libc), runs native, keel and Node.js side by
side, checks that all three print the same checksum, and prints each runner's time as a ratio to
native with geometric means. `--mode=invoke` uses the older libc-free wasm builds that export
`run(n)` instead, `--io` times the I/O benchmark (bench/io/cat.c copying 100 MB stdin to stdout).
`--suite simd` runs the SIMD programs of bench/programs/simd instead, their wasm builds made with
-msimd128 (the natives with the same plain -O2, i.e. SSE2).

Every time is the wall-clock time of a whole process (or with --clock=cpu its user + system time,
all threads), median over the runs, the runs interleaved so that a slow spell of the machine hits
every runner alike. So keel's figure includes process start,
reading, validating and (lazily) compiling the module; Node's includes its start-up (~40 ms) and
its own compile. Each program is sized to take about a second natively, which keeps those fixed
costs small without hiding them; `--startup` measures them alone (N = 0).

Exit status: 0 all well; 1 a checksum differed or a runner failed (the table still prints, with
"fail"/"MISMATCH" in that cell); 2 bad usage or a build failure; 77 (--smoke only) clang-19,
wasm-ld or the runner under test is missing, for ctest to count as skipped.
"""
import argparse
import math
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import threading
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
PROGRAMS = os.path.join(BENCH_DIR, 'programs')
HARNESS = os.path.join(BENCH_DIR, 'harness')
SKIPPED = 77

# Both builds get the same flags but the target. -fno-math-errno because wasm32 has no errno: with
# it, native sqrt would carry an extra branch and libm call that the wasm build does not.
COMMON_FLAGS = ['-O2', '-fno-math-errno', '-Wall', '-Wextra']
WASI_FLAGS = ['--target=wasm32-wasi']
# --mode=invoke: no libc, no imports, `run` exported and called directly by every runner.
INVOKE_FLAGS = ['--target=wasm32-wasi', '-nostdlib', '-Wl,--no-entry', '-Wl,--export=run']
# Each suite: its folder of programs and the extra flags of its wasm builds. The SIMD programs'
# native builds keep the plain flags, so x86-64's baseline SSE2; their results land in a
# subfolder of the build folder named after the suite.
SUITES = {
    'scalar': (PROGRAMS, []),
    'simd': (os.path.join(PROGRAMS, 'simd'), ['-msimd128']),
}


def fail(message, status=2):
    print(f'run.py: {message}', file=sys.stderr)
    sys.exit(status)


def default_n(source):
    with open(source) as f:
        match = re.search(r'^#define BENCH_N (\d+)', f.read(), re.M)
    if not match:
        fail(f'{source} has no "#define BENCH_N <n>" line')
    return int(match.group(1))


def newer(target, sources):
    # This file holds the compiler flags: editing it rebuilds everything.
    sources = [*sources, os.path.abspath(__file__)]
    return not os.path.exists(target) or any(
        os.path.getmtime(s) > os.path.getmtime(target) for s in sources)


def compile_to(target, command, sources):
    """Runs `command` (with OUT in place of the output path) unless `target` is up to date. Writes
    to a temporary name then renames, so ctest's parallel smoke tests never see half a file."""
    if not newer(target, sources):
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix='.tmp-')
    os.close(fd)
    try:
        argv = [tmp if a == 'OUT' else a for a in command]
        result = subprocess.run(argv, capture_output=True, text=True)
        if result.returncode != 0:
            fail(f'build failed: {" ".join(argv)}\n{result.stderr}')
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_leb(data, pos):
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7f) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def import_count(wasm):
    """The number of imports, read from the module's import section (id 2)."""
    with open(wasm, 'rb') as f:
        data = f.read()
    pos = 8
    while pos < len(data):
        section_id = data[pos]
        size, pos = read_leb(data, pos + 1)
        if section_id == 2:
            return read_leb(data, pos)[0]
        pos += size
    return 0


def wasi_toolchain_missing(clang):
    """Whether clang cannot link a WASI command (wasi-libc or the wasm32 builtins absent)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, 'probe.c')
        with open(source, 'w') as f:
            f.write('#include <stdio.h>\nint main(void) { return puts("") < 0; }\n')
        return subprocess.run([clang, *WASI_FLAGS, source, '-o', os.path.join(tmp, 'probe.wasm')],
                              capture_output=True).returncode != 0


def build(name, build_dir, clang, mode='wasi', suite='scalar'):
    """Builds NAME natively and for wasm32 (a WASI command, or with mode 'invoke' a libc-free
    module exporting `run`); returns (native binary, wasm module)."""
    folder, wasm_flags = SUITES[suite]
    if suite != 'scalar':
        build_dir = os.path.join(build_dir, suite)
    source = os.path.join(folder, name + '.c')
    header = os.path.join(PROGRAMS, 'bench.h')
    driver = os.path.join(HARNESS, 'native_main.c')
    runtime = os.path.join(HARNESS, 'wasm_rt.c')
    native = os.path.join(build_dir, 'native', name)
    compile_to(native, [clang, *COMMON_FLAGS, source, driver, '-o', 'OUT'],
               [source, header, driver])
    if mode == 'wasi':
        # The native driver is plain C with stdio: the WASI build is the same two files, so both
        # run the same main and print the checksum with the same printf.
        wasm = os.path.join(build_dir, 'wasi', name + '.wasm')
        compile_to(wasm, [clang, *COMMON_FLAGS, *WASI_FLAGS, *wasm_flags, source, driver, '-o',
                          'OUT'], [source, header, driver])
        return native, wasm

    wasm = os.path.join(build_dir, 'wasm', name + '.wasm')
    # One runtime object per program: smoke tests building in parallel never share an output.
    runtime_obj = os.path.join(build_dir, 'wasm', name + '.rt.o')

    compile_to(runtime_obj, [clang, *COMMON_FLAGS, '--target=wasm32-wasi', '-fno-builtin', '-c',
                             runtime, '-o', 'OUT'], [runtime, header])
    compile_to(wasm, [clang, *COMMON_FLAGS, *INVOKE_FLAGS, *wasm_flags, source, runtime_obj, '-o',
                      'OUT'], [source, header, runtime_obj])
    # keel has no WASI yet and Node's driver passes no imports: an import would fail instantiation.
    if import_count(wasm) != 0:
        fail(f'{wasm} has imports; the programs must not call libc (see bench/programs/bench.h)')
    return native, wasm


SIMD_MNEMONIC = re.compile(r'\|\s*(v128\.|[if](8|16|32|64)x(2|4|8|16)\.)')


def simd_instruction_count(wasm):
    """How many SIMD instructions (v128.*, i8x16.* ... f64x2.*) `wasm-objdump -d` shows in the
    module's code, or None without wasm-objdump."""
    if not shutil.which('wasm-objdump'):
        return None
    text = subprocess.run(['wasm-objdump', '-d', wasm], capture_output=True, text=True).stdout
    return sum(1 for line in text.splitlines() if SIMD_MNEMONIC.search(line))


class Runner:
    def __init__(self, name, command):
        self.name = name
        self.command = command  # (native, wasm, n) -> argv


def build_cat(build_dir, clang):
    """Builds the I/O benchmark natively and as a WASI command; returns (native, wasm)."""
    source = os.path.join(BENCH_DIR, 'io', 'cat.c')
    native = os.path.join(build_dir, 'native', 'cat')
    wasm = os.path.join(build_dir, 'wasi', 'cat.wasm')
    compile_to(native, [clang, *COMMON_FLAGS, source, '-o', 'OUT'], [source])
    compile_to(wasm, [clang, *COMMON_FLAGS, *WASI_FLAGS, source, '-o', 'OUT'], [source])
    return native, wasm


def keel_invoke(args):
    return ['--invoke', 'run'] if args.mode == 'invoke' else []


def make_runners(args):
    # Node 20 can crash on exit after large-memory programs without --no-turbo-fast-api-calls.
    node_driver = os.path.join(HARNESS, 'node_run.mjs' if args.mode == 'invoke'
                               else 'node_wasi.mjs')
    runners = {
        'native': Runner('native', lambda native, wasm, *rest: [native, *map(str, rest)]),
        'node': Runner('node', lambda native, wasm, *rest:
                       [args.node, '--no-turbo-fast-api-calls', *args.node_flag, node_driver,
                        wasm, *map(str, rest)]),
    }
    # keel as it comes, and the same keel with a tier chosen.
    for name, tier in KEEL_RUNNERS.items():
        flags = ['-C', 'tier=' + tier] if tier else []
        runners[name] = Runner(name, lambda native, wasm, *rest, flags=flags:
                               [args.keel, 'run', *flags, *args.keel_flag, *keel_invoke(args),
                                wasm, *map(str, rest)])
    return [runners[r] for r in args.runners]


# Each keel runner's tier (-C tier=...); None: keel's default.
KEEL_RUNNERS = {'keel': None, 'keel-t1': 'baseline', 'keel-t2': 'optimizing',
                'keel-tiered': 'tiered'}


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# Peak resident set sizes (KiB) of the runs, by the argv they ran: run_once records each one.
peak_rss_kib = {}


GNU_TIME = shutil.which('time', path='/usr/bin:/bin')


def run_process(argv, timeout, stdin=None, capture_stdout=True):
    """subprocess.run that also returns the child's peak RSS: (returncode, stdout, stderr, peak
    KiB). A child's ru_maxrss counts the memory of the Python process it was forked from until it
    execs, so the program runs under GNU time (/usr/bin/time, a small C program), whose report of
    its own child is the program's alone; without GNU time the wait4 figure is used and has a floor
    of this script's size."""
    report = None
    if GNU_TIME:
        report = tempfile.NamedTemporaryFile(prefix='keel-bench-rss-', delete=False)
        report.close()
        argv = [GNU_TIME, '-f', '%M', '-o', report.name, *argv]
    try:
        code, out, err, peak = wait_process(argv, timeout, stdin, capture_stdout)
        if report:
            with open(report.name) as f:
                lines = [l for l in f.read().split('\n') if l.strip()]
            # GNU time notes a signal or exit status on a line before the figure.
            if lines and lines[-1].strip().isdigit():
                peak = int(lines[-1])
        return code, out, err, peak
    finally:
        if report:
            os.unlink(report.name)


def wait_process(argv, timeout, stdin, capture_stdout):
    """Runs argv; the child is reaped with wait4 so that its own rusage is known."""
    # Its own session, so that a timeout kills GNU time's child too.
    proc = subprocess.Popen(argv, stdin=stdin,
                            stdout=subprocess.PIPE if capture_stdout else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    out, err = [], []
    readers = [threading.Thread(target=lambda f, acc: acc.append(f.read()), args=(f, acc))
               for f, acc in ((proc.stdout, out), (proc.stderr, err)) if f is not None]
    for t in readers:
        t.start()
    # A blocking wait (no polling, which would add its period to every time), with a timer that
    # kills the session on timeout.
    timed_out = threading.Event()

    def kill():
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # it ended just now
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    if timed_out.is_set():
        for t in readers:
            t.join()
        raise subprocess.TimeoutExpired(argv, timeout)
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    return proc.returncode, ''.join(out), ''.join(err), usage.ru_maxrss


def run_once(argv, timeout, clock, stdin_path=None):
    """Returns (seconds, checksum) or (None, reason); with `stdin_path`, the process reads that
    file as stdin, its stdout goes to /dev/null and the second value is None. The runs are
    sequential, so the change in the reaped children's CPU time is this process's alone."""
    start_wall, start_cpu = time.perf_counter(), children_cpu_seconds()
    try:
        if stdin_path:
            with open(stdin_path, 'rb') as stdin:
                returncode, stdout, stderr, rss = run_process(argv, timeout, stdin,
                                                              capture_stdout=False)
        else:
            returncode, stdout, stderr, rss = run_process(argv, timeout)
    except subprocess.TimeoutExpired:
        return None, f'timed out after {timeout} s'
    except OSError as e:
        return None, str(e)
    if clock == 'cpu':
        seconds = children_cpu_seconds() - start_cpu
    else:
        seconds = time.perf_counter() - start_wall
    peak_rss_kib.setdefault(tuple(argv), []).append(rss)
    if returncode != 0:
        lines = (stderr.strip() or stdout.strip()).splitlines()
        return None, f'exit {returncode}: {" | ".join(lines[:3]) or "(no output)"}'
    if stdin_path:
        return seconds, None
    lines = [l for l in stdout.split('\n') if l.strip()]
    # The last whole-word integer on the last line, so an annotation such as "42 (i64)" is fine.
    numbers = re.findall(r'(?<![\w.])-?\d+(?![\w.])', lines[-1]) if lines else []
    if not numbers:
        return None, f'no integer result in output {stdout[-200:]!r}'
    # Signed or unsigned, the same 64 bits: compare modulo 2^64.
    return seconds, int(numbers[-1]) % (1 << 64)


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def describe_machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            match = re.search(r'^model name\s*:\s*(.*)$', f.read(), re.M)
        if match:
            cpu = match.group(1)
    except OSError:
        pass
    try:
        commit = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'],
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = '?'
    return f'{cpu}, {os.cpu_count()} CPUs; keel tree {commit or "?"}'


def io_benchmark(args):
    """--io: pipes a file of random bytes (made once) through bench/io/cat.c under each runner,
    after checking on a small file that every runner copies it exactly."""
    native, wasm = build_cat(args.build_dir, args.clang)
    runners = make_runners(args)
    data = os.path.join(args.build_dir, f'io-{args.io_mb}M.bin')
    if not os.path.exists(data) or os.path.getsize(data) != args.io_mb << 20:
        tmp = data + '.tmp'
        with open(tmp, 'wb') as f:
            subprocess.run(['head', '-c', f'{args.io_mb}M', '/dev/urandom'], stdout=f, check=True)
        os.replace(tmp, data)
    # Correctness first, on 1 MiB: a runner that loses or garbles bytes must not look fast.
    sample = os.path.join(args.build_dir, 'io-check.bin')
    with open(data, 'rb') as f, open(sample, 'wb') as out:
        out.write(f.read(1 << 20))
    with open(sample, 'rb') as f:
        expected = f.read()
    problem = {}
    for r in runners:
        with open(sample, 'rb') as stdin:
            result = subprocess.run(r.command(native, wasm), stdin=stdin, capture_output=True,
                                    timeout=args.timeout)
        if result.returncode != 0 or result.stdout != expected:
            problem[r.name] = 'MISMATCH' if result.returncode == 0 else 'fail'
            print(f'{r.name} cat: exit {result.returncode}, {len(result.stdout)} of '
                  f'{len(expected)} bytes, {"same" if result.stdout == expected else "differ"}; '
                  f'{result.stderr.decode(errors="replace").strip()[:200]}', file=sys.stderr)
    times = {r.name: [] for r in runners}
    if not args.smoke:
        for _ in range(args.runs):
            for r in runners:
                if r.name in problem:
                    continue
                seconds, reason = run_once(r.command(native, wasm), args.timeout, args.clock, data)
                if seconds is None:
                    problem[r.name] = 'fail'
                    print(f'{r.name} cat: {reason}', file=sys.stderr)
                else:
                    times[r.name].append(seconds)
    if args.smoke:
        print('cat (1 MiB): ' + ', '.join(f'{r.name} {problem.get(r.name, "ok")}'
                                          for r in runners))
        return 1 if problem else 0
    print(f'# {describe_machine()}')
    clock = 'wall-clock' if args.clock == 'wall' else 'CPU (user + system)'
    print(f'# cat: {args.io_mb} MiB from a file on stdin, stdout to /dev/null; median of '
          f'{args.runs} interleaved runs; {clock} seconds per process')
    base = None if 'native' in problem else statistics.median(times['native'])
    for r in runners:
        if r.name in problem:
            print(f'{r.name:8} {problem[r.name]}')
            continue
        seconds = statistics.median(times[r.name])
        ratio = f'  {seconds / base:.2f}x native' if base and r.name != 'native' else ''
        print(f'{r.name:8} {seconds:.3f} s  {args.io_mb / seconds:8.1f} MiB/s{ratio}')
    return 1 if problem else 0


def program_names(suite):
    return sorted(f[:-2] for f in os.listdir(SUITES[suite][0]) if f.endswith('.c'))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(f'{suite} programs: {" ".join(program_names(suite))}'
                         for suite in SUITES))
    parser.add_argument('--keel', default=os.path.join(ROOT, 'build', 'cli', 'keel'),
                        help='the keel binary (default: build/cli/keel)')
    parser.add_argument('--keel-flag', action='append', default=[], metavar='FLAG',
                        help='pass FLAG to `keel run` (repeatable), '
                             'e.g. --keel-flag=--compile=eager')
    parser.add_argument('--node', default='node', help='the Node.js binary')
    parser.add_argument('--node-flag', action='append', default=[], metavar='FLAG',
                        help='pass FLAG to node (repeatable), e.g. --node-flag=--no-liftoff')
    parser.add_argument('--clock', choices=('wall', 'cpu'), default='wall',
                        help='wall: elapsed time (default); cpu: user + system time of the '
                             'process and all its threads, steadier on a busy machine')
    parser.add_argument('--clang', default='clang-19')
    parser.add_argument('--build-dir', default=os.path.join(ROOT, 'build', 'bench', 'programs'))
    parser.add_argument('--runners', default='native,keel,node',
                        help='comma-separated subset of native,keel,keel-t1,keel-t2,keel-tiered,'
                             'node (native is always run; keel is its default, the others force '
                             'tier 1, tier 2 or tiering)')
    parser.add_argument('--suite', choices=tuple(SUITES), default='scalar',
                        help='scalar: bench/programs/*.c (default); simd: bench/programs/simd/*.c, '
                             'their wasm builds with -msimd128')
    parser.add_argument('--only', help='comma-separated programs to run (default: all)')
    parser.add_argument('--runs', type=int, default=5, help='runs per runner; the median is kept')
    parser.add_argument('--scale', type=float, default=1.0,
                        help="multiply each program's N (its ~1 s native size) by this")
    parser.add_argument('--n', type=int, help="use this N for every program instead")
    parser.add_argument('--timeout', type=float, default=120.0, help='seconds per process')
    parser.add_argument('--rss', action='store_true',
                        help='also print each runner\'s peak resident set size (median MB)')
    parser.add_argument('--startup', action='store_true',
                        help='time N = 0 instead: process start, load and compile alone')
    parser.add_argument('--mode', choices=('wasi', 'invoke'), default='wasi',
                        help='wasi: run each program as a WASI command, `keel run PROG.wasm N` '
                             '(default); invoke: the libc-free builds, `keel run --invoke run`')
    parser.add_argument('--io', action='store_true',
                        help='instead of the programs, time bench/io/cat.c copying --io-mb MiB '
                             'of random bytes from a file to /dev/null')
    parser.add_argument('--io-mb', type=int, default=100, help='size of the --io input in MiB')
    parser.add_argument('--smoke', action='store_true',
                        help='a correctness check for ctest: N = 1, one run, no table; skips (77) '
                             'when clang-19, wasm-ld or a runner is missing')
    args = parser.parse_args()
    names = program_names(args.suite)

    args.runners = ['native'] + [r for r in args.runners.split(',') if r and r != 'native']
    for r in args.runners:
        if r not in ('native', 'node', *KEEL_RUNNERS):
            fail(f'unknown runner {r!r}')
    selected = names if not args.only else args.only.split(',')
    for name in selected:
        if name not in names:
            fail(f'no program {name!r} (have: {" ".join(names)})')
    if args.smoke:
        args.runs = 1
        if args.n is None:
            args.n = 1

    missing = [tool for tool in (args.clang, 'wasm-ld') if not shutil.which(tool)]
    if 'node' in args.runners and not shutil.which(args.node):
        missing.append(args.node)
    if (set(KEEL_RUNNERS) & set(args.runners)) and not os.access(args.keel, os.X_OK):
        missing.append(args.keel)
    if (args.mode == 'wasi' or args.io) and not missing and wasi_toolchain_missing(args.clang):
        missing.append('wasi-libc')
    if missing:
        fail(f'missing: {", ".join(missing)}', SKIPPED if args.smoke else 2)
    if args.smoke and 'keel' in args.runners and not re.search(
            r'^\s+run\s', subprocess.run([args.keel, '--help'], capture_output=True,
                                         text=True).stdout, re.M):
        # Until `keel run` lands (it is written in parallel with this harness) there is nothing to
        # check; once it exists, every failure of it counts.
        fail(f'{args.keel} has no `run` command yet', SKIPPED)

    if args.io:
        return io_benchmark(args)

    programs = []
    simd_counts = {}
    for name in selected:
        native, wasm = build(name, args.build_dir, args.clang, args.mode, args.suite)
        source = os.path.join(SUITES[args.suite][0], name + '.c')
        n = 0 if args.startup else (args.n if args.n is not None else
                                    max(1, round(default_n(source) * args.scale)))
        programs.append((name, native, wasm, n))
        if args.suite == 'simd':
            # A SIMD benchmark whose wasm build lost its SIMD (a flag, a compiler that stopped
            # vectorising a loop) would time scalar code under a SIMD name: refuse it.
            simd_counts[name] = simd_instruction_count(wasm)
            if simd_counts[name] == 0:
                fail(f'{wasm} has no SIMD instructions')

    runners = make_runners(args)
    times = {(p[0], r.name): [] for p in programs for r in runners}
    rss = {(p[0], r.name): [] for p in programs for r in runners}
    checksum = {}
    problem = {}  # (program, runner) -> text shown instead of a time
    for _ in range(args.runs):
        for name, native, wasm, n in programs:
            for runner in runners:
                key = (name, runner.name)
                if key in problem:
                    continue
                argv = runner.command(native, wasm, n)
                seconds, value = run_once(argv, args.timeout, args.clock)
                if seconds is not None:
                    rss[key].append(peak_rss_kib[tuple(argv)][-1])
                if seconds is None:
                    problem[key] = 'fail'
                    print(f'{runner.name} {name}: {value}', file=sys.stderr)
                    continue
                expected = checksum.setdefault(name, value)
                if value != expected:
                    problem[key] = 'MISMATCH'
                    print(f'{runner.name} {name}: checksum {value} differs from native {expected}',
                          file=sys.stderr)
                    continue
                times[key].append(seconds)

    if args.smoke:
        for name, _, _, n in programs:
            simd = '' if simd_counts.get(name) is None else f', {simd_counts[name]} SIMD ops'
            print(f'{name} (N={n}{simd}): checksum {checksum.get(name)}; ' + ', '.join(
                f'{r.name} {problem.get((name, r.name), "ok")}' for r in runners))
        return 1 if problem else 0

    print(f'# {describe_machine()}')
    clock = 'wall-clock' if args.clock == 'wall' else 'CPU (user + system)'
    print(f'# median of {args.runs} interleaved runs; {clock} seconds per process'
          + (' at N = 0 (start-up only)' if args.startup else ''))
    if args.suite == 'simd':
        counts = ', '.join(f'{name} {"?" if c is None else c}' for name, c in simd_counts.items())
        print(f'# suite simd: wasm built with -msimd128, native with SSE2; SIMD instructions per '
              f'module: {counts}')
    if 'keel' in args.runners:
        print(f'# keel: {" ".join([args.keel, "run", *args.keel_flag, *keel_invoke(args)])}')
    if 'node' in args.runners:
        driver = 'node_run.mjs' if args.mode == 'invoke' else 'node_wasi.mjs'
        print(f'# node: {" ".join([args.node, "--no-turbo-fast-api-calls", *args.node_flag])} '
              f'harness/{driver}')
    headers = ['program', 'N', 'native s']
    for r in runners[1:]:
        headers += [f'{r.name} s', f'{r.name}/native']
    if args.rss:
        headers += [f'{r.name} MB' for r in runners]
    rows = []
    ratios = {r.name: [] for r in runners[1:]}
    for name, _, _, n in programs:
        base = problem.get((name, 'native'))
        native_s = None if base else statistics.median(times[(name, 'native')])
        row = [name, str(n), base or f'{native_s:.3f}']
        for r in runners[1:]:
            cell = problem.get((name, r.name))
            if cell:
                row += [cell, cell]
                continue
            seconds = statistics.median(times[(name, r.name)])
            row.append(f'{seconds:.3f}')
            if native_s and native_s > 0:
                ratios[r.name].append(seconds / native_s)
                row.append(f'{seconds / native_s:.2f}x')
            else:
                row.append('-')
        if args.rss:
            row += [f'{statistics.median(rss[(name, r.name)]) / 1024:.0f}'
                    if rss[(name, r.name)] else '-' for r in runners]
        rows.append(row)
    summary = ['geomean', '', '']
    for r in runners[1:]:
        g = geomean(ratios[r.name])
        counted = len(ratios[r.name])
        partial = f' ({counted}/{len(programs)})' if counted != len(programs) else ''
        summary += ['', f'{g:.2f}x{partial}' if g else 'n/a']
    if args.rss:
        summary += [''] * len(runners)
    rows.append(summary)

    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    def line(cells):
        return '  '.join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(headers))
    print(line(['-' * w for w in widths]))
    for row in rows[:-1]:
        print(line(row))
    print(line(['-' * w for w in widths]))
    print(line(rows[-1]))
    return 1 if problem else 0


if __name__ == '__main__':
    sys.exit(main())

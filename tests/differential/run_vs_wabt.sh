#!/usr/bin/env bash
# Differential test of execution: binaryen's translate-to-fuzz (wasm-opt -ttf) turns seeded random
# bytes into Wasm 2.0 modules (SIMD only with --features, below), and every exported function is
# called on a fresh instance with zero arguments, once by `keel run --invoke` and once by wabt's
# spectest-interp (through a generated wast2json-style script: a `module` command before each
# `action`, so each call starts from the same state on both sides). Results and traps must agree.
#
# -ttf modules import "fuzzing-support" logging functions. Neither side provides them: wasm-opt's
# --remove-imports pass replaces the calls and drops the imports, so both engines run the very
# same import-free module. With reference types, binaryen 108 may take a ref.func of an import,
# which that pass cannot remove; such modules are counted as "not generated", and modules
# wasm-validate rejects (binaryen 108 emits a few) as "invalid".
#
# Floats are compared as wabt prints them (%f of the exact value; NaNs of any sign and payload
# agree, as the spec leaves them nondeterministic); traps by kind (unreachable, divide by zero,
# out of bounds memory, ...). Seeds are fixed, so a mismatch reproduces; mismatching modules are
# kept in KEEP_DIR (default: a fresh folder under /tmp, printed). Exit 77 (skipped) without tools.
#
# --features picks the feature sets: `scalar` (the default) the two without SIMD, `simd` one with
# --enable-simd as well, `all` the three. With SIMD, v128 results are compared as their 16 bytes:
# wabt prints `v128 i32x4:0x03020100 0x07060504 0x0b0a0908 0x0f0e0d0c`, keel's `--invoke` one
# line per result, a v128 as the unsigned 128-bit integer whose little-endian bytes are the
# vector's (decimal as today, or 0x and up to 32 hex digits): lane 0's bytes are the low ones. When
# the bytes differ, the two still agree if, read as f32x4 or as f64x2, every lane is bit-equal or
# NaN on both sides (float SIMD ops may give any NaN per lane). A v128 parameter is passed as 0
# like the others (`0` to keel); while keel rejects v128 arguments on the command line ("cannot
# pass a v128 argument"), such exports are counted as skipped (binaryen's `_invoker` exports call
# them with values of their own anyway).
# RUN_VS_WABT_VERBOSE=1 prints both outcomes of every call. RUN_VS_WABT_FIRST_SEED=N starts the
# seeds at N instead of 0, for fresh modules beyond those CI runs.
# --tier=optimizing compiles keel's side with tier 2 (-C tier=...), baseline (the default) with tier 1,
# tiered with both: every function tiers up at its first call, compiled before the call goes on,
# and a tier-1 frame moves to tier 2 by OSR at the first loop header it reaches.
# Usage: run_vs_wabt.sh [--features=scalar|simd|all] [--tier=baseline|optimizing|tiered] KEEL [COUNT]
#        [KEEP_DIR]
set -euo pipefail
features=scalar
tier=baseline
while [ $# -gt 0 ]; do
  case $1 in
    --features=*) features=${1#--features=}; shift ;;
    --tier=*) tier=${1#--tier=}; shift ;;
    *) break ;;
  esac
done
case $tier in
  baseline|optimizing) ;;
  tiered) tier=tiered,tier-up-budget=0,tier-up-sync=y,tier-up-osr=y ;;
  *) echo "run_vs_wabt: --tier must be baseline, optimizing or tiered" >&2; exit 2 ;;
esac
case $features in
  scalar|simd|all) ;;
  *) echo "run_vs_wabt: --features must be scalar, simd or all" >&2; exit 2 ;;
esac
keel=$1
count=${2:-60}
keep=${3:-}
for tool in wasm-opt wasm-validate spectest-interp wasm-objdump python3; do
  command -v "$tool" >/dev/null || { echo "run_vs_wabt: $tool not found: skipped"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec python3 - "$keel" "$count" "$work" "$keep" "$features" "$tier" <<'PY'
import json, os, random, re, struct, subprocess, sys, tempfile

keel, count, work, keep, which, tier = (sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4],
                                        sys.argv[5], sys.argv[6])
BASE = ("-mvp --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int "
        "--enable-multivalue")
# (name, wasm-opt flags); the name is printed with each mismatch and in the kept module's name.
SCALAR_SETS = [("base", BASE), ("reftypes", BASE + " --enable-reference-types")]
SIMD_SETS = [("simd", BASE + " --enable-simd")]
FEATURE_SETS = {"scalar": SCALAR_SETS, "simd": SIMD_SETS, "all": SCALAR_SETS + SIMD_SETS}[which]
VALUE_TYPES = ("i32", "i64", "f32", "f64", "v128")
verbose = os.environ.get("RUN_VS_WABT_VERBOSE") == "1"
first_seed = int(os.environ.get("RUN_VS_WABT_FIRST_SEED", "0"))
TRAP_KINDS = [  # (kind, words in keel's message, words in wabt's)
    ("unreachable", "unreachable", "unreachable"),
    ("divide by zero", "divide by zero", "divide by zero"),
    ("integer overflow", "integer overflow", "integer overflow"),
    ("invalid conversion", "invalid conversion", "invalid conversion"),
    ("memory bounds", "out of bounds memory", "out of bounds memory"),
    ("table bounds", "out of bounds table", "out of bounds table"),
    ("undefined element", "undefined element", "undefined table index"),
    ("uninitialized element", "uninitialized element", "uninitialized table element"),
    ("indirect call type", "indirect call type mismatch", "indirect call signature mismatch"),
    ("stack exhausted", "call stack exhausted", "call stack exhausted"),
]

def trap_kind(message, side):
    for kind, keel_words, wabt_words in TRAP_KINDS:
        if (keel_words if side == 0 else wabt_words) in message:
            return kind
    return "other: " + message.strip()

def exports_of(path):
    """[(name, [param types])] of the exported functions, from wasm-objdump -x."""
    text = subprocess.run(["wasm-objdump", "-x", path], capture_output=True, text=True).stdout
    types, sigs, out = {}, {}, []
    for m in re.finditer(r"- type\[(\d+)\] \((.*?)\) ->", text):
        types[int(m.group(1))] = [t.strip() for t in m.group(2).split(",") if t.strip()]
    for m in re.finditer(r"- func\[(\d+)\] sig=(\d+)", text):
        sigs[int(m.group(1))] = int(m.group(2))
    for m in re.finditer(r'- func\[(\d+)\] .*-> "(.*)"', text):
        out.append((m.group(2), types[sigs[int(m.group(1))]]))
    return out

def f32_text(bits):
    v = struct.unpack("<f", struct.pack("<I", bits))[0]
    return "nan" if v != v else "%f" % v

def f64_text(bits):
    v = struct.unpack("<d", struct.pack("<Q", bits))[0]
    return "nan" if v != v else "%f" % v

def v128_hex(data):
    """16 bytes, lane 0 first, as 32 hex digits: the form both sides' v128 results compare in."""
    assert len(data) == 16
    return data.hex()

def normalise_wabt(value):
    """'i32:5' -> ('i32', '5'), floats as %f text, any NaN as 'nan';
    'v128 i32x4:0x00000001 0x0 0x0 0x0' -> ('v128', 32 hex digits of its bytes)."""
    value = value.strip()
    if value.startswith("v128 "):
        shape, _, lanes = value[5:].partition(":")
        m = re.fullmatch(r"([if])(8|16|32|64)x(\d+)", shape)
        if not m:
            return ("v128", "unparsed: " + value)
        bits = int(m.group(2))
        words = lanes.split()
        if len(words) * bits != 128:
            return ("v128", "unparsed: " + value)
        data = b"".join(int(w, 0).to_bytes(bits // 8, "little") for w in words)
        return ("v128", v128_hex(data))
    t, _, v = value.partition(":")
    if t in ("f32", "f64") and "nan" in v:
        v = "nan"
    return (t, v)

def keel_value(t, text):
    if t == "v128":
        # The unsigned 128-bit integer of the vector's little-endian bytes, decimal or 0x hex.
        text = text.strip()
        try:
            v = int(text, 16) if text.lower().startswith("0x") else int(text, 10)
        except ValueError:
            return (t, "unparsed: " + text)
        if not 0 <= v < 1 << 128:
            return (t, "out of range: " + text)
        return (t, v128_hex(v.to_bytes(16, "little")))
    if t in ("i32", "i64"):
        return (t, str(int(text) % (1 << (32 if t == "i32" else 64))))
    if t in ("f32", "f64"):
        if text == "NaN":
            return (t, "nan")
        v = float(text)
        if t == "f32":
            return (t, f32_text(struct.unpack("<I", struct.pack("<f", v))[0]))
        return (t, f64_text(struct.unpack("<Q", struct.pack("<d", v))[0]))
    return (t, text)

def lanes_agree(a, b, size, nan):
    """Whether two v128s (hex) agree lane by lane as floats of `size` bytes: bit-equal or NaN."""
    x, y = bytes.fromhex(a), bytes.fromhex(b)
    for i in range(0, 16, size):
        p, q = x[i:i + size], y[i:i + size]
        if p != q and not (nan(int.from_bytes(p, "little")) and nan(int.from_bytes(q, "little"))):
            return False
    return True

def f32_nan(bits):
    return (bits & 0x7f800000) == 0x7f800000 and bits & 0x007fffff != 0

def f64_nan(bits):
    return (bits >> 52 & 0x7ff) == 0x7ff and bits & ((1 << 52) - 1) != 0

def value_agrees(k, w):
    if k == w:
        return True
    if k[0] != "v128" or w[0] != "v128" or "unparsed" in k[1] or "unparsed" in w[1]:
        return False
    return lanes_agree(k[1], w[1], 4, f32_nan) or lanes_agree(k[1], w[1], 8, f64_nan)

def outcome_agrees(k, w):
    if k == w:
        return True
    return (k[0] == w[0] == "ok" and len(k[1]) == len(w[1])
            and all(value_agrees(a, b) for a, b in zip(k[1], w[1])))

def wabt_arg(t):
    if t == "v128":
        return {"type": "v128", "lane_type": "i32", "value": ["0", "0", "0", "0"]}
    return {"type": t, "value": "0"}

def run_wabt(module, funcs, results_types):
    commands = []
    for i, (name, params) in enumerate(funcs):
        commands.append({"type": "module", "line": 2 * i + 1, "filename": os.path.basename(module)})
        # spectest-interp wants the keys in wast2json's order: action before expected.
        commands.append({"type": "action", "line": 2 * i + 2, "action": {
            "type": "invoke", "field": name,
            "args": [wabt_arg(p) for p in params]}, "expected": []})
    script = os.path.join(work, "m.json")
    with open(script, "w") as f:
        json.dump({"source_filename": "m.wast", "commands": commands}, f)
    p = subprocess.run(["spectest-interp", script], capture_output=True,
                       text=True, timeout=120, cwd=work)
    outcome = {}
    for line in p.stdout.splitlines():
        m = re.match(r"(.*?)\((.*)\) =>(.*)$", line)
        if not m or m.group(1) not in results_types:
            continue
        if m.group(3).startswith(" error: "):
            outcome[m.group(1)] = ("trap", trap_kind(m.group(3)[8:], 1))
        else:
            outcome[m.group(1)] = ("ok", [normalise_wabt(v) for v in m.group(3).split(",")
                                          if v.strip()])
    return outcome

def run_keel(module, name, params, results):
    argv = [keel, "run", "-C", "tier=" + tier, "-W", "timeout=20s", "--invoke", name,
            module] + ["0"] * len(params)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if p.returncode == 134:
        return ("trap", trap_kind(p.stderr.splitlines()[0] if p.stderr else "", 0))
    if p.returncode != 0:
        if "v128" in params and "cannot pass a v128 argument" in p.stderr:
            return ("skip", "keel takes no v128 argument")
        return ("error", p.stderr.strip())
    lines = p.stdout.splitlines()
    if len(lines) != len(results):
        return ("error", "printed %d results, expected %d" % (len(lines), len(results)))
    return ("ok", [keel_value(t, v) for t, v in zip(results, lines)])

def result_types(path):
    text = subprocess.run(["wasm-objdump", "-x", path], capture_output=True, text=True).stdout
    types, sigs, out = {}, {}, {}
    for m in re.finditer(r"- type\[(\d+)\] \(.*?\) -> (.*)", text):
        r = m.group(2).strip()
        types[int(m.group(1))] = [] if r == "nil" else [t.strip() for t in r.strip("()").split(",")]
    for m in re.finditer(r"- func\[(\d+)\] sig=(\d+)", text):
        sigs[int(m.group(1))] = int(m.group(2))
    for m in re.finditer(r'- func\[(\d+)\] .*-> "(.*)"', text):
        out[m.group(2)] = types[sigs[int(m.group(1))]]
    return out

modules = functions = not_generated = invalid = skipped_funcs = skipped_v128_args = 0
mismatches = []
for set_name, features in FEATURE_SETS:
    for i in range(first_seed, first_seed + count):
        seed = os.path.join(work, "seed")
        with open(seed, "wb") as f:
            f.write(random.Random(i).randbytes(4096))
        module = os.path.join(work, "m.wasm")
        gen = subprocess.run(["wasm-opt", "-ttf", seed, "--remove-imports", "-o", module]
                             + features.split(), capture_output=True)
        if gen.returncode != 0:
            not_generated += 1
            continue
        # binaryen 108 emits some invalid modules with reference types; agreeing on those is
        # validate_vs_wabt.sh's job.
        if subprocess.run(["wasm-validate", module], capture_output=True).returncode != 0:
            invalid += 1
            continue
        modules += 1
        results = result_types(module)
        funcs = []
        for name, params in exports_of(module):
            numeric = all(t in VALUE_TYPES for t in params + results[name])
            if numeric:
                funcs.append((name, params))
            else:
                skipped_funcs += 1  # reference parameters or results: not on a command line
        wabt = run_wabt(module, funcs, results)
        if verbose:
            print("feature set %s seed %d:" % (set_name, i))
        bad = []
        for name, params in funcs:
            k = run_keel(module, name, params, results[name])
            if k[0] == "skip":
                skipped_v128_args += 1
                continue
            functions += 1
            w = wabt.get(name, ("error", "spectest-interp printed nothing"))
            if verbose:
                print("  %s: keel %s, wabt %s" % (name, k, w))
            if not outcome_agrees(k, w):
                bad.append("  %s: keel %s, wabt %s" % (name, k, w))
        if bad:
            where = "feature set %s seed %d" % (set_name, i)
            mismatches.append(where)
            print("mismatch: " + where + "\n" + "\n".join(bad))
            if not keep:
                keep = tempfile.mkdtemp(prefix="keel-run-vs-wabt-")
            os.makedirs(keep, exist_ok=True)
            kept = os.path.join(keep, "mismatch-%s-%d.wasm" % (set_name, i))
            with open(module, "rb") as src, open(kept, "wb") as dst:
                dst.write(src.read())
            print("  kept " + kept)
print("run_vs_wabt (%s): %d modules (%d not generated, %d invalid), %d functions called, %d "
      "skipped (reference types), %d skipped (keel takes no v128 argument), %d modules mismatch"
      % (which, modules, not_generated, invalid, functions, skipped_funcs, skipped_v128_args,
         len(mismatches)))
sys.exit(0 if not mismatches and functions > 0 else 1)
PY

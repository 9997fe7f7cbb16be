#!/usr/bin/env bash
# Differential test of execution: binaryen's translate-to-fuzz (wasm-opt -ttf) turns seeded random
# bytes into Wasm 2.0 modules without SIMD, and every exported function is called on a fresh
# instance with zero arguments, once by `keel run --invoke` and once by wabt's spectest-interp
# (through a generated wast2json-style script: a `module` command before each `action`, so each
# call starts from the same state on both sides). Results and traps must agree.
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
# Usage: run_vs_wabt.sh KEEL [COUNT] [KEEP_DIR]
set -euo pipefail
keel=$1
count=${2:-60}
keep=${3:-}
for tool in wasm-opt wasm-validate spectest-interp wasm-objdump python3; do
  command -v "$tool" >/dev/null || { echo "run_vs_wabt: $tool not found: skipped"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec python3 - "$keel" "$count" "$work" "$keep" <<'PY'
import json, os, random, re, struct, subprocess, sys, tempfile

keel, count, work, keep = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
FEATURE_SETS = [
    "-mvp --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int "
    "--enable-multivalue",
    "-mvp --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int "
    "--enable-multivalue --enable-reference-types",
]
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

def normalise_wabt(value):
    """'i32:5' -> ('i32', '5'), floats as %f text, any NaN as 'nan'."""
    t, _, v = value.strip().partition(":")
    if t in ("f32", "f64") and "nan" in v:
        v = "nan"
    return (t, v)

def keel_value(t, text):
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

def run_wabt(module, funcs, results_types):
    commands = []
    for i, (name, params) in enumerate(funcs):
        commands.append({"type": "module", "line": 2 * i + 1, "filename": os.path.basename(module)})
        # spectest-interp wants the keys in wast2json's order: action before expected.
        commands.append({"type": "action", "line": 2 * i + 2, "action": {
            "type": "invoke", "field": name,
            "args": [{"type": p, "value": "0"} for p in params]}, "expected": []})
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
    argv = [keel, "run", "-W", "timeout=20s", "--invoke", name, module] + ["0"] * len(params)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if p.returncode == 134:
        return ("trap", trap_kind(p.stderr.splitlines()[0] if p.stderr else "", 0))
    if p.returncode != 0:
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

modules = functions = not_generated = invalid = skipped_funcs = 0
mismatches = []
for set_index, features in enumerate(FEATURE_SETS):
    for i in range(count):
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
            numeric = all(t in ("i32", "i64", "f32", "f64") for t in params + results[name])
            if numeric:
                funcs.append((name, params))
            else:
                skipped_funcs += 1  # reference parameters or results: not on a command line
        wabt = run_wabt(module, funcs, results)
        bad = []
        for name, params in funcs:
            functions += 1
            k = run_keel(module, name, params, results[name])
            w = wabt.get(name, ("error", "spectest-interp printed nothing"))
            if k != w:
                bad.append("  %s: keel %s, wabt %s" % (name, k, w))
        if bad:
            where = "feature set %d seed %d" % (set_index, i)
            mismatches.append(where)
            print("mismatch: " + where + "\n" + "\n".join(bad))
            if not keep:
                keep = tempfile.mkdtemp(prefix="keel-run-vs-wabt-")
            os.makedirs(keep, exist_ok=True)
            kept = os.path.join(keep, "mismatch-%d-%d.wasm" % (set_index, i))
            with open(module, "rb") as src, open(kept, "wb") as dst:
                dst.write(src.read())
            print("  kept " + kept)
print("run_vs_wabt: %d modules (%d not generated, %d invalid), %d functions called, %d skipped "
      "(reference types), %d modules mismatch" % (modules, not_generated, invalid, functions,
                                                   skipped_funcs, len(mismatches)))
sys.exit(0 if not mismatches and functions > 0 else 1)
PY

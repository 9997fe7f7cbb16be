#!/usr/bin/env python3
"""Builds keel's WASI test programs (tests/*.c, clang-19 --target=wasm32-wasi -O2) and runs each
with keel as its JSON spec says (the upstream wasi-testsuite format: args, env, dirs, exit_code,
stdout, stderr), on temporary copies of its directories. The whole set runs twice: with the
default path resolver and with KEEL_WASI_RESOLVER=manual (the fallback without openat2).

keel's extensions of the format, ignored by the upstream runner:
  dirs_ro    directories granted read-only (--dir NAME::NAME::ro); checked unchanged afterwards
  tcplisten  {"send": ..., "expect": ...}: keel gets --tcplisten 127.0.0.1:PORT and this script
             connects, sends, and expects the reply
Besides, nothing may appear beside the granted directories (a sandbox escape would put it there).

Exit status: 0 all passed, 1 a failure, 77 the toolchain is missing (ctest: skipped).
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SKIP = 77
HERE = Path(__file__).resolve().parent


def build(cc, source, out):
    if out.exists() and out.stat().st_mtime >= max(source.stat().st_mtime,
                                                  (HERE / "tests" / "common.h").stat().st_mtime):
        return
    subprocess.run([cc, "--target=wasm32-wasi", "-O2", "-Wall", "-Werror", str(source), "-o",
                    str(out)], check=True)


def toolchain_works(cc, scratch):
    if not shutil.which(cc):
        return False
    probe = scratch / "probe.c"
    probe.write_text("#include <wasi/api.h>\nint main(void) { return 0; }\n")
    r = subprocess.run([cc, "--target=wasm32-wasi", "-O2", str(probe), "-o",
                        str(scratch / "probe.wasm")], capture_output=True)
    return r.returncode == 0


def tree(root):
    """Names, types, sizes and contents under root, symlinks not followed."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_file():
                out[rel] = ("file", p.read_bytes())
            else:
                out[rel] = ("dir",)
    return out


def tcp_client(port, send, expect, deadline):
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(send.encode())
                got = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
                return None if got == expect.encode() else f"socket got {got!r}, want {expect!r}"
        except ConnectionRefusedError:
            time.sleep(0.05)
        except OSError as e:
            return f"socket: {e}"
    return "socket: keel never accepted"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_one(keel, wasm, spec, resolver):
    """Returns None when the test passes, else what went wrong."""
    with tempfile.TemporaryDirectory(prefix="keel-wasi-") as tmp:
        tmp = Path(tmp)
        argv = [str(keel), "run"]
        for name in spec.get("dirs", []):
            shutil.copytree(HERE / "tests" / name, tmp / name, symlinks=True)
            argv += ["--dir", f"{name}::{name}"]
        for name in spec.get("dirs_ro", []):
            shutil.copytree(HERE / "tests" / name, tmp / name, symlinks=True)
            argv += ["--dir", f"{name}::{name}::ro"]
        for key, value in spec.get("env", {}).items():
            argv += ["--env", f"{key}={value}"]
        client = spec.get("tcplisten")
        port = None
        if client:
            port = free_port()
            argv += ["--tcplisten", f"127.0.0.1:{port}"]
        argv += [str(wasm)] + spec.get("args", [])
        before = sorted(os.listdir(tmp))
        ro_before = {n: tree(tmp / n) for n in spec.get("dirs_ro", [])}
        env = {k: v for k, v in os.environ.items() if k != "KEEL_WASI_RESOLVER"}
        if resolver:
            env["KEEL_WASI_RESOLVER"] = resolver
        proc = subprocess.Popen(argv, cwd=tmp, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        problems = []
        if client:
            error = tcp_client(port, client["send"], client["expect"], time.time() + 30)
            if error:
                problems.append(error)
        try:
            out, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            problems.append("timed out")
        want_code = spec.get("exit_code", 0)
        if proc.returncode != want_code:
            problems.append(f"exit {proc.returncode}, want {want_code}")
        if "stdout" in spec and out.decode(errors="replace") != spec["stdout"]:
            problems.append(f"stdout {out.decode(errors='replace')!r}, want {spec['stdout']!r}")
        if "stderr" in spec and err.decode(errors="replace") != spec["stderr"]:
            problems.append(f"stderr {err.decode(errors='replace')!r}, want {spec['stderr']!r}")
        after = sorted(os.listdir(tmp))
        if after != before:
            problems.append(f"files appeared beside the granted directories: "
                            f"{sorted(set(after) - set(before))}")
        for name, old in ro_before.items():
            if tree(tmp / name) != old:
                problems.append(f"read-only {name} changed")
        if problems:
            return "; ".join(problems) + ("\n    stderr: " + err.decode(errors="replace").strip()
                                         if err else "")
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keel", required=True, help="the keel executable")
    parser.add_argument("--build-dir", required=True, help="where the .wasm files go")
    parser.add_argument("--cc", default=os.environ.get("KEEL_WASI_CC", "clang-19"))
    parser.add_argument("--filter", default="", help="run only tests whose name contains this")
    args = parser.parse_args()
    build_dir = Path(args.build_dir).resolve()
    args.keel = str(Path(args.keel).resolve())
    build_dir.mkdir(parents=True, exist_ok=True)
    if not toolchain_works(args.cc, build_dir):
        print(f"wasi-testsuite: skipped: {args.cc} cannot build WASI programs "
              "(needs clang-19, lld-19, wasi-libc, libclang-rt-19-dev-wasm32)")
        return SKIP

    tests = []
    for source in sorted((HERE / "tests").glob("*.c")):
        if args.filter not in source.stem:
            continue
        wasm = build_dir / (source.stem + ".wasm")
        build(args.cc, source, wasm)
        spec_path = source.with_suffix(".json")
        spec = json.loads(spec_path.read_text()) if spec_path.exists() else {}
        tests.append((source.stem, wasm, spec))

    failed = 0
    for resolver in (None, "manual"):
        label = f"resolver={resolver or 'default'}"
        for name, wasm, spec in tests:
            problem = run_one(args.keel, wasm, spec, resolver)
            if problem:
                failed += 1
                print(f"FAIL {name} ({label}): {problem}")
            else:
                print(f"ok   {name} ({label})")
    total = 2 * len(tests)
    print(f"wasi-testsuite: {total - failed}/{total} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

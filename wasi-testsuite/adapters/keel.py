"""keel for the upstream wasi-testsuite runner (its adapter interface: get_name, get_version,
get_wasi_versions, compute_argv). Set KEEL to the keel command (default: `keel` on PATH).

    python3 -m wasi_test_runner -t tests/c/testsuite -r /path/to/keel/wasi-testsuite/adapters/keel.py
"""
import os
import shlex
import subprocess
from pathlib import Path
from typing import Dict, List, Tuple

KEEL = shlex.split(os.getenv("KEEL", "keel"))


def get_name() -> str:
    return "keel"


def get_version() -> str:
    # `keel --version` prints "keel 0.1.0 (abc1234)".
    out = subprocess.run(KEEL[:1] + ["--version"], capture_output=True, text=True, check=True)
    return out.stdout.split()[1]


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def _argv(test_path: str, args: List[str], env: Dict[str, str],
          dirs: List[Tuple[Path, str]]) -> List[str]:
    argv = KEEL + ["run"]
    for name, value in env.items():
        argv += ["--env", f"{name}={value}"]
    for host, guest in dirs:
        argv += ["--dir", f"{host}::{guest}"]
    return argv + [test_path] + list(args)


def compute_argv(test_path: str, *rest) -> List[str]:
    """Both shapes the upstream runner has used: (args, env, dirs, wasi_version) and
    ((args, env, dirs), proposals, wasi_version)."""
    if rest and isinstance(rest[0], tuple):
        args, env, dirs = rest[0]
    else:
        args, env, dirs = rest[0], rest[1], rest[2]
    # Older specs list dirs as plain names, granted under the same name.
    dirs = [d if isinstance(d, tuple) else (d, os.path.basename(str(d))) for d in dirs]
    return _argv(test_path, args, env, dirs)

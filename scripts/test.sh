#!/usr/bin/env bash
# The one command that builds keel and runs every test, on a fresh Debian 12 machine (as root or
# with sudo): dependencies, the g++-12 -Werror build in build/, then ctest. Among the tests,
# `sanitizers` builds keel again with clang-19 -Werror and ASan/UBSan (build-fuzz/), runs the unit
# tests and the spec suite under it and fuzzes for 60 s, and `tsan` builds what runs on several
# threads with clang-19 and TSan (build-tsan/) and runs tiering under it; the yosys tests are
# skipped, never passed, when npm is unreachable.
# ctest's summary is the last thing printed; the exit status is nonzero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j "${KEEL_JOBS:-2}"

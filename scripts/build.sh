#!/usr/bin/env bash
# Installs the dependencies and builds keel in build/ (Ninja, g++-12, warnings as errors): the
# configuration scripts/test.sh and scripts/example.sh share. An existing build/ is reused, so only
# what changed is rebuilt. Usage: build.sh [TARGET...] (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

fresh=()
if [ -f build/CMakeCache.txt ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' build/CMakeCache.txt; then
  echo "build.sh: build/ was configured with another generator; configuring it afresh"
  fresh=(--fresh)
fi
cmake -S . -B build -G Ninja "${fresh[@]}" \
  -DCMAKE_C_COMPILER=gcc-12 -DCMAKE_CXX_COMPILER=g++-12 \
  -DKEEL_WERROR=ON -DKEEL_BUILD_TESTS=ON -DKEEL_FUZZ_TEST=ON

targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build -j "${KEEL_JOBS:-2}" "${targets[@]}"

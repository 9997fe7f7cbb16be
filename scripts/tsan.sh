#!/usr/bin/env bash
# The ThreadSanitizer run CI counts as one test: a clang-19 TSan build (build-tsan/, only what the
# run needs), then the paths where threads meet: the runtime's tier-up tests (thousands of
# functions tiering up at once under a running program, queues dropped at exit), the core spec
# suite tiered with OSR and every tier-2 compile on the background threads, and the `keel run`
# tiering tests (programs that exit or trap while compiles are queued or running). JIT code is not
# instrumented; the queue, the workers, publication and the runtime around them are.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-tsan
# The spec suite's .wast scripts, which keel-spec reads itself.
suite=("${KEEL_SHARED_DIR:-$root/../shared}"/spec-testsuite/*.wast)

mkdir -p "$build"
log=$build/build.log
# Quiet unless it fails: then the end of the log says why.
if ! { cmake -S "$root" -B "$build" -G Ninja \
         -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
         -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKEEL_SANITIZE=thread -DKEEL_WERROR=ON \
         -DKEEL_BUILD_TESTS=ON -DKEEL_BUILD_EXAMPLES=OFF &&
       cmake --build "$build" -j "${KEEL_JOBS:-2}" \
         --target keel keel-spec keel_runtime_tests; } >"$log" 2>&1; then
  tail -40 "$log"
  echo "tsan.sh: the TSan build failed (log: $log)"
  exit 1
fi

# A report fails the run (exit 66) instead of scrolling past.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:exitcode=66}
echo "tsan.sh: runtime tier-up tests"
"$build/tests/keel_runtime_tests" --gtest_brief=1 --gtest_filter='TierUp*'
echo "tsan.sh: spec suite, tiered with OSR on the background threads"
"$build/spec/keel-spec" --tier tiered --osr --tier-up-background \
  --expected "$root/spec/expected_totals.json" "${suite[@]}" | tail -1
echo "tsan.sh: keel run, tiering"
bash "$root/cli/tier_up_test.sh" "$build/cli/keel"

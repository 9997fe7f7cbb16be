#!/usr/bin/env bash
# The sanitizer run CI counts as one test: the clang-19 ASan/UBSan build of scripts/fuzz.sh
# (build-fuzz/), then the unit tests of every layer and the core spec suite under the sanitizers
# (tier 1, tier 2 forced, then tiered with OSR, compiled in the background), then SECONDS (default
# 60) of fuzzing. JIT code is not instrumented; what runs around it is: the decoder, validator,
# both compilers, runtime helpers, tier-up and OSR, trap handling and WASI host.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz
# The spec suite's .wast scripts, which keel-spec reads itself.
suite=("${KEEL_SHARED_DIR:-$root/../shared}"/spec-testsuite/*.wast)

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# fuzz.sh configures and builds; with 0 seconds it stops before fuzzing.
bash "$root/scripts/fuzz.sh" 0 >/dev/null
for tests in keel_unit_tests keel_jit_tests keel_runtime_tests keel_wasi_tests keel_optimizing_tests; do
  [ -x "$build/tests/$tests" ] || continue
  echo "sanitize.sh: $tests"
  "$build/tests/$tests" --gtest_brief=1
done
echo "sanitize.sh: spec suite"
"$build/spec/keel-spec" --expected "$root/spec/expected_totals.json" "${suite[@]}" | tail -1
echo "sanitize.sh: spec suite, tier 2 forced"
"$build/spec/keel-spec" --tier optimizing --expected "$root/spec/expected_totals.json" \
  "${suite[@]}" | tail -1
echo "sanitize.sh: spec suite, tiered with OSR on the background threads"
"$build/spec/keel-spec" --tier tiered --osr --tier-up-background \
  --expected "$root/spec/expected_totals.json" "${suite[@]}" | tail -1
bash "$root/scripts/fuzz.sh" "$seconds"

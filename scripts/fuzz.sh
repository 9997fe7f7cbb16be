#!/usr/bin/env bash
# Builds keel with clang-19, ASan and UBSan (everything, tests included, -Werror) in build-fuzz/
# and runs fuzz_decode_validate for SECONDS (default 60), then fuzz_tier2_graph (tier 2's graph
# builder and passes) for half as long, fuzz_artifact (the precompiled-module loader) and fuzz_wat
# (the text parser) for a tenth.
# scripts/sanitize.sh shares the build. Seeds: the spec suite's
# modules and the examples, from the build folders where present. New inputs accumulate in
# build-fuzz/corpus; crashes land in build-fuzz/artifacts. Exits nonzero on a crash, leak, timeout
# or sanitizer report.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build-fuzz

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKEEL_FUZZ=ON -DKEEL_SANITIZE=address,undefined -DKEEL_WERROR=ON -DKEEL_BUILD_TESTS=ON
cmake --build "$build" -j "${KEEL_JOBS:-2}"
# 0 seconds: build only (libFuzzer would read -max_total_time=0 as "no limit").
[ "$seconds" -gt 0 ] || exit 0

seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds" "$build/corpus" "$build/artifacts"
# The spec suite's modules (converted by a test build's spec-json step) and the examples, from any
# build folder; named by content so a module found twice counts once.
shopt -s nullglob
seed_dirs=("$root"/build*/spec-json "$root"/build*/examples)
if [ ${#seed_dirs[@]} -gt 0 ]; then
  while read -r sum file; do
    cp "$file" "$seeds/$sum"
  done < <(find "${seed_dirs[@]}" -name '*.wasm' -type f -print0 | xargs -0 -r sha1sum)
fi
echo "fuzz.sh: $(find "$seeds" -type f | wc -l) seed modules, fuzzing for ${seconds}s"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
run() {  # TARGET SECONDS [SEED_DIR [LIBFUZZER_OPTION...]]: each target keeps a corpus of its own
  local status=0 target=$1 time=$2 seed_dir=${3:-$seeds}
  shift $(( $# < 3 ? $# : 3 ))
  mkdir -p "$build/corpus/$target"
  "$build/fuzz/$target" -max_total_time="$time" -rss_limit_mb=2048 -timeout=10 "$@" \
    -print_final_stats=1 -artifact_prefix="$build/artifacts/" "$build/corpus/$target" "$seed_dir" \
    || status=$?
  if [ "$status" -ne 0 ]; then
    echo "fuzz.sh: $target failed (status $status); reproducer in $build/artifacts/" >&2
    exit "$status"
  fi
  echo "fuzz.sh: $target: no crash, leak or sanitizer report in ${time}s"
}
run fuzz_decode_validate "$seconds"
run fuzz_tier2_graph $(( (seconds + 1) / 2 ))
# The precompiled-module loader for a tenth as long (its seeds, modules, become artifacts).
run fuzz_artifact $(( (seconds + 9) / 10 )) "$seeds" -max_len=65536
# The text parser for a tenth as long, seeded with the spec suite's scripts (their first 4 KB hold
# modules) and given the text format's keywords.
text_seeds=$root/../shared/spec-testsuite
[ -d "$text_seeds" ] || text_seeds=$seeds
run fuzz_wat $(( (seconds + 9) / 10 )) "$text_seeds" -dict="$root/fuzz/wat.dict" -max_len=4096

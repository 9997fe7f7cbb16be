#!/usr/bin/env bash
# Lints manual pages with both formatters; any warning fails. Usage: lint.sh PAGE...
# Exits 77 (skipped) when groff or mandoc is missing.
set -euo pipefail
for tool in groff mandoc; do
  if ! command -v "$tool" >/dev/null; then
    echo "lint.sh: $tool is not installed (apt-get install groff mandoc)" >&2
    exit 77
  fi
done
status=0
for page in "$@"; do
  out=$(groff -ww -z -man "$page" 2>&1; mandoc -T lint "$page" 2>&1) || true
  if [ -n "$out" ]; then
    printf '%s\n' "$out"
    status=1
  else
    echo "ok: $page"
  fi
done
exit $status

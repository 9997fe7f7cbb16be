#!/usr/bin/env bash
# keel's version is CMake's project(VERSION); every other place that must spell it is checked
# against it here: debian/changelog (its upstream part), the RPM spec, CHANGELOG.md's latest entry
# and, given the binary, `keel --version`. Usage: check-version.sh VERSION [KEEL]
set -euo pipefail
cd "$(dirname "$0")/.."
version=$1 keel=${2:-}
failures=0
check() {  # check WHERE FOUND
  if [ "$2" = "$version" ]; then
    echo "ok: $1: $2"
  else
    echo "FAIL: $1 says '$2', CMakeLists.txt project(VERSION) $version" >&2
    failures=$((failures + 1))
  fi
}
cmake_version=$(sed -n 's/^project(keel VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
check "CMakeLists.txt" "$cmake_version"
debian=$(sed -n '1s/^keel (\([^)]*\)).*/\1/p' packaging/debian/changelog)
check "packaging/debian/changelog" "${debian%-*}"
check "packaging/rpm/keel.spec" "$(sed -n 's/^Version:[[:space:]]*//p' packaging/rpm/keel.spec)"
check "CHANGELOG.md" "$(sed -n 's/^## \([0-9][0-9.]*\).*/\1/p' CHANGELOG.md | head -1)"
if [ -n "$keel" ]; then
  shown=$("$keel" --version)
  check "keel --version ($shown)" "$(sed -n 's/^keel \([0-9.]*\) (.*)$/\1/p' <<< "$shown")"
fi
exit $((failures > 0))

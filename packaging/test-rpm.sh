#!/usr/bin/env bash
# Builds keel's RPM (build-rpm.sh) and checks it: the files it holds, and that the keel it holds,
# unpacked into a scratch folder, runs and names its version and commit.
# Usage: packaging/test-rpm.sh OUT_DIR. Exits 77 (skipped) when rpmbuild is not installed.
set -uo pipefail
mkdir -p "$1"
out=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
for tool in rpmbuild rpm rpm2cpio cpio; do
  if ! command -v "$tool" >/dev/null; then
    echo "test-rpm.sh: skipped: $tool is not installed (apt-get install rpm)" >&2
    exit 77
  fi
done
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

rm -rf "$out"
bash "$here/build-rpm.sh" "$out" || { echo "FAIL: the RPM did not build" >&2; exit 1; }
version=$(sed -n 's/^Version:[[:space:]]*//p' "$here/rpm/keel.spec")
rpm_file=$(ls "$out"/keel-"$version"-*.x86_64.rpm 2>/dev/null | head -1)
[ -n "$rpm_file" ] || { echo "FAIL: no keel-$version-*.x86_64.rpm in $out" >&2; exit 1; }

echo "== rpm -qlp $(basename "$rpm_file")"
files=$(rpm -qlp "$rpm_file")
echo "$files"
for path in /usr/bin/keel /usr/share/man/man1/keel.1 /usr/share/man/man1/keel-run.1 \
    /usr/share/bash-completion/completions/keel /usr/share/zsh/site-functions/_keel \
    /usr/share/fish/vendor_completions.d/keel.fish '/usr/share/licenses/keel*/LICENSE' \
    /usr/share/doc/keel/README.md; do
  # keel*: rpm names the licence folder keel (Fedora) or keel-VERSION (Debian's rpm 4.18)
  grep -q "^${path//\*/[^/]*}" <<< "$files" || fail "the RPM has no $path"
done

root=$(mktemp -d "${TMPDIR:-/tmp}/keel-rpm-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
(cd "$root" && rpm2cpio "$rpm_file" | cpio -idm --quiet) || fail "rpm2cpio"
shown=$("$root/usr/bin/keel" --version) || fail "keel --version"
echo "$shown"
[[ $shown =~ ^keel\ $version\ \([0-9a-f]{4,}\)$ ]] || fail "keel --version says '$shown'"

if [ "$failures" -gt 0 ]; then
  echo "test-rpm.sh: $failures failure(s)" >&2
  exit 1
fi
echo "test-rpm.sh: ok"

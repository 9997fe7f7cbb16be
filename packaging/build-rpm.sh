#!/usr/bin/env bash
# Builds keel's binary RPM from this source tree: a tarball of the tree (git's tracked and
# untracked-but-not-ignored files, as on disk) as Source0, then rpmbuild -bb with
# packaging/rpm/keel.spec in a scratch _topdir. The .rpm lands in OUT_DIR.
#
# Usage: packaging/build-rpm.sh OUT_DIR
# On a system whose packages are not RPMs (Debian), rpmbuild cannot see the BuildRequires
# installed by apt, so it runs with --nodeps: the build-dependencies of packaging/debian/control
# must be installed instead. KEEL_JOBS sets the parallelism (default 2).
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
. "$root/packaging/source-tree.sh"
version=$(keel_source_version "$root")
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)

work=$(mktemp -d "${TMPDIR:-/tmp}/keel-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SOURCES"
keel_copy_source_tree "$root" "$work/keel-$version"
tar -C "$work" -czf "$work/SOURCES/keel-$version.tar.gz" "keel-$version"

nodeps=()
if ! rpm -q rpm >/dev/null 2>&1; then
  echo "build-rpm.sh: rpm does not manage this system's packages: rpmbuild --nodeps"
  nodeps=(--nodeps)
fi
rpmbuild -bb "${nodeps[@]}" \
  --define "_topdir $work" \
  --define "keel_commit $commit" \
  --define "_smp_mflags -j${KEEL_JOBS:-2}" \
  "$root/packaging/rpm/keel.spec"
find "$work/RPMS" -name '*.rpm' -exec mv -f {} "$out"/ \;
echo "build-rpm.sh: in $out:"
ls -1 "$out"

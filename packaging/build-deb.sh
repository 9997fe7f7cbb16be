#!/usr/bin/env bash
# Builds keel's Debian packages from this source tree: copies the tree (git's tracked and
# untracked-but-not-ignored files, as they are on disk) to a scratch folder as keel-VERSION, makes
# the upstream tarball from it, puts packaging/debian there as debian/ and runs dpkg-buildpackage.
# The source package (.dsc, tarballs) and keel_VERSION-REVISION_amd64.deb land in OUT_DIR.
#
# Usage: packaging/build-deb.sh [--binary-only] OUT_DIR
# Needs dpkg-dev, debhelper and the Build-Depends of packaging/debian/control. KEEL_JOBS sets the
# parallelism (default 2).
set -euo pipefail
binary_only=
if [ "${1:-}" = --binary-only ]; then
  binary_only=1
  shift
fi
if [ $# -ne 1 ]; then
  echo "usage: $0 [--binary-only] OUT_DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
. "$root/packaging/source-tree.sh"
version=$(keel_source_version "$root")
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)

work=$(mktemp -d "${TMPDIR:-/tmp}/keel-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/keel-$version
keel_copy_source_tree "$root" "$tree"
# The upstream tarball is the tree without debian/, reproducibly.
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner \
  --mtime="@$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)" \
  -cJf "$work/keel_$version.orig.tar.xz" "keel-$version"
cp -r "$root/packaging/debian" "$tree/debian"

jobs=${KEEL_JOBS:-2}
echo "build-deb.sh: building keel $version ($commit) in $tree"
(cd "$tree" &&
  KEEL_GIT_COMMIT=$commit DEB_BUILD_OPTIONS="parallel=$jobs nocheck ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc ${binary_only:+-b})
rm -rf "$tree"
find "$work" -maxdepth 1 -type f -exec mv -f {} "$out"/ \;
echo "build-deb.sh: in $out:"
ls -1 "$out"

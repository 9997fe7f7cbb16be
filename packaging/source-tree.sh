# Sourced by build-deb.sh and build-rpm.sh: the package builds' shared first steps.
# keel_source_version ROOT: the version in CMake's project(), the one source of truth.
# keel_copy_source_tree ROOT DEST: copies the source tree to DEST (created): git's tracked and
# untracked-but-not-ignored files as they are on disk, or without git everything but build trees.
keel_source_version() {
  sed -n 's/^project(keel VERSION \([0-9.]*\).*/\1/p' "$1/CMakeLists.txt"
}

keel_copy_source_tree() {
  mkdir -p "$2"
  if git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$1" && git ls-files -z --cached --others --exclude-standard |
      tar --null --files-from=- --ignore-failed-read -cf -) | tar -xf - -C "$2"
  else
    tar -C "$1" --exclude='./build*' --exclude=./.git -cf - . | tar -xf - -C "$2"
  fi
}

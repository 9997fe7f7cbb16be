#!/usr/bin/env bash
# Builds keel's Debian packages (build-deb.sh) and checks them as a user would meet them: the
# .deb's contents, lintian on the source and binary packages, then `dpkg -i` into a scratch root
# (its own dpkg database; nothing is installed on this machine) and, from there, `keel --version`,
# `man -w keel`, the bash completion of `keel run --d` through bash-completion's own loader, and
# `keel run` on a module.
#
# Usage: packaging/test-deb.sh OUT_DIR [EXAMPLE_WASM EXAMPLES_DIR]
# With EXAMPLE_WASM (build/examples/wc.wasm) the installed keel also runs the word counter on
# EXAMPLES_DIR/wc.c through a granted directory. Exits 77 (skipped) only when a tool it needs is
# not installed; scripts/install-deps.sh installs them all.
set -uo pipefail
mkdir -p "$1"
out=$(cd "$1" && pwd) example=${2:-} examples_dir=${3:-}
here=$(cd "$(dirname "$0")" && pwd)

missing=()
for tool in dpkg-buildpackage dpkg-deb dh lintian man bash; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-deb.sh: skipped: not installed: ${missing[*]} (bash scripts/install-deps.sh)" >&2
  exit 77
fi

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
step() { echo; echo "== $*"; }

rm -rf "$out"
step "build-deb.sh $out"
bash "$here/build-deb.sh" "$out" || { echo "FAIL: the package did not build" >&2; exit 1; }
version=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)
deb=$out/keel_${version}_amd64.deb
changes=$out/keel_${version}_amd64.changes
[ -f "$deb" ] || { echo "FAIL: no $deb" >&2; exit 1; }

step "dpkg-deb -c $(basename "$deb")"
contents=$(dpkg-deb -c "$deb")
echo "$contents"
for path in ./usr/bin/keel \
    ./usr/share/man/man1/keel.1.gz ./usr/share/man/man1/keel-run.1.gz \
    ./usr/share/man/man1/keel-validate.1.gz ./usr/share/man/man1/keel-compile.1.gz \
    ./usr/share/man/man1/keel-disasm.1.gz ./usr/share/man/man1/keel-wat2wasm.1.gz \
    ./usr/share/bash-completion/completions/keel ./usr/share/zsh/vendor-completions/_keel \
    ./usr/share/fish/vendor_completions.d/keel.fish \
    ./usr/share/doc/keel/copyright ./usr/share/doc/keel/changelog.Debian.gz \
    ./usr/share/doc/keel/changelog.gz; do
  grep -q " $path\$" <<< "$contents" || fail "the package has no $path"
done
grep -q " ./usr/share/doc/keel/README.md" <<< "$contents" || fail "the package has no README.md"

step "lintian $(basename "$changes")"
# Errors and warnings fail; each one accepted is overridden, with its reason, in
# packaging/debian/keel.lintian-overrides or source/lintian-overrides.
# (Not --show-overrides: with it lintian fails on the overridden tags too.)
lintian --fail-on error,warning --display-info "$changes" ||
  fail "lintian reports errors or warnings"

step "dpkg -i into a scratch root"
root=$(mktemp -d "${TMPDIR:-/tmp}/keel-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
# The scratch database knows none of keel's dependencies (this machine's libraries serve them).
dpkg --root="$root" --force-depends --force-not-root --force-bad-path -i "$deb" ||
  fail "dpkg -i failed"
dpkg --root="$root" -s keel | grep -q '^Status: install ok installed' ||
  fail "dpkg does not list keel as installed"
keel=$root/usr/bin/keel

step "keel --version"
shown=$("$keel" --version) || fail "keel --version failed"
echo "$shown"
[[ $shown =~ ^keel\ ${version%-*}\ \(([0-9a-f]{4,}|unknown)\)$ ]] ||
  fail "keel --version says '$shown', not keel ${version%-*} (COMMIT)"
[[ $shown == *unknown* ]] && fail "keel --version does not name the commit"

step "man -w"
for page in keel keel-run keel-validate keel-compile keel-disasm keel-wat2wasm; do
  where=$(MANPATH=$root/usr/share/man man -w "$page") || fail "man -w $page found nothing"
  echo "$page: $where"
  [[ $where == "$root"/* ]] || fail "man -w $page: $where is not the installed page"
done
MANPATH=$root/usr/share/man MANWIDTH=80 man --warnings -E UTF-8 keel-run 2>&1 >/dev/null |
  grep . && fail "man keel-run warns"

step "bash completion of 'keel run --d'"
if [ -f /usr/share/bash-completion/bash_completion ]; then
  # bash-completion loads a command's script on first use from bash-completion/completions in
  # each of XDG_DATA_DIRS: the scratch root's usr/share first.
  got=$(XDG_DATA_DIRS=$root/usr/share:/usr/share PATH=$root/usr/bin:$PATH \
        bash --norc --noprofile -c '
    source /usr/share/bash-completion/bash_completion
    __load_completion keel || exit 3
    complete -p keel >&2
    COMP_LINE="keel run --d" COMP_POINT=12 COMP_WORDS=(keel run --d) COMP_CWORD=2
    _keel keel --d run
    printf "%s\n" "${COMPREPLY[@]}"') || fail "bash-completion did not load keel's completion"
  echo "$got"
  grep -qx -- --dir <<< "$got" || fail "'keel run --d' does not complete to --dir"
else
  echo "bash-completion is not installed: sourcing the script directly"
  bash "$here/../cli/completion_test.sh" "$root/usr/share/bash-completion/completions/keel" \
    "$root/usr/share/zsh/vendor-completions/_keel" \
    "$root/usr/share/fish/vendor_completions.d/keel.fish" || fail "completion_test.sh"
fi

step "keel run"
# (module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
module=$root/add.wasm
printf '\0asm\1\0\0\0\1\7\1\x60\2\x7f\x7f\1\x7f\3\2\1\0\7\7\1\3add\0\0\n\x09\1\7\0\x20\0\x20\1\x6a\x0b' \
  > "$module"
got=$("$keel" run --invoke add "$module" 2 40) || fail "keel run --invoke add failed"
[ "$got" = 42 ] || fail "keel run --invoke add 2 40 printed '$got'"
echo "add 2 40 = $got"
if [ -n "$example" ]; then
  echo "\$ keel run --dir $examples_dir::/src $example /src/wc.c"
  got=$("$keel" run --dir "$examples_dir::/src" "$example" /src/wc.c) || fail "keel run $example"
  echo "$got"
  [[ $got =~ ^\ +[0-9]+\ +[0-9]+\ +[0-9]+\ /src/wc.c$ ]] || fail "wc.wasm printed '$got'"
  "$keel" run "$example" /etc/passwd >/dev/null 2>&1 && fail "wc.wasm read /etc/passwd ungranted"
else
  echo "no example module given (the wasm toolchain is missing): only --invoke was run"
fi

echo
if [ "$failures" -gt 0 ]; then
  echo "test-deb.sh: $failures failure(s)" >&2
  exit 1
fi
echo "test-deb.sh: ok"

#!/usr/bin/env bash
# Installs every Debian 12 package that building and testing keel needs. Idempotent.
set -euo pipefail
packages=(
  # build
  cmake ninja-build g++ pkg-config git
  libasmjit-dev libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev nlohmann-json3-dev
  nettle-dev libxxhash-dev
  # tests: spec-suite conversion, wasm test programs, fuzzing, peers
  wabt binaryen
  clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 libclang-rt-19-dev
  nodejs python3 hyperfine time
  # packaging tests: the .deb and .rpm builds, lintian, manual pages, shell completions
  dpkg-dev debhelper fakeroot lintian rpm cpio groff mandoc man-db bash-completion zsh fish
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# nodejs from some repositories bundles npm; Debian ships it separately.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

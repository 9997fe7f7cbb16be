#!/usr/bin/env bash
# Checks keel's completion scripts as the shells use them.
# Usage: completion_test.sh BASH_SCRIPT [ZSH_SCRIPT [FISH_SCRIPT]]
# bash: the script is sourced, alone and after bash-completion (when installed), and its function
# called as readline would for a few command lines; `keel run --d` must offer --dir. zsh and fish
# scripts are parsed (fish's also asked for `keel run --d`) when those shells are installed, and
# skipped otherwise. Exits 0 when all pass, 1 on a failure.
set -uo pipefail
absolute() { if [ -z "$1" ] || [[ $1 == /* ]]; then echo "$1"; else echo "$PWD/$1"; fi; }
bash_script=$(absolute "$1") zsh_script=$(absolute "${2:-}") fish_script=$(absolute "${3:-}")
[ -f "$bash_script" ] || { echo "FAIL: no $bash_script" >&2; exit 1; }
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/data" "$work/docs"
touch "$work/m.wasm" "$work/notes.txt"

# Prints what the bash script completes LINE (cursor at the end) to, one per line. $1: "plain" or
# "bash-completion" (load that framework first).
bash_complete() {
  local mode=$1 line=$2
  ( cd "$work" || exit 1
    if [ "$mode" = bash-completion ]; then
      # shellcheck disable=SC1091
      source /usr/share/bash-completion/bash_completion >/dev/null 2>&1
    fi
    # shellcheck disable=SC1090
    source "$bash_script" || exit 1
    COMP_LINE=$line COMP_POINT=${#line}
    read -ra COMP_WORDS <<< "$line"
    [[ $line == *' ' ]] && COMP_WORDS+=('')
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _keel keel "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sort )
}

# expect MODE LINE WORD...: each WORD is among the completions. expect_not: none is.
expect() {
  local mode=$1 line=$2 got w; shift 2
  got=$(bash_complete "$mode" "$line")
  for w in "$@"; do
    grep -qxF -- "$w" <<< "$got" || fail "bash ($mode): '$line' does not offer '$w'; got: $(echo $got)"
  done
}
expect_not() {
  local mode=$1 line=$2 got w; shift 2
  got=$(bash_complete "$mode" "$line")
  for w in "$@"; do
    grep -qxF -- "$w" <<< "$got" && fail "bash ($mode): '$line' offers '$w'"
  done
}

modes=(plain)
if [ -f /usr/share/bash-completion/bash_completion ]; then
  modes+=(bash-completion)
else
  echo "note: bash-completion is not installed; the script is tested on its own only"
fi
for mode in "${modes[@]}"; do
  expect "$mode" 'keel run --d' --dir --dir-ro
  expect_not "$mode" 'keel run --d' --enable
  expect "$mode" 'keel ' run validate compile disasm m.wasm data
  expect_not "$mode" 'keel ' completion notes.txt
  expect "$mode" 'keel --d' --dir                       # keel --dir D FILE means keel run
  expect "$mode" 'keel run --compile ' lazy eager
  expect "$mode" 'keel run --profile=' perfmap
  expect "$mode" 'keel run --profile=per' perfmap
  expect "$mode" 'keel run --dir d' data docs
  expect "$mode" 'keel run --dir data::/data --dir-ro d' data docs
  expect "$mode" 'keel validate --enable simd,t' simd,tail-call simd,threads
  expect "$mode" 'keel disasm -' -f --function --enable --help
  expect_not "$mode" 'keel disasm -' --dir --invoke --no-interrupt-checks
  expect "$mode" 'keel run m.wasm n' notes.txt               # the guest's arguments: any file
  expect_not "$mode" 'keel run m.wasm --d' --dir
  expect "$mode" 'keel run --env A=1 -W timeout=1s m' m.wasm
  expect "$mode" 'keel run -W unknown-imports-' unknown-imports-trap unknown-imports-default
  expect "$mode" 'keel run -S inherit-env,inherit-n' inherit-env,inherit-network
  expect "$mode" 'keel run -O opt' opt-level
  expect "$mode" 'keel run --pre' --preload
done
echo "bash: $(( ${#modes[@]} * 20 )) completions checked"

if [ -n "$zsh_script" ]; then
  if command -v zsh >/dev/null; then
    zsh -n "$zsh_script" || fail "zsh -n $zsh_script"
    head -1 "$zsh_script" | grep -qx '#compdef keel' || fail "$zsh_script: no #compdef line"
    echo "zsh: parsed"
  else
    echo "note: zsh is not installed; $zsh_script not checked"
  fi
fi
if [ -n "$fish_script" ]; then
  if command -v fish >/dev/null; then
    fish --no-execute "$fish_script" || fail "fish --no-execute $fish_script"
    got=$(cd "$work" && fish --no-config -c "source $(printf '%q' "$fish_script"); complete -C 'keel run --d'")
    grep -q '^--dir\b' <<< "$got" || fail "fish: 'keel run --d' does not offer --dir; got: $got"
    got=$(cd "$work" && fish --no-config -c "source $(printf '%q' "$fish_script"); complete -C 'keel '")
    grep -q '^run\b' <<< "$got" || fail "fish: 'keel ' does not offer run; got: $got"
    echo "fish: parsed and asked"
  else
    echo "note: fish is not installed; $fish_script not checked"
  fi
fi
[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "completion_test: ok"

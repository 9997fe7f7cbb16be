#!/usr/bin/env bash
# What `keel run` does as a process, which the in-process tests cannot see: SIGPIPE is ignored, so
# a guest writing to a closed pipe gets EPIPE from fd_write (`keel run tool.wasm | head -1`), and
# fds 0, 1, 2 that keel was started without stay closed for the guest (EBADF) while nothing keel
# opens (a perf map, a preopened directory, a listening socket) takes their numbers.
# Usage: process_test.sh KEEL
set -u
keel=$1
# A run that regresses may loop (a perf map taking fd 1 swallows every write): bounded.
k() { timeout 20 "$keel" "$@"; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
check() {  # NAME GOT WANT
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL $1: got $2, want $3"; fail=1; fi
}

# Writes "y\n" to stdout until fd_write fails, then exits with its errno.
cat >"$dir/yes.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "y\n")
  (func (export "_start") (local $e i32)
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 2))
    (loop $again
      (local.set $e (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br_if $again (i32.eqz (local.get $e))))
    (call $exit (local.get $e))))
WAT
# Exits 99 if fd 0 is a preopened directory, else with fd_read(0)'s errno (0: it read).
cat >"$dir/stdin.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (if (i32.eqz (call $prestat (i32.const 0) (i32.const 64))) (then (call $exit (i32.const 99))))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 4))
    (call $exit (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))
WAT

# EPIPE is 64 in WASI, EBADF 8.
k run "$dir/yes.wat" | head -1 >"$dir/first"
check "guest gets EPIPE from a closed pipe (keel not killed by SIGPIPE)" "${PIPESTATUS[0]}" 64
check "head read the first line" "$(cat "$dir/first")" y
k run "$dir/yes.wat" >&-
check "closed stdout: fd_write gives EBADF" $? 8
k run --profile=perfmap "$dir/yes.wat" >&-
check "closed stdout with --profile=perfmap: the perf map does not become the guest's stdout" $? 8
echo hello | k run "$dir/stdin.wat"
check "open stdin reads" $? 0
k run "$dir/stdin.wat" <&-
check "closed stdin: fd_read gives EBADF" $? 8
k run --dir "$dir::/d" "$dir/stdin.wat" <&-
check "closed stdin with --dir: fd 0 is not the directory" $? 8
k run --tcplisten 127.0.0.1:0 "$dir/stdin.wat" <&-
check "closed stdin with --tcplisten: fd 0 is not the socket" $? 8
k run "$dir/yes.wat" 2>&- | head -1 >/dev/null
check "closed stderr changes nothing for stdout" "${PIPESTATUS[0]}" 64
# -W timeout wakes WASI calls that block: a 30 s sleep in poll_oneoff, fd_read on a stdin that
# never ends, sock_accept with no client. Each traps with "interrupted" (exit 134) at once.
cat >"$dir/sleep.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 16) (i32.const 1))              ;; the monotonic clock
    (i64.store (i32.const 24) (i64.const 30000000000))    ;; 30 s, relative
    (drop (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))))
WAT
cat >"$dir/accept.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $exit (call $accept (i32.const 3) (i32.const 0) (i32.const 0)))))
WAT
timed() {  # NAME COMMAND...: exit 134, "interrupted", in well under the 30 s it would block
  local name=$1 start=$SECONDS status; shift
  "$@" 2>"$dir/err"
  status=$?
  check "$name: exit status" "$status" 134
  check "$name: says interrupted" "$(grep -c 'interrupted' "$dir/err")" 1
  check "$name: at the deadline" "$(( SECONDS - start < 5 ))" 1
}
timed "-W timeout wakes poll_oneoff" k run -W timeout=300ms "$dir/sleep.wat"
timed "-W timeout wakes fd_read on stdin" k run -W timeout=300ms "$dir/stdin.wat" < <(sleep 8)
timed "-W timeout wakes sock_accept" k run -W timeout=300ms --tcplisten 127.0.0.1:0 "$dir/accept.wat"

# -S inherit-stdin=n: an empty stdin; inherit-stdout=n: stdout discarded. cat.wat copies one read.
cat >"$dir/cat.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 64))
    (if (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (call $exit (i32.const 10))))
    (i32.store (i32.const 4) (i32.load (i32.const 8)))
    (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (call $exit (i32.const 11))))))
WAT
check "stdin and stdout inherited" "$(echo hi | k run "$dir/cat.wat")" hi
check "-S inherit-stdin=n: empty" "$(echo hi | k run -S inherit-stdin=n "$dir/cat.wat"; echo "rc=$?")" rc=0
check "-S inherit-stdout=n: discarded" "$(echo hi | k run -S inherit-stdout=n "$dir/cat.wat"; echo "rc=$?")" rc=0

# A module given as - is read from standard input.
printf '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))' |
  k run --invoke add - 2 3 >"$dir/sum"
check "module from standard input" "$(cat "$dir/sum")" 5
printf '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))' |
  k --invoke add - 40 2 >"$dir/sum"
check "module from standard input, without run" "$(cat "$dir/sum")" 42
exit $fail

;; Tier 2 loop vectorization (jit/optimizing/passes/loop_vectorization.h): pairs that must
;; give what the scalar loop gives, runtime checks that must send a loop back to the scalar
;; copy, traps that must come where the scalar loop traps. The expected values are the
;; reference interpreter's (wabt's spectest-interp, which the ctest loop-vectorization-reference
;; runs on this file). The module's loops have the shape the pass pairs into f64x2 (two f64 lanes
;; a pass, as clang unrolls by two without SIMD), or look alike and must stay scalar.
(module
  (memory (export "memory") 1)

  ;; Memory at `addr`, `count` f64s: i * 0.25 + seed.
  (func (export "fill") (param $addr i32) (param $count i32) (param $seed f64)
    (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (f64.store (i32.add (local.get $addr) (i32.shl (local.get $i) (i32.const 3)))
          (f64.add (local.get $seed)
                   (f64.mul (f64.convert_i32_u (local.get $i)) (f64.const 0.25))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))

  ;; A checksum of `bytes` bytes at `addr`, eight at a time.
  (func (export "sum") (param $addr i32) (param $bytes i32) (result i64)
    (local $i i32) (local $h i64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $h
          (i64.add (i64.rotl (local.get $h) (i64.const 7))
                   (i64.load (i32.add (local.get $addr) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $l)))
    (local.get $h))

  ;; dst[i] += a * src[i], two lanes a pass, the second through address arithmetic.
  (func $axpy (export "axpy") (param $dst i32) (param $src i32) (param $bytes i32) (param $a f64)
    (local $p i32) (local $d i32) (local $s i32)
    (loop $l
      (local.set $d (i32.add (local.get $p) (local.get $dst)))
      (local.set $s (i32.add (local.get $p) (local.get $src)))
      (f64.store (local.get $d)
        (f64.add (f64.mul (local.get $a) (f64.load (local.get $s))) (f64.load (local.get $d))))
      (f64.store (i32.add (local.get $d) (i32.const 8))
        (f64.add (f64.mul (local.get $a) (f64.load (i32.add (local.get $s) (i32.const 8))))
                 (f64.load (i32.add (local.get $d) (i32.const 8)))))
      (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16)))
                        (local.get $bytes)))))

  ;; dst[i] = (src[i] - dst[i]) / a: operands that do not commute; the second lane through offset
  ;; immediates, written first; the counter as the address's root plus constants.
  (func (export "sub_div") (param $dst i32) (param $src i32) (param $bytes i32) (param $a f64)
    (local $p i32)
    (loop $l
      (f64.store offset=8 (i32.add (local.get $dst) (local.get $p))
        (f64.div (f64.sub (f64.load offset=8 (i32.add (local.get $src) (local.get $p)))
                          (f64.load offset=8 (i32.add (local.get $dst) (local.get $p))))
                 (local.get $a)))
      (f64.store (i32.add (local.get $dst) (local.get $p))
        (f64.div (f64.sub (f64.load (i32.add (local.get $src) (local.get $p)))
                          (f64.load (i32.add (local.get $dst) (local.get $p))))
                 (local.get $a)))
      (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16)))
                        (local.get $bytes)))))

  ;; Both lanes store one value from outside the loop; the counter is the address.
  (func (export "splat") (param $from i32) (param $to i32) (param $a f64)
    (local $p i32)
    (local.set $p (local.get $from))
    (loop $l
      (f64.store (local.get $p) (local.get $a))
      (f64.store offset=8 (local.get $p) (local.get $a))
      (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16)))
                        (local.get $to)))))

  ;; The second lane reads what the first just stored: not a pair, stays scalar.
  (func (export "forward") (param $dst i32) (param $src i32) (param $bytes i32) (param $a f64)
    (local $p i32) (local $d i32)
    (loop $l
      (local.set $d (i32.add (local.get $p) (local.get $dst)))
      (f64.store (local.get $d)
        (f64.mul (local.get $a) (f64.load (i32.add (local.get $p) (local.get $src)))))
      (f64.store offset=8 (local.get $d)
        (f64.add (f64.load (local.get $d))
                 (f64.load offset=8 (i32.add (local.get $p) (local.get $src)))))
      (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16)))
                        (local.get $bytes)))))

  ;; A value the loop computes is used after it: both loops hand it to the code after them.
  (func (export "axpy_last") (param $dst i32) (param $src i32) (param $bytes i32) (param $a f64)
    (result i32)
    (local $p i32) (local $d i32)
    (loop $l
      (local.set $d (i32.add (local.get $p) (local.get $dst)))
      (f64.store (local.get $d)
        (f64.add (f64.mul (local.get $a) (f64.load (i32.add (local.get $p) (local.get $src))))
                 (f64.load (local.get $d))))
      (f64.store offset=8 (local.get $d)
        (f64.add (f64.mul (local.get $a) (f64.load offset=8 (i32.add (local.get $p) (local.get $src))))
                 (f64.load offset=8 (local.get $d))))
      (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16)))
                        (local.get $bytes))))
    (i32.add (local.get $d) (local.get $p)))
)

(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; disjoint: the vector loop
(assert_return (invoke "axpy" (i32.const 0) (i32.const 8192) (i32.const 2048) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 12288)) (i64.const -8981278519131124385))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; the same array: allowed, each lane keeps its order
(assert_return (invoke "axpy" (i32.const 4096) (i32.const 4096) (i32.const 2048) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 12288)) (i64.const 869888369675616507))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; dst = src + 8: each pass reads what the last one wrote; scalar
(assert_return (invoke "axpy" (i32.const 8) (i32.const 0) (i32.const 2048) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 4096)) (i64.const 2623114132606061677))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; dst = src - 8: scalar
(assert_return (invoke "axpy" (i32.const 0) (i32.const 8) (i32.const 2048) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 4096)) (i64.const 6890276830098052198))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; dst = src + 24: far enough apart for pairs
(assert_return (invoke "axpy" (i32.const 24) (i32.const 0) (i32.const 2048) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 4096)) (i64.const 7735339226044555431))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; dst = src + 16: the next pass reads what this one wrote
(assert_return (invoke "axpy" (i32.const 16) (i32.const 0) (i32.const 2048) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 4096)) (i64.const 8761787190794495333))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; unaligned
(assert_return (invoke "axpy" (i32.const 3) (i32.const 8195) (i32.const 2048) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 12288)) (i64.const 1903774976038592213))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; one pass
(assert_return (invoke "axpy" (i32.const 0) (i32.const 8192) (i32.const 16) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 12288)) (i64.const 4865638852953996681))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; not a whole number of passes: runs off the end of memory
(assert_trap (invoke "axpy" (i32.const 0) (i32.const 8192) (i32.const 24) (f64.const 1.5)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 0) (i32.const 65536)) (i64.const -4333893497884607187))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; bound = start: goes round until it runs off the end
(assert_trap (invoke "axpy" (i32.const 0) (i32.const 8192) (i32.const 0) (f64.const 1.5)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 0) (i32.const 65536)) (i64.const -4333893497884607187))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; the last pass: lane 0 in bounds, lane 1 not; lane 0 is stored before the trap
(assert_trap (invoke "axpy" (i32.const 65256) (i32.const 0) (i32.const 288) (f64.const 1.5)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 65000) (i32.const 536)) (i64.const 5655015393802209895))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; the last 16 bytes of memory: in bounds
(assert_return (invoke "axpy" (i32.const 65520) (i32.const 0) (i32.const 16) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 65000) (i32.const 536)) (i64.const 8975746139137767512))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; a load of lane 1 past the end
(assert_trap (invoke "axpy" (i32.const 0) (i32.const 65528) (i32.const 16) (f64.const 1.5)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 0) (i32.const 65536)) (i64.const -8565099133796854054))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; the address wraps to 0 in the second pass
(assert_trap (invoke "axpy" (i32.const -16) (i32.const 0) (i32.const 32) (f64.const 1.5)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 0) (i32.const 65536)) (i64.const -8017904349226714813))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; sub/div, lane 1 written first
(assert_return (invoke "sub_div" (i32.const 0) (i32.const 8192) (i32.const 4096) (f64.const 0.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 12288)) (i64.const 1268956823371541329))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; sub/div on one array
(assert_return (invoke "sub_div" (i32.const 0) (i32.const 0) (i32.const 4096) (f64.const 0.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 4096)) (i64.const 0))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; sub/div overlapping
(assert_return (invoke "sub_div" (i32.const 8) (i32.const 0) (i32.const 4096) (f64.const 0.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 4104)) (i64.const -5563377243022276939))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; a value from outside the loop in both lanes
(assert_return (invoke "splat" (i32.const 1008) (i32.const 2000) (f64.const 2.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 4096)) (i64.const 5354399549562597340))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; splat, bound = start
(assert_trap (invoke "splat" (i32.const 1008) (i32.const 1008) (f64.const 2.5)) "out of bounds memory access")
(assert_return (invoke "sum" (i32.const 0) (i32.const 65536)) (i64.const 3892637163512138466))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; lane 1 reads lane 0 store
(assert_return (invoke "forward" (i32.const 0) (i32.const 8192) (i32.const 2048) (f64.const 1.5)))
(assert_return (invoke "sum" (i32.const 0) (i32.const 12288)) (i64.const 7655783057831580609))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; values used after the loop: the last d plus the counter
(assert_return (invoke "axpy_last" (i32.const 0) (i32.const 8192) (i32.const 2048) (f64.const 1.5)) (i32.const 4080))
(assert_return (invoke "sum" (i32.const 0) (i32.const 12288)) (i64.const -8981278519131124385))
(invoke "fill" (i32.const 0) (i32.const 8192) (f64.const 1.0))
;; values used after the loop, scalar
(assert_return (invoke "axpy_last" (i32.const 8) (i32.const 0) (i32.const 2048) (f64.const 1.5)) (i32.const 4088))
(assert_return (invoke "sum" (i32.const 0) (i32.const 4096)) (i64.const 2623114132606061677))

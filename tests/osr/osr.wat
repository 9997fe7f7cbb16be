;; Loops whose headers OSR can enter, with every kind of value live there. tests/osr/osr_test.sh
;; runs each export with tier 1 alone and tiered with OSR forced at several budgets, and compares.
(module
  (type $ret_i32 (func (result i32)))
  (table $t 2 funcref)
  (elem (i32.const 0) $ten $twenty)
  (func $ten (result i32) (i32.const 10))
  (func $twenty (result i32) (i32.const 20))

  ;; i32, i64, f32 and f64 locals (a parameter among them) live across the header.
  (func (export "scalars") (param $n i32) (result i64)
    (local $a i64) (local $f f32) (local $d f64) (local $i i32)
    (local.set $a (i64.const 7))
    (local.set $f (f32.const 1.5))
    (local.set $d (f64.const 2.25))
    (loop $l
      (local.set $a (i64.add (i64.mul (local.get $a) (i64.const 3))
                             (i64.extend_i32_u (local.get $i))))
      (local.set $f (f32.add (local.get $f) (f32.const 0.5)))
      (local.set $d (f64.mul (local.get $d) (f64.const 1.0001)))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i64.add (local.get $a)
             (i64.add (i64.trunc_f32_s (local.get $f)) (i64.reinterpret_f64 (local.get $d)))))

  ;; A v128 local.
  (func (export "vector") (param $n i32) (result v128) (local $v v128) (local $i i32)
    (local.set $v (v128.const i32x4 1 2 3 4))
    (loop $l
      (local.set $v (i32x4.add (i32x4.mul (local.get $v) (i32x4.splat (i32.const 3)))
                               (i32x4.splat (local.get $i))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $v))

  ;; funcref and externref locals.
  (func (export "refs") (param $n i32) (result i32)
    (local $r funcref) (local $e externref) (local $i i32) (local $s i32)
    (local.set $r (ref.func $twenty))
    (loop $l
      (local.set $s (i32.add (local.get $s)
                             (call_indirect (type $ret_i32) (i32.rem_u (local.get $i) (i32.const 2)))))
      (if (ref.is_null (local.get $e)) (then (local.set $s (i32.add (local.get $s) (i32.const 1)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (table.set $t (i32.const 0) (local.get $r))
    (i32.add (local.get $s) (call_indirect (type $ret_i32) (i32.const 0))))

  ;; Operand-stack values at the header: the loop's parameters.
  (func (export "params") (param $n i32) (result i32 i64) (local $c i32) (local $acc i64)
    (i32.const 0) (i64.const 1)
    (loop $l (param i32 i64) (result i32 i64)
      (local.set $acc) (local.set $c)
      (i32.add (local.get $c) (i32.const 1))
      (i64.add (i64.mul (local.get $acc) (i64.const 5)) (i64.const 3))
      (br_if $l (i32.lt_u (i32.add (local.get $c) (i32.const 1)) (local.get $n)))))

  ;; Nested loops: entered at the inner one, the outer loop's back-edge runs code before it.
  (func (export "nested") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (local.set $s (i32.xor (local.get $s) (i32.const 0x55)))
      (loop $inner
        (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $j))))
        (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1)))
                                (i32.mul (local.get $n) (i32.const 4)))))
      (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))

  ;; A loop inside a block with a multi-value type, and branches out of the loop to it.
  (func (export "in_block") (param $n i32) (result i32 i32) (local $i i32)
    (block $b (result i32 i32)
      (i32.const 5) (i32.const 6)
      (br_if $b (i32.eqz (local.get $n)))
      (drop) (drop)
      (loop $l
        (if (i32.eq (local.get $i) (i32.const 1000))
          (then (br $b (local.get $i) (i32.const 1))))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
      (local.get $i) (i32.const 7)))

  ;; Values of enclosing blocks below the loop, of every numeric type, in two frames, under a loop
  ;; with a parameter: the OSR entry takes them from the tier-1 frame too.
  (func (export "below") (param $n i32) (result i32) (local $i i32) (local $v v128)
    (i32.const 100) (i64.const 7) (f64.const 2.5) (v128.const i32x4 1 2 3 4)
    (block (result i32)
      (i32.const 9)
      (loop $l (param i32) (result i32)
        (i32.add (i32.const 3))
        (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n)))))
    ;; 100 + 7 + trunc(2.5) + (9 + 3 * max(n, 1)) + 4
    (i32x4.replace_lane 0)
    (local.set $v)
    (i32.trunc_f64_s)
    (i64.extend_i32_s)
    (i64.add)
    (i32.wrap_i64)
    (i32.add)
    (i32.add (i32x4.extract_lane 0 (local.get $v)))
    (i32.add (i32x4.extract_lane 3 (local.get $v))))

  ;; Memory traffic in the loop, and a trap in OSR'd code: the backtrace names both frames.
  (memory 1)
  (func $fill (param $n i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (i32.store (i32.mul (i32.and (local.get $i) (i32.const 1023)) (i32.const 4))
                 (i32.add (local.get $s) (local.get $i)))
      (local.set $s (i32.add (local.get $s)
                             (i32.load (i32.mul (i32.and (i32.shr_u (local.get $i) (i32.const 1))
                                                         (i32.const 1023))
                                                (i32.const 4)))))
      (if (i32.eq (local.get $i) (i32.const 5000)) (then unreachable))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $s))
  (func (export "fill") (param $n i32) (result i32) (call $fill (local.get $n))))

;; The shapes keel-regalloc-compare's x86::Compiler back end lowers, for its smoke test: a loop
;; with rotated block parameters, select, division, shifts, loads and stores, a global, a direct
;; call, and br_table with repeated targets (which asmjit's allocator once asserted on).
(module
  (memory 1)
  (global $g (mut i32) (i32.const 16))
  (func $leaf (param i32 i32) (result i32)
    (i32.add (local.get 0) (i32.rotl (local.get 1) (i32.const 3))))
  (func $loop (export "loop") (param $n i32) (param $p i32) (result i32)
    (local $a i32) (local $b i32) (local $t i32)
    (local.set $a (i32.const 1))
    (local.set $b (i32.const 2))
    (block $done
      (loop $again
        (br_if $done (i32.eqz (local.get $n)))
        ;; a, b = b, a + b: the back edge swaps parameters
        (local.set $t (local.get $a))
        (local.set $a (local.get $b))
        (local.set $b (i32.add (local.get $t) (local.get $b)))
        (i32.store offset=8 (local.get $p)
          (select (local.get $a) (i32.div_s (local.get $b) (local.get $n))
                  (i32.lt_u (local.get $a) (local.get $b))))
        (global.set $g (i32.shr_u (i32.load (local.get $p)) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $again)))
    (call $leaf (local.get $a) (global.get $g)))
  (func $switch (export "switch") (param i32) (result i64)
    (block $c
      (block $b
        (block $a
          (br_table $a $b $a $c $b $a $c (local.get 0)))
        (return (i64.const 10)))
      (return (i64.extend_i32_u (i32.clz (local.get 0)))))
    (i64.mul (i64.load8_s (local.get 0)) (i64.const 3))))

;; Tier 2's redundant load elimination on table slots (jit/optimizing/passes/redundant_loads.h):
;; a table.get or call_indirect right after a table.set of the same slot. Each must give what the
;; unoptimized code gives, traps included.
(module
  (type $ii (func (param i32) (result i32)))
  (type $v (func (result i32)))
  (table $t 4 funcref)
  (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $seven (type $v) (i32.const 7))
  (elem declare func $double $seven)

  ;; Stored, then called through: a direct call of $double.
  (func (export "set_call") (param $slot i32) (param $x i32) (result i32)
    (table.set $t (local.get $slot) (ref.func $double))
    (call_indirect $t (type $ii) (local.get $x) (local.get $slot)))
  ;; The type differs: still an indirect call, which traps.
  (func (export "set_call_wrong_type") (param $slot i32) (result i32)
    (table.set $t (local.get $slot) (ref.func $seven))
    (call_indirect $t (type $ii) (i32.const 1) (local.get $slot)))
  ;; Another slot written in between: it may be the same one.
  (func (export "set_set_call") (param $a i32) (param $b i32) (result i32)
    (table.set $t (local.get $a) (ref.func $double))
    (table.set $t (local.get $b) (ref.func $seven))
    (call_indirect $t (type $ii) (i32.const 5) (local.get $a)))
  ;; A table.get of the stored slot.
  (func (export "set_get") (param $slot i32) (result i32)
    (table.set $t (local.get $slot) (ref.func $seven))
    (ref.is_null (table.get $t (local.get $slot))))
  ;; Out of bounds: the table.set traps first.
  (func (export "set_call_oob") (result i32)
    (table.set $t (i32.const 4) (ref.func $double))
    (call_indirect $t (type $ii) (i32.const 1) (i32.const 4)))
)
(assert_return (invoke "set_call" (i32.const 0) (i32.const 21)) (i32.const 42))
(assert_return (invoke "set_call" (i32.const 3) (i32.const -4)) (i32.const -8))
(assert_trap (invoke "set_call_wrong_type" (i32.const 1)) "indirect call type mismatch")
(assert_return (invoke "set_set_call" (i32.const 0) (i32.const 1)) (i32.const 10))
(assert_trap (invoke "set_set_call" (i32.const 2) (i32.const 2)) "indirect call type mismatch")
(assert_return (invoke "set_get" (i32.const 2)) (i32.const 0))
(assert_trap (invoke "set_call_oob") "out of bounds table access")

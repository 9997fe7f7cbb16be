(module $m
  (func $first)
  (func)
  (func $third (param $p i32) (local $l i32)))

;; The provider of link.wat: exports instance test:math/calc.
(component
  (core module $M
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func (export "low-byte") (param i32) (result i32) (local.get 0))
    (func (export "seven") (result i32) (i32.const 7)))
  (core instance $m (instantiate $M))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $m "add")))
  (func $low (param "x" u32) (result u8) (canon lift (core func $m "low-byte")))
  (instance $calc (export "add" (func $add)) (export "low-byte" (func $low)))
  (export "test:math/calc" (instance $calc))
  (func (export "unused") (result u32) (canon lift (core func $m "seven")))
)

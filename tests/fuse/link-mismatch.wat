;; A consumer whose import does not match link-provider.wat's export:
;; "add" takes one parameter here.  Fusing the two is a link error.
(component
  (import "test:math/calc" (instance $calc
    (export "add" (func (param "a" u32) (result u32)))))
  (alias export $calc "add" (func $add))
  (core func $add-low (canon lower (func $add)))
  (core module $M
    (import "calc" "add" (func $add (param i32) (result i32)))
    (func (export "run") (result i32) (call $add (i32.const 20))))
  (core instance $m (instantiate $M (with "calc" (instance (export "add" (func $add-low))))))
  (func (export "run") (result u32) (canon lift (core func $m "run")))
)

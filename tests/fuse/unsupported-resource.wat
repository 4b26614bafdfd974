;; A resource handle crossing between two components needs handle tables,
;; which are not generated yet: refused, naming the function and the type.
(component
  (import "host:test/api" (instance $api (export "r" (type (sub resource)))))
  (alias export $api "r" (type $r))
  (component $Callee
    (import "r" (type $r (sub resource)))
    (core module $M
      (func (export "take") (param i32) (result i32) (local.get 0)))
    (core instance $m (instantiate $M))
    (func (export "take") (param "x" (own $r)) (result u32)
      (canon lift (core func $m "take"))))
  (component $Caller
    (import "r" (type $r (sub resource)))
    (import "take" (func $take (param "x" (own $r)) (result u32)))
    (core func $take-low (canon lower (func $take)))
    (core module $M
      (import "x" "take" (func $take (param i32) (result i32)))
      (func (export "run") (param i32) (result i32) (call $take (local.get 0))))
    (core instance $m (instantiate $M (with "x" (instance (export "take" (func $take-low))))))
    (func (export "run") (param "h" u32) (result u32) (canon lift (core func $m "run"))))
  (instance $callee (instantiate $Callee (with "r" (type $r))))
  (instance $caller (instantiate $Caller (with "r" (type $r))
    (with "take" (func $callee "take"))))
  (export "run" (func $caller "run"))
)

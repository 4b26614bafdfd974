;; wit-component's indirect-call pattern, written by hand: $Main calls
;; through a trampoline of $Shim, whose table slot $Fixup's element segment
;; fills with $Adapter's function once $Adapter exists.  The fusion resolves
;; the trampoline into a direct call (and keeps the table working).
(component
  (core module $Shim
    (type $t (func (param i32) (result i32)))
    (table (export "$imports") 1 1 funcref)
    (func (export "0") (type $t)
      (call_indirect (type $t) (local.get 0) (i32.const 0))))
  (core module $Main
    (import "adapter" "double" (func $d (param i32) (result i32)))
    (func (export "run") (param i32) (result i32) (call $d (local.get 0))))
  (core module $Adapter
    (func (export "double") (param i32) (result i32)
      (i32.mul (local.get 0) (i32.const 2))))
  (core module $Fixup
    (type $t (func (param i32) (result i32)))
    (import "" "0" (func (type $t)))
    (import "" "$imports" (table 1 1 funcref))
    (elem (i32.const 0) func 0))
  (core instance $shim (instantiate $Shim))
  (core instance $main (instantiate $Main
    (with "adapter" (instance (export "double" (func $shim "0"))))))
  (core instance $adapter (instantiate $Adapter))
  (core instance $fixup (instantiate $Fixup
    (with "" (instance
      (export "0" (func $adapter "double"))
      (export "$imports" (table $shim "$imports"))))))
  (func (export "run") (param "x" u32) (result u32)
    (canon lift (core func $main "run")))
  (func (export "via-shim") (param "x" u32) (result u32)
    (canon lift (core func $shim "0")))
)

;; calc.wat: a small composition for `meld inspect` and `meld fuse`.
;;
;; $adder exports the interface example:calc/math with `add`; $app imports
;; that interface, calls it from its own core module and exports `run`.
;; The outer component instantiates both and wires one into the other.
;;
;;   jco parse examples/calc.wat -o examples/calc.wasm
;;   meld inspect examples/calc.wasm
(component
  (component $adder
    (core module $m
      (func (export "add") (param i32 i32) (result i32)
        local.get 0
        local.get 1
        i32.add))
    (core instance $i (instantiate $m))
    (type $add-t (func (param "a" u32) (param "b" u32) (result u32)))
    (func $add (type $add-t) (canon lift (core func $i "add")))
    (instance $math (export "add" (func $add)))
    (export "example:calc/math" (instance $math)))

  (component $app
    (import "example:calc/math" (instance $math
      (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
    (core func $add (canon lower (func $math "add")))
    (core instance $imports (export "add" (func $add)))
    (core module $m
      (import "example:calc/math" "add" (func $add (param i32 i32) (result i32)))
      (func (export "run") (result i32)
        i32.const 40
        i32.const 2
        call $add))
    (core instance $i (instantiate $m
      (with "example:calc/math" (instance $imports))))
    (func (export "run") (result u32) (canon lift (core func $i "run"))))

  (instance $a (instantiate $adder))
  (instance $b (instantiate $app
    (with "example:calc/math" (instance $a "example:calc/math"))))
  (export "run" (func $b "run")))

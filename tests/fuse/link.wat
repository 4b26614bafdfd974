;; Several inputs: this consumer is given first on the command line, its
;; provider (link-provider.wat) second; meld instantiates the provider first
;; and satisfies the consumer's import with the provider's export.
(component
  (import "test:math/calc" (instance $calc
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))
    (export "low-byte" (func (param "x" u32) (result u8)))))
  (alias export $calc "add" (func $add))
  (alias export $calc "low-byte" (func $low))
  (core func $add-low (canon lower (func $add)))
  (core func $low-low (canon lower (func $low)))
  (core module $M
    (import "calc" "add" (func $add (param i32 i32) (result i32)))
    (import "calc" "low-byte" (func $low (param i32) (result i32)))
    (func (export "run") (result i32) (call $add (i32.const 20) (i32.const 22)))
    (func (export "low") (param i32) (result i32) (call $low (local.get 0))))
  (core instance $m (instantiate $M
    (with "calc" (instance (export "add" (func $add-low)) (export "low-byte" (func $low-low))))))
  (func (export "run") (result u32) (canon lift (core func $m "run")))
  (func (export "low") (param "x" u32) (result u32) (canon lift (core func $m "low")))
)

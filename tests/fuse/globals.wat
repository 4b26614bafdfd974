;; Globals across instances.  Imported immutable globals used in constant
;; expressions (global initialisers, offsets of segments that stay active)
;; are replaced by the constant they are bound to, through chains of
;; imports; a mutable global is shared by its importers.
(component
  (core module $A
    (global (export "base") i32 (i32.const 16))
    (global (export "counter") (mut i32) (i32.const 0)))
  (core module $B
    (import "a" "base" (global $base i32))
    (import "a" "counter" (global $counter (mut i32)))
    (global $twice (export "twice") i32 (global.get $base))
    (memory 1)
    (table 32 funcref)
    (func $nine (result i32) (i32.const 9))
    (data (global.get $base) "\2a")
    (elem (offset (global.get $base)) func)
    (elem (i32.const 2) func $nine)
    (type $t (func (result i32)))
    (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "call") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
    (func (export "bump") (result i32)
      (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
      (global.get $counter)))
  (core module $C
    (import "b" "twice" (global $t i32))
    (import "a" "counter" (global $counter (mut i32)))
    (global $mine i32 (global.get $t))
    (func (export "mine") (result i32) (global.get $mine))
    (func (export "counter") (result i32) (global.get $counter)))
  (core instance $a (instantiate $A))
  (core instance $b (instantiate $B (with "a" (instance $a))))
  (core instance $c (instantiate $C (with "a" (instance $a)) (with "b" (instance $b))))
  (func (export "peek") (param "at" u32) (result u32) (canon lift (core func $b "peek")))
  (func (export "call") (param "at" u32) (result u32) (canon lift (core func $b "call")))
  (func (export "bump") (result u32) (canon lift (core func $b "bump")))
  (func (export "mine") (result u32) (canon lift (core func $c "mine")))
  (func (export "counter") (result u32) (canon lift (core func $c "counter")))
)

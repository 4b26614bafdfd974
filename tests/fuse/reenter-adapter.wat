;; Reentrance through adapters (CanonicalABI.md "may_enter_from"): the
;; shape of reenter.wat, with strings, so every call between P and its
;; child C is a generated adapter that tests and clears C's may_enter
;; itself.  Host → C.call-back → P.back → C.leaf re-enters C and traps;
;; C.leaf from the host, or through P.back from the host, does not.
(component
  (core module $Tab
    (type $t (func (param i32 i32) (result i32)))
    (table (export "t") 1 1 funcref)
    (memory (export "mem") 1)
    (data (i32.const 100) "four")
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 512))
    (func (export "back") (param i32 i32) (result i32)
      (call_indirect (type $t) (local.get 0) (local.get 1) (i32.const 0)))
    (func (export "back-here") (result i32)
      (call_indirect (type $t) (i32.const 100) (i32.const 4) (i32.const 0))))
  (core instance $tab (instantiate $Tab))
  (func $back (param "s" string) (result u32)
    (canon lift (core func $tab "back") (memory (core memory $tab "mem"))
      (realloc (core func $tab "realloc"))))
  (component $C
    (import "back" (func $back (param "s" string) (result u32)))
    (core module $Libc
      (memory (export "mem") 1)
      (data (i32.const 100) "hello")
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 512)))
    (core instance $libc (instantiate $Libc))
    (core func $back-low (canon lower (func $back) (memory (core memory $libc "mem"))))
    (core module $M
      (import "p" "back" (func $back (param i32 i32) (result i32)))
      (func (export "call-back") (result i32) (call $back (i32.const 100) (i32.const 5)))
      (func (export "leaf") (param i32 i32) (result i32)
        (i32.add (local.get 1) (i32.const 1000))))
    (core instance $m (instantiate $M (with "p" (instance (export "back" (func $back-low))))))
    (func (export "call-back") (result u32) (canon lift (core func $m "call-back")))
    (func (export "leaf") (param "s" string) (result u32)
      (canon lift (core func $m "leaf") (memory (core memory $libc "mem"))
        (realloc (core func $libc "realloc")))))
  (instance $c (instantiate $C (with "back" (func $back))))
  (core func $leaf-low (canon lower (func $c "leaf") (memory (core memory $tab "mem"))))
  (core module $Fill
    (import "p" "t" (table 1 1 funcref))
    (import "c" "leaf" (func $leaf (param i32 i32) (result i32)))
    (elem (i32.const 0) func $leaf))
  (core instance (instantiate $Fill
    (with "p" (instance $tab))
    (with "c" (instance (export "leaf" (func $leaf-low))))))
  (func $back-here (result u32) (canon lift (core func $tab "back-here")))
  (export "call-back" (func $c "call-back"))
  (export "back-here" (func $back-here))
)

;; Reentrance (CanonicalABI.md "may_enter"): the parent P lowers the child
;; C's export "leaf" and reaches it through a table (donut wrapping), while
;; C calls P's "back".  Host → C.call-back → P.back → C.leaf re-enters C,
;; which traps; C.leaf called on its own, or through P.back from the host,
;; does not.  The fused module keeps a may_enter flag for C only.
(component
  (core module $Tab
    (type $t (func (result i32)))
    (table (export "t") 1 1 funcref)
    (func (export "back") (result i32) (call_indirect (type $t) (i32.const 0))))
  (core instance $tab (instantiate $Tab))
  (func $back (result u32) (canon lift (core func $tab "back")))
  (component $C
    (import "back" (func $back (result u32)))
    (core func $back-low (canon lower (func $back)))
    (core module $M
      (import "p" "back" (func $back (result i32)))
      (func (export "call-back") (result i32) (call $back))
      (func (export "leaf") (result i32) (i32.const 5)))
    (core instance $m (instantiate $M (with "p" (instance (export "back" (func $back-low))))))
    (func (export "call-back") (result u32) (canon lift (core func $m "call-back")))
    (func (export "leaf") (result u32) (canon lift (core func $m "leaf"))))
  (instance $c (instantiate $C (with "back" (func $back))))
  (core func $leaf-low (canon lower (func $c "leaf")))
  (core module $Fill
    (import "p" "t" (table 1 1 funcref))
    (import "c" "leaf" (func $leaf (result i32)))
    (elem (i32.const 0) func $leaf))
  (core instance (instantiate $Fill
    (with "p" (instance $tab))
    (with "c" (instance (export "leaf" (func $leaf-low))))))
  (export "call-back" (func $c "call-back"))
  (export "leaf" (func $c "leaf"))
  (export "back" (func $back))
)

;; Segments and start functions across instances.  $Writer's data and
;; element segments write into memory and a table $Mem defines: in the
;; original they are applied when $Writer is instantiated, after $Mem's own
;; segment and before $Writer's start; $Second's after $Writer's start.
;; The fused module must show the same bytes.  $Own is instantiated twice:
;; two memories, each initialised by its own active segment.
(component
  (core module $Mem
    (memory (export "mem") 1)
    (table (export "tab") 2 funcref)
    (data (i32.const 0) "A")
    (func (export "read") (param i32) (result i32) (i32.load8_u (local.get 0))))
  (core module $Writer
    (import "m" "mem" (memory 1))
    (import "m" "tab" (table 2 funcref))
    (data (i32.const 0) "B")
    (data (i32.const 1) "C")
    (func $seven (result i32) (i32.const 7))
    (elem (i32.const 1) func $seven)
    (func $start
      ;; what the start function sees: 'B', stored as 'B'+1 at 8
      (i32.store8 (i32.const 8) (i32.add (i32.load8_u (i32.const 0)) (i32.const 1))))
    (start $start))
  (core module $Second
    (import "m" "mem" (memory 1))
    (data (i32.const 0) "D")
    (func $start (i32.store8 (i32.const 9) (i32.load8_u (i32.const 8))))
    (start $start))
  (core module $Caller
    (import "m" "tab" (table 2 funcref))
    (type $t (func (result i32)))
    (func (export "call1") (result i32) (call_indirect (type $t) (i32.const 1))))
  (core module $Own
    (memory 1)
    (data (i32.const 0) "\05")
    (func (export "bump") (result i32)
      (i32.store8 (i32.const 0) (i32.add (i32.load8_u (i32.const 0)) (i32.const 1)))
      (i32.load8_u (i32.const 0))))
  (core instance $m (instantiate $Mem))
  (core instance $w (instantiate $Writer (with "m" (instance $m))))
  (core instance $s (instantiate $Second (with "m" (instance $m))))
  (core instance $c (instantiate $Caller (with "m" (instance $m))))
  (core instance $o1 (instantiate $Own))
  (core instance $o2 (instantiate $Own))
  (func (export "read") (param "at" u32) (result u32) (canon lift (core func $m "read")))
  (func (export "call1") (result u32) (canon lift (core func $c "call1")))
  (func (export "bump1") (result u32) (canon lift (core func $o1 "bump")))
  (func (export "bump2") (result u32) (canon lift (core func $o2 "bump")))
)

;; The smallest string crossing: the caller lowers with a memory but no
;; realloc (a string parameter only allocates in the callee), the callee
;; lifts with its own memory and realloc.  The adapter validates the five
;; bytes as UTF-8 (NULs are valid) and copies them into the callee.
(component
  (component $Callee
    (core module $M
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64))
      (func (export "len") (param i32 i32) (result i32)
        ;; the copy is where realloc put it
        (if (i32.ne (local.get 0) (i32.const 64)) (then unreachable))
        (local.get 1)))
    (core instance $m (instantiate $M))
    (func (export "len") (param "s" string) (result u32)
      (canon lift (core func $m "len") (memory (core memory $m "mem"))
        (realloc (core func $m "realloc")))))
  (component $Caller
    (import "len" (func $len (param "s" string) (result u32)))
    (core module $Mem (memory (export "mem") 1)
      (data (i32.const 16) "\ff"))
    (core instance $mem (instantiate $Mem))
    (core func $len-low (canon lower (func $len) (memory (core memory $mem "mem"))))
    (core module $M
      (import "x" "len" (func $len (param i32 i32) (result i32)))
      (func (export "run") (result i32) (call $len (i32.const 0) (i32.const 5)))
      (func (export "bad") (result i32) (call $len (i32.const 16) (i32.const 1)))
      (func (export "oob") (result i32) (call $len (i32.const 65535) (i32.const 2))))
    (core instance $m (instantiate $M (with "x" (instance (export "len" (func $len-low))))))
    (func (export "run") (result u32) (canon lift (core func $m "run")))
    (func (export "bad") (result u32) (canon lift (core func $m "bad")))
    (func (export "oob") (result u32) (canon lift (core func $m "oob"))))
  (instance $callee (instantiate $Callee))
  (instance $caller (instantiate $Caller (with "len" (func $callee "len"))))
  (export "run" (func $caller "run"))
  (export "bad" (func $caller "bad"))
  (export "oob" (func $caller "oob"))
)

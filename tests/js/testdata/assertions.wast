;; Components that must be refused, instantiation traps, and what the
;; runner does when meld says "unsupported".

;; Invalid: the lifted core function has the wrong type; meld refuses it
;; (fake-meld.mjs is told to, by the custom section).
(assert_invalid
  (component
    (@custom "fake-meld:error" "invalid: type mismatch in canon lift")
    (core module $M (func (export "f") (param i64)))
    (core instance $m (instantiate $M))
    (func (export "f") (param "x" u32) (canon lift (core func $m "f"))))
  "type mismatch")

;; Malformed text never reaches meld: the text parser refuses it.
(assert_malformed
  (component quote "(core module (func (result i32) i64.const))")
  "expected a i64")

;; Malformed bytes: an unknown section id.
(assert_malformed
  (component binary "\00asm" "\0d\00\01\00" "\ff\00")
  "malformed section id")

;; A start function that traps: fusion works, instantiation traps.
(assert_trap
  (component
    (core module $M (func $s unreachable) (start $s))
    (core instance $m (instantiate $M)))
  "unreachable")

;; meld cannot fuse this yet: the module and what runs against it are
;; skipped under the fused backend, with meld's reason.
(component
  (@custom "fake-meld:error" "unsupported: resource types are not fused yet")
  (core module $M (func (export "f") (result i32) (i32.const 1)))
  (core instance $m (instantiate $M))
  (func (export "f") (result u32) (canon lift (core func $m "f"))))
(assert_return (invoke "f") (u32.const 1))
(assert_invalid
  (component
    (@custom "fake-meld:error" "unsupported: validation of this is not done")
    (core module $M (func (export "f") (param i64)))
    (core instance $m (instantiate $M))
    (func (export "f") (param "x" u32) (canon lift (core func $m "f"))))
  "type mismatch")

;; Every case here is meant to fail under the fused backend (with
;; fake-meld.mjs): the runner's tests check that each is counted as a
;; failure, with its line.
(component
  (@custom "fake-meld:inspect" "{\"exports\":[{\"name\":\"one\",\"kind\":\"func\",\"type\":{\"params\":[],\"result\":\"u32\"}}]}")
  (core module $M (func (export "one") (result i32) (i32.const 1)))
  (core instance $m (instantiate $M))
  (func (export "one") (result u32) (canon lift (core func $m "one"))))
;; a wrong expectation (fails under jco too)
(assert_return (invoke "one") (u32.const 2))
;; no trap where one is expected (fails under jco too)
(assert_trap (invoke "one") "unreachable")

;; meld crashes: the module fails, and so does what runs against it
(component
  (@custom "fake-meld:crash" "")
  (core module $M (func (export "f") (result i32) (i32.const 1)))
  (core instance $m (instantiate $M))
  (func (export "f") (result u32) (canon lift (core func $m "f"))))
(assert_return (invoke "f") (u32.const 1))

;; the "fused" module still has an import
(component
  (core module $M
    (import "env" "g" (func $g (result i32)))
    (func (export "f") (result i32) (call $g)))
  (core module $E (func (export "g") (result i32) (i32.const 5)))
  (core instance $e (instantiate $E))
  (core instance $m (instantiate $M (with "env" (instance $e))))
  (func (export "f") (result u32) (canon lift (core func $m "f"))))

;; a valid component in an assert_invalid: meld (and jco) accept it
(assert_invalid
  (component
    (core module $M (func (export "f") (result i32) (i32.const 1)))
    (core instance $m (instantiate $M))
    (func (export "f") (result u32) (canon lift (core func $m "f"))))
  "no reason")

;; the core export named like the function has the wrong signature
(component
  (core module $M
    (func (export "sig-core") (param i32) (result i32) (local.get 0))
    (func (export "sig") (param i64) (result i32) (i32.wrap_i64 (local.get 0))))
  (core instance $m (instantiate $M))
  (func (export "sig") (param "x" u32) (result u32) (canon lift (core func $m "sig-core"))))
(assert_return (invoke "sig" (u32.const 7)) (u32.const 7))

;; meld inspect says there is a post-return; the fused module lacks it
(component
  (@custom "fake-meld:inspect" "{\"exports\":[{\"name\":\"p\",\"kind\":\"func\",\"type\":{\"params\":[],\"result\":\"u32\"},\"canon\":{\"string_encoding\":\"utf8\",\"post_return\":true}}]}")
  (core module $M
    (func (export "p") (result i32) (i32.const 3))
    (func (export "post") (param i32)))
  (core instance $m (instantiate $M))
  (func (export "p") (result u32) (canon lift (core func $m "p") (post-return (core func $m "post")))))
(assert_return (invoke "p") (u32.const 3))

;; Two inputs, each with its own memory at the boundary: wit-component's
;; single "memory" is ambiguous.  This input comes first (nothing links the
;; two), so its memory is "memory"; multimem-a.wat's is "memory$1", its
;; realloc "cabi_realloc$1", and the section meld:abi says which function
;; uses which.  This input also lowers a host function with its memory.
(component
  (import "host" (instance $h (export "put" (func (param "s" string)))))
  (alias export $h "put" (func $put))
  (core module $M
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 32))
    (func (export "get") (result i32) (i32.const 2)))
  (core instance $m (instantiate $M))
  (core func $put-low (canon lower (func $put) (memory (core memory $m "mem"))))
  (core module $U
    (import "h" "put" (func $put (param i32 i32)))
    (func (export "say") (call $put (i32.const 0) (i32.const 3))))
  (core instance $u (instantiate $U (with "h" (instance (export "put" (func $put-low))))))
  (func (export "b-get") (result u32)
    (canon lift (core func $m "get") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
  (func (export "say") (canon lift (core func $u "say")))
)

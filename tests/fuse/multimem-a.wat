;; Input a of multimem.wat: exports functions lifted with a memory and a
;; realloc (scalar ones, which may still name them).
(component
  (core module $M
    (memory (export "mem") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 16))
    (func (export "get") (result i32) (i32.const 1)))
  (core instance $m (instantiate $M))
  (func (export "a-get") (result u32)
    (canon lift (core func $m "get") (memory (core memory $m "mem")) (realloc (core func $m "realloc"))))
)

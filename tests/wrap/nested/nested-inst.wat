;; An exported instance holding instances: the root exports
;; "test:nest/api" with a record type, a function, and an instance
;; "inner" (a function, a function taking the record, and an instance
;; "deep" with a string function).  The wrapper exports "inner" with an
;; ascribed instance type whose function names the shim's exported record,
;; while the lifted function's own type names the shim's imported one:
;; valid, as validation looks at the ascribed type (comp_valid_vis.c).
;; Not WIT, so jco can neither print nor run it; the suite checks
;; that the output's export has the same component type (meld inspect;
;; wasm-tools validation inside jco wit passes for both and both then
;; stop at the same WIT decoding error).
(component
  (component $P
    (core module $M
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and
          (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      (func (export "area") (param i32 i32) (result i32)
        (i32.mul (local.get 0) (local.get 1)))
      (func (export "add") (param i32 i32) (result i32)
        (i32.add (local.get 0) (local.get 1)))
      ;; echo: the string back, as a [ptr, len] return area at 16
      (func (export "echo") (param i32 i32) (result i32)
        (i32.store (i32.const 16) (local.get 0))
        (i32.store (i32.const 20) (local.get 1))
        (i32.const 16)))
    (core instance $m (instantiate $M))
    (type $size (record (field "w" u32) (field "h" u32)))
    (func $area (param "p" $size) (result u32)
      (canon lift (core func $m "area")))
    (func $add (param "a" u32) (param "b" u32) (result u32)
      (canon lift (core func $m "add")))
    (func $echo (param "s" string) (result string)
      (canon lift (core func $m "echo")
        (memory (core memory $m "mem"))
        (realloc (core func $m "realloc"))))
    (instance $deep (export "echo" (func $echo)))
    (instance $inner
      (export "plus" (func $add))
      (export "area" (func $area))
      (export "deep" (instance $deep)))
    (instance $api
      (export "size" (type $size))
      (export "add" (func $add))
      (export "inner" (instance $inner)))
    (export "test:nest/api" (instance $api)))
  (instance $p (instantiate $P))
  (export "test:nest/api" (instance $p "test:nest/api")))

;; Three components with a memory and realloc each, importing the same host
;; function with different string encodings (utf8, utf16; jco cannot run
;; latin1+utf16):
;; fused, they give a module with three memories at the boundary
;; ("memory", "memory$1", "memory$2" and their reallocs, the encodings in
;; meld:abi), and the wrapper must lower each import and lift each export
;; with the memory, realloc, encoding and post-return of the component it
;; came from.  Exported at the root as functions and as an inline instance.
(component
  (import "test:multi/host" (instance $h
    (export "greet" (func (param "name" string) (result string)))))
  (alias export $h "greet" (func $greet))

  ;; one component per encoding; the same code, a different canonopt
  (component $A
    (import "greet" (func $greet (param "name" string) (result string)))
    (core module $Mem
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and
          (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (if (local.get 1)
          (then (memory.copy (local.get $p) (local.get 0) (local.get 1))))
        (local.get $p)))
    (core instance $mem (instantiate $Mem))
    (core func $greet-low (canon lower (func $greet)
      (memory (core memory $mem "mem"))
      (realloc (core func $mem "realloc"))))
    (core module $Main
      (import "m" "mem" (memory 1))
      (import "h" "greet" (func $greet (param i32 i32 i32)))
      (global $posts (mut i32) (i32.const 0))
      (func (export "run") (param i32 i32) (result i32)
        (call $greet (local.get 0) (local.get 1) (i32.const 16))
        (i32.const 16))
      (func (export "post") (param i32)
        (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
      (func (export "posts") (result i32) (global.get $posts)))
    (core instance $main (instantiate $Main
      (with "m" (instance $mem))
      (with "h" (instance (export "greet" (func $greet-low))))))
    (func (export "run") (param "name" string) (result string)
      (canon lift (core func $main "run")
        (memory (core memory $mem "mem"))
        (realloc (core func $mem "realloc"))
        (post-return (core func $main "post"))))
    (func (export "posts") (result u32) (canon lift (core func $main "posts"))))

  (component $B
    (import "greet" (func $greet (param "name" string) (result string)))
    (core module $Mem
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 2048))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and
          (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (if (local.get 1)
          (then (memory.copy (local.get $p) (local.get 0) (local.get 1))))
        (local.get $p)))
    (core instance $mem (instantiate $Mem))
    (core func $greet-low (canon lower (func $greet)
      (memory (core memory $mem "mem"))
      (realloc (core func $mem "realloc")) string-encoding=utf16))
    (core module $Main
      (import "m" "mem" (memory 1))
      (import "h" "greet" (func $greet (param i32 i32 i32)))
      (global $posts (mut i32) (i32.const 0))
      (func (export "run") (param i32 i32) (result i32)
        (call $greet (local.get 0) (local.get 1) (i32.const 32))
        (i32.const 32))
      (func (export "post") (param i32)
        (global.set $posts (i32.add (global.get $posts) (i32.const 10))))
      (func (export "posts") (result i32) (global.get $posts)))
    (core instance $main (instantiate $Main
      (with "m" (instance $mem))
      (with "h" (instance (export "greet" (func $greet-low))))))
    (func (export "run") (param "name" string) (result string)
      (canon lift (core func $main "run")
        (memory (core memory $mem "mem"))
        (realloc (core func $mem "realloc")) string-encoding=utf16
        (post-return (core func $main "post"))))
    (func (export "posts") (result u32) (canon lift (core func $main "posts"))))

  (component $C
    (import "greet" (func $greet (param "name" string) (result string)))
    (core module $Mem
      (memory (export "mem") 1)
      (global $bump (mut i32) (i32.const 4096))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and
          (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (if (local.get 1)
          (then (memory.copy (local.get $p) (local.get 0) (local.get 1))))
        (local.get $p)))
    (core instance $mem (instantiate $Mem))
    (core func $greet-low (canon lower (func $greet)
      (memory (core memory $mem "mem"))
      (realloc (core func $mem "realloc")) string-encoding=utf16))
    (core module $Main
      (import "m" "mem" (memory 1))
      (import "h" "greet" (func $greet (param i32 i32 i32)))
      (func (export "run") (param i32 i32) (result i32)
        (call $greet (local.get 0) (local.get 1) (i32.const 48))
        (i32.const 48)))
    (core instance $main (instantiate $Main
      (with "m" (instance $mem))
      (with "h" (instance (export "greet" (func $greet-low))))))
    (func (export "run") (param "name" string) (result string)
      (canon lift (core func $main "run")
        (memory (core memory $mem "mem"))
        (realloc (core func $mem "realloc")) string-encoding=utf16)))

  (instance $a (instantiate $A (with "greet" (func $greet))))
  (instance $b (instantiate $B (with "greet" (func $greet))))
  (instance $c (instantiate $C (with "greet" (func $greet))))
  (export "a-run" (func $a "run"))
  (export "b-run" (func $b "run"))
  (instance $api
    (export "run" (func $c "run"))
    (export "a-posts" (func $a "posts"))
    (export "b-posts" (func $b "posts")))
  (export "test:multi/api" (instance $api))
)

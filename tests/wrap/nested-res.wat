;; A resource defined inside a nested component (not at the root, as
;; wit-component puts it) with a destructor that calls the host, exported
;; by the root as that component's instance.  (An import re-exported as it
;; is wraps too, but jco cannot run such a component.)
(component
  (import "test:res/log" (instance $log
    (export "note" (func (param "n" u32)))))
  (alias export $log "note" (func $note))

  (component $Counter
    (import "note" (func $note (param "n" u32)))
    (core func $note-low (canon lower (func $note)))
    (core module $Dtor
      (import "h" "note" (func $note (param i32)))
      (func (export "dtor") (param i32)
        (call $note (i32.add (local.get 0) (i32.const 1000)))))
    (core instance $dtor (instantiate $Dtor
      (with "h" (instance (export "note" (func $note-low))))))
    (type $c (resource (rep i32) (dtor (core func $dtor "dtor"))))
    (core func $new (canon resource.new $c))
    (core func $rep (canon resource.rep $c))
    (core module $M
      (import "r" "new" (func $new (param i32) (result i32)))
      (import "r" "rep" (func $rep (param i32) (result i32)))
      (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
      ;; a borrow of our own resource arrives as its rep
      (func (export "get") (param i32) (result i32) (local.get 0))
      (func (export "bump") (param i32) (result i32)
        (call $new (i32.add (local.get 0) (i32.const 1))))
      (func (export "peek") (param i32) (result i32) (call $rep (local.get 0))))
    (core instance $m (instantiate $M
      (with "r" (instance (export "new" (func $new)) (export "rep" (func $rep))))))
    (export $ce "counter" (type $c))
    (func (export "[constructor]counter") (param "v" u32) (result (own $ce))
      (canon lift (core func $m "make")))
    (func (export "[method]counter.get") (param "self" (borrow $ce)) (result u32)
      (canon lift (core func $m "get")))
    (func (export "bump") (param "c" (borrow $ce)) (result (own $ce))
      (canon lift (core func $m "bump")))
    (func (export "peek") (param "c" (own $ce)) (result u32)
      (canon lift (core func $m "peek"))))

  (instance $counter (instantiate $Counter (with "note" (func $note))))
  (export "test:res/counter" (instance $counter))
)

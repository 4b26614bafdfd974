;; Root imports and exported resources, with wit-component's names:
;; - a function of an imported instance: import "host:test/api" "add";
;; - a root-level function import: "$root" "tick";
;; - resource.drop of an imported resource: "host:test/api"
;;   "[resource-drop]r";
;; - a resource defined here and exported by the root in an interface:
;;   without --component its handles live in the fused module's tables,
;;   the host's in a table of its own, dropped through the export
;;   "test:host/things#[resource-drop]thing" (with --component, its
;;   built-ins are imports of "[export]test:host/things" and its
;;   destructor the export "test:host/things#[dtor]thing").
;; The same host function lowered by two components with the same options
;; is one import.
(component
  (import "host:test/api" (instance $api
    (export "add" (func (param "a" u32) (param "b" u32) (result u32)))
    (export "r" (type (sub resource)))))
  (import "tick" (func $tick (result u32)))
  (alias export $api "add" (func $add))
  (alias export $api "r" (type $r))
  (core func $add-low (canon lower (func $add)))
  (core func $tick-low (canon lower (func $tick)))
  (core func $drop-r (canon resource.drop $r))
  (core module $M
    (import "h" "add" (func $add (param i32 i32) (result i32)))
    (import "h" "tick" (func $tick (result i32)))
    (import "h" "drop" (func $drop (param i32)))
    (func (export "run") (param i32) (result i32)
      (call $drop (local.get 0))
      (call $add (call $tick) (i32.const 100))))
  (core instance $m (instantiate $M
    (with "h" (instance
      (export "add" (func $add-low))
      (export "tick" (func $tick-low))
      (export "drop" (func $drop-r))))))
  (func (export "run") (param "h" u32) (result u32) (canon lift (core func $m "run")))

  ;; a resource of our own, exported in an interface the way wit-component
  ;; does it: through a shim component that re-exports type and functions
  (core module $Dtor
    (global $dropped (mut i32) (i32.const 0))
    (func (export "dtor") (param i32) (global.set $dropped (local.get 0)))
    (func (export "dropped") (result i32) (global.get $dropped)))
  (core instance $d (instantiate $Dtor))
  (type $thing (resource (rep i32) (dtor (core func $d "dtor"))))
  (core func $new (canon resource.new $thing))
  (core func $rep (canon resource.rep $thing))
  (core module $N
    (import "r" "new" (func $new (param i32) (result i32)))
    (import "r" "rep" (func $rep (param i32) (result i32)))
    (func (export "make") (param i32) (result i32) (call $new (i32.add (local.get 0) (i32.const 1))))
    ;; a borrow lowered into the defining instance is the rep itself
    (func (export "peek") (param i32) (result i32) (local.get 0))
    (func (export "peek-own") (param i32) (result i32) (call $rep (local.get 0))))
  (core instance $n (instantiate $N
    (with "r" (instance (export "new" (func $new)) (export "rep" (func $rep))))))
  (func $make (param "x" u32) (result (own $thing)) (canon lift (core func $n "make")))
  (func $peek (param "t" (borrow $thing)) (result u32) (canon lift (core func $n "peek")))
  (func (export "peek-own") (param "t" u32) (result u32) (canon lift (core func $n "peek-own")))
  (component $things-shim
    (import "import-type-thing" (type $t (sub resource)))
    (import "import-func-make" (func $make (param "x" u32) (result (own $t))))
    (import "import-func-peek" (func $peek (param "t" (borrow $t)) (result u32)))
    (export $te "thing" (type $t))
    (export "make" (func $make) (func (param "x" u32) (result (own $te))))
    (export "peek" (func $peek) (func (param "t" (borrow $te)) (result u32))))
  (instance $things (instantiate $things-shim
    (with "import-type-thing" (type $thing))
    (with "import-func-make" (func $make))
    (with "import-func-peek" (func $peek))))
  (export "test:host/things" (instance $things))
  (func (export "dropped") (result u32) (canon lift (core func $d "dropped")))

  ;; a nested component lowering the same host function again
  (component $Again
    (import "add" (func $add (param "a" u32) (param "b" u32) (result u32)))
    (core func $add-low (canon lower (func $add)))
    (core module $A
      (import "h" "add" (func $add (param i32 i32) (result i32)))
      (func (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0))))
    (core instance $a (instantiate $A (with "h" (instance (export "add" (func $add-low))))))
    (func (export "twice") (param "x" u32) (result u32) (canon lift (core func $a "twice"))))
  (instance $again (instantiate $Again (with "add" (func $add))))
  (export "twice" (func $again "twice"))
)

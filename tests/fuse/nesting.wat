;; Nesting, aliases and repeated instantiation.
;; - $Counter is a core module defined at the root and reached from two
;;   levels down by outer aliases; every instance of it has its own global.
;; - $Mid instantiates $Leaf twice and exports one leaf's instance whole
;;   (an instance of an instance); the root reaches into it by export
;;   aliases of export aliases.
;; - $Mid itself is instantiated twice: four leaves, four counters.
;; - A type is shared by an outer alias; a component is reached by one.
(component
  (core module $Counter
    (global $n (mut i32) (i32.const 0))
    (func (export "inc") (param i32) (result i32)
      (global.set $n (i32.add (global.get $n) (local.get 0)))
      (global.get $n)))
  (type $inc-type (func (param "by" u32) (result u32)))
  (component $Leaf
    (alias outer 1 $Counter (core module $M))
    (alias outer 1 $inc-type (type $T))
    (core instance $m (instantiate $M))
    (func $inc (type $T) (canon lift (core func $m "inc")))
    (instance $api (export "inc" (func $inc)))
    (export "api" (instance $api))
  )
  (component $Mid
    (alias outer 1 $Leaf (component $L))
    (instance $x (instantiate $L))
    (instance $y (instantiate $L))
    (alias export $x "api" (instance $x-api))
    (export "x" (instance $x-api))
    (export "y-inc" (func $y "api" "inc"))
  )
  (instance $m1 (instantiate $Mid))
  (instance $m2 (instantiate $Mid))
  (alias export $m1 "x" (instance $m1-x))
  (alias export $m1-x "inc" (func $m1-x-inc))
  (export "m1-x-inc" (func $m1-x-inc))
  (export "m1-y-inc" (func $m1 "y-inc"))
  (export "m2-x-inc" (func $m2 "x" "inc"))
  (export "m2-y-inc" (func $m2 "y-inc"))
  (export "m2" (instance $m2))
)

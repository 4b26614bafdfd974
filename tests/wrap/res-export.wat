;; tests/fuse/res-export.wat as a WIT world (jco transpiles its
;; --component output; the original itself jco cannot run, see
;; res-export.orig.expect): the same inner components under an exported
;; interface test:res/api, which also lets the host hand r back
;; (taker-take: own into $Taker; get: a borrow into the defining $Def, and
;; pair, the same with a result through memory; user-lend: a borrow $User
;; lends on to $Def and then drops).  With --component the fused module
;; keeps every inner component's table and the wrapper defines r.
(component
  (component $Def
    (core module $D
      (global $drops (mut i32) (i32.const 0))
      (global $last (mut i32) (i32.const 0))
      (func (export "dtor") (param i32)
        (global.set $drops (i32.add (global.get $drops) (i32.const 1)))
        (global.set $last (local.get 0)))
      (memory (export "mem") 1)
      ;; a borrow's rep and twice it, as a tuple returned through memory
      (func (export "pair") (param i32) (result i32)
        (i32.store (i32.const 8) (local.get 0))
        (i32.store (i32.const 12) (i32.shl (local.get 0) (i32.const 1)))
        (i32.const 8))
      (func (export "drops") (result i32) (global.get $drops))
      (func (export "last") (result i32) (global.get $last)))
    (core instance $d (instantiate $D))
    (type $R (resource (rep i32) (dtor (core func $d "dtor"))))
    (core func $new (canon resource.new $R))
    (core module $M
      (import "" "new" (func $new (param i32) (result i32)))
      (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
      ;; a borrow lowered into the defining instance is the rep
      (func (export "get") (param i32) (result i32) (local.get 0)))
    (core instance $m (instantiate $M (with "" (instance (export "new" (func $new))))))
    (export $R' "r" (type $R))
    (func (export "make") (param "x" u32) (result (own $R')) (canon lift (core func $m "make")))
    (func (export "get") (param "t" (borrow $R')) (result u32) (canon lift (core func $m "get")))
    (alias core export $d "mem" (core memory $mem))
    (func (export "pair") (param "t" (borrow $R')) (result (tuple u32 u32))
      (canon lift (core func $d "pair") (memory $mem)))
    (func (export "drops") (result u32) (canon lift (core func $d "drops")))
    (func (export "last") (result u32) (canon lift (core func $d "last"))))

  (component $Taker
    (import "def" (instance $def
      (export "r" (type $R (sub resource)))
      (export "get" (func (param "t" (borrow $R)) (result u32)))))
    (alias export $def "r" (type $R))
    (alias export $def "get" (func $get))
    (core func $get-low (canon lower (func $get)))
    (core func $drop (canon resource.drop $R))
    (core module $T
      (import "" "get" (func $get (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (global $h (mut i32) (i32.const 0))
      (func (export "take") (param i32) (global.set $h (local.get 0)))
      (func (export "peek") (result i32) (call $get (global.get $h)))
      (func (export "drop") (call $drop (global.get $h))))
    (core instance $t (instantiate $T (with "" (instance
      (export "get" (func $get-low)) (export "drop" (func $drop))))))
    (func (export "take") (param "t" (own $R)) (canon lift (core func $t "take")))
    (func (export "peek") (result u32) (canon lift (core func $t "peek")))
    (func (export "drop") (canon lift (core func $t "drop"))))

  (component $User
    (import "def" (instance $def
      (export "r" (type $R (sub resource)))
      (export "make" (func (param "x" u32) (result (own $R))))
      (export "get" (func (param "t" (borrow $R)) (result u32)))))
    (alias export $def "r" (type $R))
    (import "take" (func $take (param "t" (own $R))))
    (alias export $def "make" (func $make))
    (alias export $def "get" (func $get))
    (core func $make-low (canon lower (func $make)))
    (core func $get-low (canon lower (func $get)))
    (core func $take-low (canon lower (func $take)))
    (core func $drop (canon resource.drop $R))
    (core module $U
      (import "" "make" (func $make (param i32) (result i32)))
      (import "" "get" (func $get (param i32) (result i32)))
      (import "" "take" (func $take (param i32)))
      (import "" "drop" (func $drop (param i32)))
      ;; a borrow from the host, lent on to $Def, then ended
      (func (export "lend") (param i32) (result i32) (local $v i32)
        (local.set $v (call $get (local.get 0)))
        (call $drop (local.get 0))
        (local.get $v))
      (global $h (mut i32) (i32.const 0))
      (func (export "make") (param i32) (result i32)
        (global.set $h (call $make (local.get 0)))
        (global.get $h))
      (func (export "peek") (result i32) (call $get (global.get $h)))
      (func (export "pass") (call $take (global.get $h)))
      (func (export "give") (result i32) (global.get $h)))
    (core instance $u (instantiate $U (with "" (instance
      (export "make" (func $make-low)) (export "get" (func $get-low))
      (export "take" (func $take-low)) (export "drop" (func $drop))))))
    (func (export "make") (param "x" u32) (result u32) (canon lift (core func $u "make")))
    (func (export "peek") (result u32) (canon lift (core func $u "peek")))
    (func (export "pass") (canon lift (core func $u "pass")))
    (func (export "give") (result (own $R)) (canon lift (core func $u "give")))
    (func (export "lend") (param "t" (borrow $R)) (result u32)
      (canon lift (core func $u "lend"))))

  (instance $def (instantiate $Def))
  (instance $taker (instantiate $Taker (with "def" (instance $def))))
  (instance $user (instantiate $User (with "def" (instance $def))
    (with "take" (func $taker "take"))))
  (instance $api
    (export "r" (type $def "r"))
    (export "user-make" (func $user "make"))
    (export "user-peek" (func $user "peek"))
    (export "user-pass" (func $user "pass"))
    (export "user-give" (func $user "give"))
    (export "user-lend" (func $user "lend"))
    (export "taker-take" (func $taker "take"))
    (export "taker-peek" (func $taker "peek"))
    (export "taker-drop" (func $taker "drop"))
    (export "get" (func $def "get"))
    (export "pair" (func $def "pair"))
    (export "drops" (func $def "drops"))
    (export "last" (func $def "last")))
  (export "test:res/api" (instance $api)))

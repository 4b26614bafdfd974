;; A resource type the root exports, used by two inner components: $Def
;; defines r (its destructor counts drops and keeps the last rep), $User
;; makes one, lends it to $Def and moves it to $Taker, which lends and
;; drops it.  Every component instance has its own table (with
;; --component too: tests/wrap/res-export.wat); in this plain output the
;; host gets handles of its own table from "user-give" and drops them
;; through the export "[resource-drop]r".  Misuse traps: a
;; handle used after it was moved or dropped.
(component
  (component $Def
    (core module $D
      (global $drops (mut i32) (i32.const 0))
      (global $last (mut i32) (i32.const 0))
      (func (export "dtor") (param i32)
        (global.set $drops (i32.add (global.get $drops) (i32.const 1)))
        (global.set $last (local.get 0)))
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
    (core module $U
      (import "" "make" (func $make (param i32) (result i32)))
      (import "" "get" (func $get (param i32) (result i32)))
      (import "" "take" (func $take (param i32)))
      (global $h (mut i32) (i32.const 0))
      (func (export "make") (param i32) (result i32)
        (global.set $h (call $make (local.get 0)))
        (global.get $h))
      (func (export "peek") (result i32) (call $get (global.get $h)))
      (func (export "pass") (call $take (global.get $h)))
      (func (export "give") (result i32) (global.get $h)))
    (core instance $u (instantiate $U (with "" (instance
      (export "make" (func $make-low)) (export "get" (func $get-low))
      (export "take" (func $take-low))))))
    (func (export "make") (param "x" u32) (result u32) (canon lift (core func $u "make")))
    (func (export "peek") (result u32) (canon lift (core func $u "peek")))
    (func (export "pass") (canon lift (core func $u "pass")))
    (func (export "give") (result (own $R)) (canon lift (core func $u "give"))))

  (instance $def (instantiate $Def))
  (instance $taker (instantiate $Taker (with "def" (instance $def))))
  (instance $user (instantiate $User (with "def" (instance $def))
    (with "take" (func $taker "take"))))
  (export $r "r" (type $def "r"))
  (export "user-make" (func $user "make"))
  (export "user-peek" (func $user "peek"))
  (export "user-pass" (func $user "pass"))
  (export "user-give" (func $user "give") (func (result (own $r))))
  (export "taker-peek" (func $taker "peek"))
  (export "taker-drop" (func $taker "drop"))
  (export "drops" (func $def "drops"))
  (export "last" (func $def "last")))

;; A root export whose result, a tuple holding an own handle of a
;; root-exported resource type, is returned through memory: refused as
;; unsupported (tests/suite-fuse.sh) until the root boundary converts
;; handles in memory.
(component
  (component $Def
    (core module $M
      (memory (export "mem") 1)
      (func (export "pair") (param i32) (result i32)
        (i32.store (i32.const 8) (local.get 0))
        (i32.store (i32.const 12) (i32.const 5))
        (i32.const 8)))
    (core instance $m (instantiate $M))
    (type $R (resource (rep i32)))
    (export $R' "r" (type $R))
    (func (export "pair") (param "t" (own $R')) (result (tuple (own $R') u32))
      (canon lift (core func $m "pair") (memory (core memory $m "mem")))))
  (instance $def (instantiate $Def))
  (export $r "r" (type $def "r"))
  (export "pair" (func $def "pair") (func (param "t" (own $r)) (result (tuple (own $r) u32)))))

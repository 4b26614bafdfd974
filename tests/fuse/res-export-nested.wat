;; A root export with a handle of a root-exported resource type inside an
;; option: refused as unsupported (tests/suite-fuse.sh) until the root
;; boundary converts handles inside variants and lists.
(component
  (component $Def
    (core module $M
      (func (export "opt") (param i32 i32) (result i32) (local.get 0)))
    (core instance $m (instantiate $M))
    (type $R (resource (rep i32)))
    (export $R' "r" (type $R))
    (func (export "opt") (param "t" (option (own $R'))) (result u32)
      (canon lift (core func $m "opt"))))
  (instance $def (instantiate $Def))
  (export $r "r" (type $def "r"))
  (export "opt" (func $def "opt") (func (param "t" (option (own $r))) (result u32))))

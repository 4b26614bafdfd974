;; 16 nested anonymous tuple<t, t> levels used by an imported function.
;; Each level is a tuple of the level before it, twice: written out in full,
;; level n has 2^(n+1) - 1 type nodes.  tests/suite-component.sh converts
;; this file with jco parse and checks that `meld inspect` (text, --json,
;; --wit) refuses to print with one diagnostic: the
;; component is valid (2^17 - 1 is under the effective type size limit) but
;; the type written out in full is over inspect's budget of 100,000 nodes.
;; expect: too large to print as WIT

(component
  (type $t0 u32)
  (type $t1 (tuple $t0 $t0))
  (type $t2 (tuple $t1 $t1))
  (type $t3 (tuple $t2 $t2))
  (type $t4 (tuple $t3 $t3))
  (type $t5 (tuple $t4 $t4))
  (type $t6 (tuple $t5 $t5))
  (type $t7 (tuple $t6 $t6))
  (type $t8 (tuple $t7 $t7))
  (type $t9 (tuple $t8 $t8))
  (type $t10 (tuple $t9 $t9))
  (type $t11 (tuple $t10 $t10))
  (type $t12 (tuple $t11 $t11))
  (type $t13 (tuple $t12 $t12))
  (type $t14 (tuple $t13 $t13))
  (type $t15 (tuple $t14 $t14))
  (type $t16 (tuple $t15 $t15))
  (import "f" (func (param "x" $t16)))
)

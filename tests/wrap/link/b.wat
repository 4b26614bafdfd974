;; Consumer: imports test:link/text (from a.wat), the shared
;; test:link/log and its own test:link/rng; exports test:link/run.
(component
  (import "test:link/log" (instance $log (export "log" (func (param "msg" string)))))
  (import "test:link/text" (instance $text
    (export "shout" (func (param "s" string) (result string)))
    (export "pair" (func (param "s" string) (result (list string))))
    (export "stamp" (func (result u64)))))
  (import "test:link/rng" (instance $rng (export "next" (func (result u32)))))
  (core module $Mem
    (memory (export "mem") 1)
    (global $bump (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and
        (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $mem (instantiate $Mem))
  (alias export $log "log" (func $log-f))
  (alias export $text "shout" (func $shout-f))
  (alias export $text "pair" (func $pair-f))
  (alias export $text "stamp" (func $stamp-f))
  (alias export $rng "next" (func $next-f))
  (core func $log-low (canon lower (func $log-f) (memory (core memory $mem "mem"))))
  (core func $shout-low (canon lower (func $shout-f) (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core func $pair-low (canon lower (func $pair-f) (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (core func $stamp-low (canon lower (func $stamp-f)))
  (core func $next-low (canon lower (func $next-f)))
  (core module $M
    (import "m" "mem" (memory 1))
    (import "h" "log" (func $log (param i32 i32)))
    (import "h" "shout" (func $shout (param i32 i32 i32)))
    (import "h" "pair" (func $pair (param i32 i32 i32)))
    (import "h" "stamp" (func $stamp (result i64)))
    (import "h" "next" (func $next (result i32)))
    ;; go: shout the string, pair the result, log the pair's first
    ;; element, return the pair
    (func (export "go") (param i32 i32) (result i32)
      (call $shout (local.get 0) (local.get 1) (i32.const 32))
      (call $pair (i32.load (i32.const 32)) (i32.load (i32.const 36)) (i32.const 40))
      (call $log (i32.load (i32.load (i32.const 40)))
                 (i32.load offset=4 (i32.load (i32.const 40))))
      (i32.const 40))
    (func (export "roll") (result i64)
      (i64.add (call $stamp) (i64.extend_i32_u (call $next)))))
  (core instance $m (instantiate $M
    (with "m" (instance $mem))
    (with "h" (instance
      (export "log" (func $log-low)) (export "shout" (func $shout-low))
      (export "pair" (func $pair-low)) (export "stamp" (func $stamp-low))
      (export "next" (func $next-low))))))
  (func $go (param "s" string) (result (list string))
    (canon lift (core func $m "go") (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (func $roll (result u64) (canon lift (core func $m "roll")))
  (instance $run (export "go" (func $go)) (export "roll" (func $roll)))
  (export "test:link/run" (instance $run)))

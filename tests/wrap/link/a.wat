;; Provider: exports test:link/text (strings and a list of strings),
;; imports the shared test:link/log and its own test:link/clock.
(component
  (import "test:link/log" (instance $log (export "log" (func (param "msg" string)))))
  (import "test:link/clock" (instance $clk (export "now" (func (result u64)))))
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
  (alias export $clk "now" (func $now-f))
  (core func $log-low (canon lower (func $log-f) (memory (core memory $mem "mem"))))
  (core func $now-low (canon lower (func $now-f)))
  (core module $M
    (import "m" "mem" (memory 1))
    (import "h" "log" (func $log (param i32 i32)))
    (import "h" "now" (func $now (result i64)))
    ;; shout: logs the string, returns it
    (func (export "shout") (param i32 i32) (result i32)
      (call $log (local.get 0) (local.get 1))
      (i32.store (i32.const 16) (local.get 0))
      (i32.store (i32.const 20) (local.get 1))
      (i32.const 16))
    ;; pair: the string twice, as a list
    (func (export "pair") (param i32 i32) (result i32)
      (i32.store (i32.const 64) (local.get 0))
      (i32.store (i32.const 68) (local.get 1))
      (i32.store (i32.const 72) (local.get 0))
      (i32.store (i32.const 76) (local.get 1))
      (i32.store (i32.const 16) (i32.const 64))
      (i32.store (i32.const 20) (i32.const 2))
      (i32.const 16))
    (func (export "stamp") (result i64)
      (i64.add (call $now) (i64.const 1))))
  (core instance $m (instantiate $M
    (with "m" (instance $mem))
    (with "h" (instance (export "log" (func $log-low)) (export "now" (func $now-low))))))
  (func $shout (param "s" string) (result string)
    (canon lift (core func $m "shout") (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (func $pair (param "s" string) (result (list string))
    (canon lift (core func $m "pair") (memory (core memory $mem "mem")) (realloc (core func $mem "realloc"))))
  (func $stamp (result u64) (canon lift (core func $m "stamp")))
  (instance $text
    (export "shout" (func $shout))
    (export "pair" (func $pair))
    (export "stamp" (func $stamp)))
  (export "test:link/text" (instance $text)))

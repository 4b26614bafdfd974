# WAT text that the .wast generators share (tests/diff/gen.py,
# tests/fuse/gen-values.py): canon options (encoding, memory, realloc), and a core module $Libc
# with a memory and a bump cabi_realloc.  The text is part of their output,
# which must stay the same byte for byte, so change it with care.
# A bump allocator that grows memory and keeps old contents on realloc,
# indented to stand inside a core module that is itself inside a component.
REALLOC = """
      (global $next (mut i32) (i32.const 1024))
      (func $realloc (export "realloc")
        (param $old i32) (param $osize i32) (param $align i32) (param $nsize i32)
        (result i32)
        (local $r i32) (local $need i32)
        (local.set $r (i32.and
          (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
        (global.set $next (i32.add (local.get $r) (local.get $nsize)))
        (local.set $need (i32.sub (global.get $next)
          (i32.shl (memory.size) (i32.const 16))))
        (if (i32.gt_s (local.get $need) (i32.const 0))
          (then (if (i32.eq (memory.grow (i32.add
                  (i32.shr_u (local.get $need) (i32.const 16)) (i32.const 1)))
                  (i32.const -1))
            (then unreachable))))
        (if (local.get $old)
          (then (memory.copy (local.get $r) (local.get $old)
            (select (local.get $osize) (local.get $nsize)
              (i32.lt_u (local.get $osize) (local.get $nsize))))))
        (local.get $r))"""

# A component's core module $Libc (memory "mem", the realloc above) and
# its instance $libc.
LIBC = [f"    (core module $Libc (memory (export \"mem\") 1){REALLOC})",
        "    (core instance $libc (instantiate $Libc))"]


def enc_opt(enc):
    return "" if enc == "utf8" else f" string-encoding={enc}"



def opts(inst, enc, post=None):
    s = (f"{enc_opt(enc)} (memory (core memory ${inst} \"mem\"))"
         f" (realloc (core func ${inst} \"realloc\"))")
    if post:
        s += f" (post-return (core func ${inst} \"{post}\"))"
    return s

# Generates the differential test's compositions: random component function
# types and random values, as a .wast file that tests/js/wast-run.mjs runs
# against meld's fused output and against `jco transpile` of the unfused
# composition (tests/suite-diff.sh drives both and compares).
#
#     python3 tests/diff/gen.py SEED CASES OUTDIR
#
# The same SEED and CASES give the same file, byte for byte.
#
# One composition per pair of string encodings (caller, callee), each
# holding about CASES/9 functions:
#   - $Callee lifts every function with its encoding, its own memory and a
#     bump cabi_realloc, and echoes: the result is the parameter (one
#     parameter) or the tuple of the parameters (or, for some, nothing).
#     It also mixes every value it received, as it sees it in its own
#     memory and encoding, into a digest that one more function returns;
#     the generator computes the same digest, so each direction is
#     checked on its own.  Its core code stores the
#     flat parameters into a return area by the layout of CanonicalABI.md
#     ("Flattening", "Storing"), undoing variant joins case by case, or
#     hands back the parameter area when there are more than 16 flat
#     parameters (its layout is the result's).
#   - $Caller lowers each function with its encoding and memory, and
#     exports it again, lifted with the same options: its core code
#     forwards the flat values, a parameter area pointer, and a return
#     area it allocates.
#   - $Front does the same as $Caller with UTF-16 (UTF-8 when the caller
#     uses UTF-16), and its functions are what the root exports, in an
#     instance "api".  jco transpiles the compositions whose strings move
#     only UTF-8 to UTF-8 or between UTF-8 and UTF-16 (it has no Latin-1
#     and no UTF-16 to UTF-16 copy): caller/callee utf8/utf8, utf8/utf16
#     and utf16/utf8.  The others are checked against the echo only.
# One .wast file per pair, OUTDIR/CALLER-to-CALLEE.wast.
# So every value crosses three component boundaries in each direction, two
# of them adapters between two components' memories.  Each function is
# called with a few random values; the expected result is the echo.
#
# Types: bool, integers of every width, f32/f64 (NaN is compared only as
# NaN: lifting canonicalises it), char, string, list (nested, of records,
# of strings), record, tuple, variant (payloads of different flattenings,
# so joins happen), enum, option, result, flags (1 to 32 members: more is
# invalid), and
# functions with more than 16 flat parameters.
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from wat_snippets import LIBC, REALLOC, opts  # noqa: E402

ENCODINGS = ["utf8", "utf16", "latin1+utf16"]
INTS = {"u8": (0, 255), "s8": (-128, 127), "u16": (0, 65535),
        "s16": (-32768, 32767), "u32": (0, 2**32 - 1),
        "s32": (-2**31, 2**31 - 1), "u64": (0, 2**64 - 1),
        "s64": (-2**63, 2**63 - 1)}
PRIMS = ["bool", "char", "string", "f32", "f64"] + list(INTS)

# ---- types ------------------------------------------------------------
# ("prim", name) | ("list", t) | ("tuple", [t]) | ("option", t)
# | ("result", t or None, t or None) | ("named", k), where NAMED[k] is
# ("record", [(name, t)]) | ("variant", [(name, t or None)])
# | ("enum", [name]) | ("flags", [name]).


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.named = []

    def prim(self):
        return ("prim", self.rng.choice(PRIMS))

    def typ(self, depth):
        r = self.rng
        if depth <= 0 or r.random() < 0.35:
            return self.prim()
        k = r.choice(["list", "list", "tuple", "option", "result", "record",
                      "record", "variant", "variant", "enum", "flags"])
        if k == "list":
            return ("list", self.typ(depth - 1))
        if k == "tuple":
            return ("tuple", [self.typ(depth - 1)
                              for _ in range(r.randint(1, 4))])
        if k == "option":
            return ("option", self.typ(depth - 1))
        if k == "result":
            ok = self.typ(depth - 1) if r.random() < 0.7 else None
            err = self.typ(depth - 1) if r.random() < 0.6 else None
            return ("result", ok, err)
        if k == "record":
            fs = [(f"f{i}", self.typ(depth - 1))
                  for i in range(r.randint(1, 5))]
            return self.name(("record", fs))
        if k == "variant":
            cs = [(f"c{i}", self.typ(depth - 1) if r.random() < 0.75 else None)
                  for i in range(r.randint(1, 5))]
            if r.random() < 0.1:
                # more than 256 cases: a u16 discriminant
                cs += [(f"c{i}", None) for i in range(len(cs), 260)]
            return self.name(("variant", cs))
        if k == "enum":
            n = r.choice([1, 2, 3, 5, 8, 300]) if r.random() < 0.2 else r.randint(1, 6)
            return self.name(("enum", [f"e{i}" for i in range(n)]))
        n = r.choice([1, 7, 8, 9, 16, 17, 31, 32])
        return self.name(("flags", [f"g{i}" for i in range(n)]))

    def name(self, d):
        self.named.append(d)
        return ("named", len(self.named) - 1)

    def params(self):
        r = self.rng
        if r.random() < 0.15:
            # more than 16 flat parameters: a parameter area
            n = r.randint(9, 20)
            return [(f"p{i}", self.typ(1)) for i in range(n)]
        return [(f"p{i}", self.typ(3)) for i in range(r.randint(1, 4))]


def resolve(t, named):
    return named[t[1]] if t[0] == "named" else t


# ---- the canonical ABI: sizes, alignments, flattening -----------------

PRIM_SIZE = {"bool": 1, "u8": 1, "s8": 1, "u16": 2, "s16": 2, "u32": 4,
             "s32": 4, "u64": 8, "s64": 8, "f32": 4, "f64": 8, "char": 4,
             "string": 8}
PRIM_FLAT = {"bool": "i32", "u8": "i32", "s8": "i32", "u16": "i32",
             "s16": "i32", "u32": "i32", "s32": "i32", "u64": "i64",
             "s64": "i64", "f32": "f32", "f64": "f64", "char": "i32"}


def align_to(x, a):
    return (x + a - 1) // a * a


def disc_size(n):
    return 1 if n <= 256 else 2 if n <= 65536 else 4


def flags_size(n):
    # at most 32 flags (Binary.md; CanonicalABI.md asserts 0 < n <= 32)
    return 1 if n <= 8 else 2 if n <= 16 else 4


class Abi:
    def __init__(self, named):
        self.named = named

    def cases(self, t):
        """A variant-like type's cases as a list of payload types."""
        t = resolve(t, self.named)
        if t[0] == "option":
            return [None, t[1]]
        if t[0] == "result":
            return [t[1], t[2]]
        if t[0] == "enum":
            return [None] * len(t[1])
        return [c for _, c in t[1]]

    def fields(self, t):
        t = resolve(t, self.named)
        return t[1] if t[0] == "tuple" else [f for _, f in t[1]]

    def kind(self, t):
        t = resolve(t, self.named)
        k = t[0]
        if k in ("option", "result", "enum", "variant"):
            return "variant"
        if k in ("tuple", "record"):
            return "record"
        if k == "prim":
            return "string" if t[1] == "string" else "prim"
        return k

    def align(self, t):
        k = self.kind(t)
        r = resolve(t, self.named)
        if k == "prim":
            return PRIM_SIZE[r[1]]
        if k in ("string", "list"):
            return 4
        if k == "record":
            return max(self.align(f) for f in self.fields(t))
        if k == "flags":
            return flags_size(len(r[1]))
        cs = self.cases(t)
        return max([disc_size(len(cs))] + [self.align(c) for c in cs if c])

    def size(self, t):
        k = self.kind(t)
        r = resolve(t, self.named)
        if k == "prim":
            return PRIM_SIZE[r[1]]
        if k in ("string", "list"):
            return 8
        if k == "flags":
            return flags_size(len(r[1]))
        if k == "record":
            s = 0
            for f in self.fields(t):
                s = align_to(s, self.align(f)) + self.size(f)
            return align_to(s, self.align(t))
        cs = self.cases(t)
        s = disc_size(len(cs))
        s = align_to(s, max([1] + [self.align(c) for c in cs if c]))
        s += max([0] + [self.size(c) for c in cs if c])
        return align_to(s, self.align(t))

    def payload_offset(self, t):
        cs = self.cases(t)
        return align_to(disc_size(len(cs)),
                        max([1] + [self.align(c) for c in cs if c]))

    def flat(self, t):
        k = self.kind(t)
        r = resolve(t, self.named)
        if k == "prim":
            return [PRIM_FLAT[r[1]]]
        if k in ("string", "list"):
            return ["i32", "i32"]
        if k == "flags":
            return ["i32"]
        if k == "record":
            return [x for f in self.fields(t) for x in self.flat(f)]
        joined = []
        for c in self.cases(t):
            if not c:
                continue
            for i, ft in enumerate(self.flat(c)):
                if i < len(joined):
                    joined[i] = join(joined[i], ft)
                else:
                    joined.append(ft)
        return ["i32"] + joined


def join(a, b):
    if a == b:
        return a
    if {a, b} == {"i32", "f32"}:
        return "i32"
    return "i64"


def coerce(expr, have, want):
    """A joined flat value back to the case's own flat type."""
    if have == want:
        return expr
    if have == "i32" and want == "f32":
        return f"(f32.reinterpret_i32 {expr})"
    if want == "i32":
        return f"(i32.wrap_i64 {expr})"
    if want == "f32":
        return f"(f32.reinterpret_i32 (i32.wrap_i64 {expr}))"
    return f"(f64.reinterpret_i64 {expr})"


STORE = {1: "i32.store8", 2: "i32.store16", 4: "i32.store"}
PRIM_STORE = {"bool": "i32.store8", "u8": "i32.store8", "s8": "i32.store8",
              "u16": "i32.store16", "s16": "i32.store16",
              "u32": "i32.store", "s32": "i32.store", "char": "i32.store",
              "u64": "i64.store", "s64": "i64.store", "f32": "f32.store",
              "f64": "f64.store"}


def store_flat(abi, t, vals, off, out, ind):
    """WAT that stores flat values `vals` (expressions of t's flat types)
    as a t at $r + off."""
    k = abi.kind(t)
    r = resolve(t, abi.named)
    at = f"offset={off} (local.get $r)"
    if k == "prim":
        out.append(f"{ind}({PRIM_STORE[r[1]]} {at} {vals[0]})")
    elif k in ("string", "list"):
        out.append(f"{ind}(i32.store {at} {vals[0]})")
        out.append(f"{ind}(i32.store offset={off + 4} (local.get $r) {vals[1]})")
    elif k == "flags":
        out.append(f"{ind}({STORE[flags_size(len(r[1]))]} {at} {vals[0]})")
    elif k == "record":
        o = off
        i = 0
        for f in abi.fields(t):
            o = align_to(o, abi.align(f))
            n = len(abi.flat(f))
            store_flat(abi, f, vals[i:i + n], o, out, ind)
            o += abi.size(f)
            i += n
    else:
        cs = abi.cases(t)
        out.append(f"{ind}({STORE[disc_size(len(cs))]} {at} {vals[0]})")
        joined = abi.flat(t)[1:]
        po = off + abi.payload_offset(t)
        for ci, c in enumerate(cs):
            if not c:
                continue
            own = abi.flat(c)
            cv = [coerce(vals[1 + i], joined[i], own[i]) for i in range(len(own))]
            out.append(f"{ind}(if (i32.eq {vals[0]} (i32.const {ci})) (then")
            store_flat(abi, c, cv, po, out, ind + "  ")
            out.append(f"{ind}))")


# ---- the callee's digest of what it received -------------------------

def i64const(x):
    return f"(i64.const {x - (1 << 64) if x >= 1 << 63 else x})"


TO_I64 = {
    "bool": "(i64.extend_i32_u (i32.ne {} (i32.const 0)))",
    "u8": "(i64.extend_i32_u (i32.and {} (i32.const 255)))",
    "u16": "(i64.extend_i32_u (i32.and {} (i32.const 65535)))",
    "u32": "(i64.extend_i32_u {})", "char": "(i64.extend_i32_u {})",
    "s8": "(i64.extend_i32_s (i32.extend8_s {}))",
    "s16": "(i64.extend_i32_s (i32.extend16_s {}))",
    "s32": "(i64.extend_i32_s {})", "u64": "{}", "s64": "{}",
    "f32": "(if (result i64) (f32.ne {0} {0}) (then (i64.const 0x7fc00000))"
           " (else (i64.extend_i32_u (i32.reinterpret_f32 {0}))))",
    "f64": "(if (result i64) (f64.ne {0} {0}) (then (i64.const 0x7ff8000000000000))"
           " (else (i64.reinterpret_f64 {0})))",
}
LOAD = {"bool": "i32.load8_u", "u8": "i32.load8_u", "s8": "i32.load8_s",
        "u16": "i32.load16_u", "s16": "i32.load16_s", "u32": "i32.load",
        "s32": "i32.load", "char": "i32.load", "u64": "i64.load",
        "s64": "i64.load", "f32": "f32.load", "f64": "f64.load"}
LOAD_N = {1: "i32.load8_u", 2: "i32.load16_u", 4: "i32.load"}


def mix(e):
    return f"(call $mix {e})"


class Digest:
    """WAT that mixes every value a function received into the global $h,
    in the order Values lists its items: from flat values (flat) or from
    memory (mem), with a loop function per list element type."""

    def __init__(self, abi):
        self.abi = abi
        self.helpers = []
        self.lists = {}

    def list_fn(self, et):
        key = repr(et)
        if key not in self.lists:
            name = f"$list{len(self.lists)}"
            self.lists[key] = name
            el = f"(i32.add (local.get $p) (i32.mul (local.get $i) (i32.const {self.abi.size(et)})))"
            body = []
            self.mem(et, el, 0, body, "        ")
            self.helpers.append("\n".join(
                [f"      (func {name} (param $p i32) (param $n i32) (local $i i32)",
                 "        (call $mix (i64.extend_i32_u (local.get $n)))",
                 "        (block $done (loop $next",
                 "        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))"]
                + body +
                ["        (local.set $i (i32.add (local.get $i) (i32.const 1)))",
                 "        (br $next)))"
                 ")"]))
        return self.lists[key]

    def flat(self, t, vals, out, ind):
        abi = self.abi
        k = abi.kind(t)
        r = resolve(t, abi.named)
        if k == "prim":
            out.append(ind + mix(TO_I64[r[1]].format(vals[0])))
        elif k == "string":
            out.append(f"{ind}(call $mix_str {vals[0]} {vals[1]})")
        elif k == "list":
            out.append(f"{ind}(call {self.list_fn(r[1])} {vals[0]} {vals[1]})")
        elif k == "flags":
            mask = (1 << len(r[1])) - 1
            mask = mask - (1 << 32) if mask >= 1 << 31 else mask
            out.append(ind + mix(f"(i64.extend_i32_u (i32.and {vals[0]} (i32.const {mask})))"))
        elif k == "record":
            i = 0
            for f in abi.fields(t):
                n = len(abi.flat(f))
                self.flat(f, vals[i:i + n], out, ind)
                i += n
        else:
            out.append(ind + mix(f"(i64.extend_i32_u {vals[0]})"))
            joined = abi.flat(t)[1:]
            for ci, c in enumerate(abi.cases(t)):
                if not c:
                    continue
                own = abi.flat(c)
                cv = [coerce(vals[1 + i], joined[i], own[i]) for i in range(len(own))]
                out.append(f"{ind}(if (i32.eq {vals[0]} (i32.const {ci})) (then")
                self.flat(c, cv, out, ind + "  ")
                out.append(f"{ind}))")

    def mem(self, t, addr, off, out, ind):
        abi = self.abi
        k = abi.kind(t)
        r = resolve(t, abi.named)
        if k == "prim":
            out.append(ind + mix(TO_I64[r[1]].format(f"({LOAD[r[1]]} offset={off} {addr})")))
        elif k in ("string", "list"):
            fn = "$mix_str" if k == "string" else self.list_fn(r[1])
            out.append(f"{ind}(call {fn} (i32.load offset={off} {addr})"
                       f" (i32.load offset={off + 4} {addr}))")
        elif k == "flags":
            self.flat(t, [f"({LOAD_N[flags_size(len(r[1]))]} offset={off} {addr})"], out, ind)
        elif k == "record":
            o = off
            for f in abi.fields(t):
                o = align_to(o, abi.align(f))
                self.mem(f, addr, o, out, ind)
                o += abi.size(f)
        else:
            cs = abi.cases(t)
            disc = f"({LOAD_N[disc_size(len(cs))]} offset={off} {addr})"
            out.append(ind + mix(f"(i64.extend_i32_u {disc})"))
            po = off + abi.payload_offset(t)
            for ci, c in enumerate(cs):
                if not c:
                    continue
                out.append(f"{ind}(if (i32.eq {disc} (i32.const {ci})) (then")
                self.mem(c, addr, po, out, ind + "  ")
                out.append(f"{ind}))")


def digest_base(enc):
    """$h, $mix and $mix_str (a string's length word, then its code units
    in the callee's encoding) for the callee's core module."""
    if enc == "utf8":
        width = "(local.set $w (i32.const 1)) (local.set $cnt (local.get $n))"
    elif enc == "utf16":
        width = "(local.set $w (i32.const 2)) (local.set $cnt (local.get $n))"
    else:
        width = ("(if (i32.lt_s (local.get $n) (i32.const 0))"
                 " (then (local.set $w (i32.const 2))"
                 " (local.set $cnt (i32.and (local.get $n) (i32.const 0x7fffffff))))"
                 " (else (local.set $w (i32.const 1)) (local.set $cnt (local.get $n))))")
    return f"""
      (global $h (mut i64) {i64const(DIGEST_START)})
      (func $mix (param $x i64)
        (global.set $h (i64.add (i64.mul (global.get $h) {i64const(DIGEST_MUL)})
          (local.get $x))))
      (func $mix_str (param $p i32) (param $n i32) (local $i i32) (local $w i32) (local $cnt i32)
        (call $mix (i64.extend_i32_u (local.get $n)))
        {width}
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $cnt)))
          (call $mix (i64.extend_i32_u (if (result i32) (i32.eq (local.get $w) (i32.const 1))
            (then (i32.load8_u (i32.add (local.get $p) (local.get $i))))
            (else (i32.load16_u (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 1))))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next))))"""


# ---- type and value text ----------------------------------------------

def tytext(t, named, sfx):
    k = t[0]
    if k == "prim":
        return t[1]
    if k == "named":
        return f"$t{t[1]}{sfx}"
    if k == "list":
        return f"(list {tytext(t[1], named, sfx)})"
    if k == "tuple":
        return "(tuple " + " ".join(tytext(x, named, sfx) for x in t[1]) + ")"
    if k == "option":
        return f"(option {tytext(t[1], named, sfx)})"
    s = "(result"
    if t[1]:
        s += " " + tytext(t[1], named, sfx)
    if t[2]:
        s += f" (error {tytext(t[2], named, sfx)})"
    return s + ")"


def deftext(d, named, sfx):
    k = d[0]
    if k == "record":
        return "(record " + " ".join(
            f'(field "{n}" {tytext(t, named, sfx)})' for n, t in d[1]) + ")"
    if k == "variant":
        return "(variant " + " ".join(
            f'(case "{n}" {tytext(t, named, sfx)})' if t else f'(case "{n}")'
            for n, t in d[1]) + ")"
    return f"({k} " + " ".join(f'"{n}"' for n in d[1]) + ")"


def functype(params, result, named, sfx):
    s = " ".join(f'(param "{n}" {tytext(t, named, sfx)})' for n, t in params)
    return s + (f" (result {tytext(result, named, sfx)})" if result else "")


def result_of(params):
    if len(params) == 1:
        return params[0][1]
    return ("tuple", [t for _, t in params])


# Characters strings and chars are drawn from: ASCII, Latin-1 (so
# latin1+utf16 stays Latin-1), the BMP beyond it, and beyond the BMP
# (surrogate pairs in UTF-16).
CHAR_POOLS = [
    [0x41, 0x7a, 0x20, 0x30, 0x7e, 0x00, 0x7f],
    [0xe9, 0xff, 0x80, 0xa0, 0xdf],
    [0x100, 0x2603, 0x4e2d, 0xd7ff, 0xe000, 0xfffd, 0xffff],
    [0x10000, 0x1f370, 0x10ffff, 0x1d11e],
]


M64 = (1 << 64) - 1


def float_bits(text, bits):
    """The bit pattern the callee's digest mixes for a float: NaN as the
    canonical NaN (CanonicalABI.md "canonicalize_nan"), since no payload
    is promised across a boundary."""
    if text == "nan":
        return 0x7fc00000 if bits == 32 else 0x7ff8000000000000
    if bits == 32:
        return struct.unpack("<I", struct.pack("<f", float(text)))[0]
    return struct.unpack("<Q", struct.pack("<d", float(text)))[0]


def string_items(s, enc):
    """A string as the callee sees it: its length word, then its code
    units.  latin1+utf16 holds Latin-1 exactly when every code point fits
    (store_string_to_latin1_or_utf16 and
    store_probably_utf16_to_latin1_or_utf16 both end so)."""
    if enc == "utf8":
        units = list(s.encode("utf-8"))
        return [len(units)] + units
    b16 = s.encode("utf-16-le")
    u16 = [b16[i] | b16[i + 1] << 8 for i in range(0, len(b16), 2)]
    if enc == "utf16":
        return [len(u16)] + u16
    if all(ord(c) < 256 for c in s):
        return [len(s)] + [ord(c) for c in s]
    return [len(u16) | 1 << 31] + u16


class Values:
    """Random values of a type: (argument text, expected text, items),
    where items are the numbers the callee's digest mixes, in its order
    (depth first; a string or list is its length, then its contents; a
    variant-like value its case index, then its payload)."""

    def __init__(self, rng, named, enc):
        self.rng = rng
        self.named = named
        self.enc = enc

    def char(self, pools):
        return self.rng.choice(self.rng.choice(pools))

    def string(self):
        r = self.rng
        n = r.choice([0, 1, 2, 3, 5, 8, 13, 40])
        if r.random() < 0.02:
            # long enough that transcoding reallocates and memory grows
            n = r.choice([300, 5000, 70000])
        # Often all of one class, so each latin1+utf16 path is taken.
        pools = r.choice([CHAR_POOLS[:1], CHAR_POOLS[:2], CHAR_POOLS])
        return "".join(chr(self.char(pools)) for _ in range(n))

    def float(self, bits):
        r = self.rng
        x = r.random()
        if x < 0.08:
            return "nan"
        if x < 0.14:
            return r.choice(["inf", "-inf", "-0.0", "0.0"])
        if x < 0.5:
            return repr(float(r.randint(-1000, 1000)) / r.choice([1, 2, 4, 1024]))
        if bits == 32:
            while True:
                v = struct.unpack("<f", struct.pack("<I", r.getrandbits(32)))[0]
                if v == v and v not in (float("inf"), float("-inf")):
                    return repr(v)
        while True:
            v = struct.unpack("<d", struct.pack("<Q", r.getrandbits(64)))[0]
            if v == v and v not in (float("inf"), float("-inf")):
                return repr(v)

    def value(self, t):
        r = self.rng
        k = t[0]
        if k == "prim":
            p = t[1]
            if p == "bool":
                b = r.choice([True, False])
                s = f"(bool.const {'true' if b else 'false'})"
                return s, s, [int(b)]
            if p in INTS:
                lo, hi = INTS[p]
                v = r.choice([lo, hi, 0, 1, -1 if lo < 0 else 2, r.randint(lo, hi)])
                s = f"({p}.const {v})"
                return s, s, [v & M64]
            if p in ("f32", "f64"):
                bits = 32 if p == "f32" else 64
                v = self.float(bits)
                return (f"({p}.const {v})",
                        f"({p}.const {'nan:canonical' if v == 'nan' else v})",
                        [float_bits(v, bits)])
            if p == "char":
                c = self.char(CHAR_POOLS)
                s = f"(char.const {strtext(chr(c))})"
                return s, s, [c]
            v = self.string()
            s = f"(str.const {strtext(v)})"
            return s, s, string_items(v, self.enc)
        if k == "named":
            return self.named_value(self.named[t[1]])
        if k == "list":
            n = r.choice([0, 1, 2, 3, 4]) if r.random() < 0.9 else r.randint(5, 12)
            return join_vals("list.const", [self.value(t[1]) for _ in range(n)], [n])
        if k == "tuple":
            return join_vals("tuple.const", [self.value(x) for x in t[1]], [])
        if k == "option":
            if r.random() < 0.3:
                return "(option.none)", "(option.none)", [0]
            return join_vals("option.some", [self.value(t[1])], [1])
        ok = r.random() < 0.5
        pt = t[1] if ok else t[2]
        head = "result.ok" if ok else "result.err"
        return join_vals(head, [self.value(pt)] if pt else [], [0 if ok else 1])

    def named_value(self, d):
        r = self.rng
        k = d[0]
        if k == "record":
            items = [(n, self.value(t)) for n, t in d[1]]
            a = " ".join(f'(field "{n}" {v[0]})' for n, v in items)
            e = " ".join(f'(field "{n}" {v[1]})' for n, v in items)
            mixed = [x for _, v in items for x in v[2]]
            return f"(record.const {a})", f"(record.const {e})", mixed
        if k == "variant":
            # the last case too, so wide discriminants are exercised
            ci = len(d[1]) - 1 if r.random() < 0.2 else r.randrange(len(d[1]))
            n, t = d[1][ci]
            if not t:
                return f'(variant.const "{n}")', f'(variant.const "{n}")', [ci]
            a, e, items = self.value(t)
            return (f'(variant.const "{n}" {a})', f'(variant.const "{n}" {e})',
                    [ci] + items)
        if k == "enum":
            ci = len(d[1]) - 1 if r.random() < 0.3 else r.randrange(len(d[1]))
            s = f'(enum.const "{d[1][ci]}")'
            return s, s, [ci]
        chosen = [i for i in range(len(d[1])) if r.random() < 0.4]
        s = "(flags.const" + "".join(f' "{d[1][i]}"' for i in chosen) + ")"
        return s, s, [sum(1 << i for i in chosen)]


def join_vals(head, vals, first):
    a = "".join(" " + v[0] for v in vals)
    e = "".join(" " + v[1] for v in vals)
    return f"({head}{a})", f"({head}{e})", first + [x for v in vals for x in v[2]]


DIGEST_START = 0xcbf29ce484222325
DIGEST_MUL = 0x100000001b3


def digest(items):
    h = DIGEST_START
    for x in items:
        h = (h * DIGEST_MUL + x) & M64
    return h


def strtext(s):
    out = []
    for ch in s:
        c = ord(ch)
        if 0x20 <= c < 0x7f and ch not in '"\\':
            out.append(ch)
        else:
            out.append("\\u{%x}" % c)
    return '"' + "".join(out) + '"'


# ---- the components ----------------------------------------------------

def coretype(ps, rs):
    s = "".join(f" (param {p})" for p in ps)
    return s + "".join(f" (result {x})" for x in rs)


def core_sigs(abi, params, result):
    """(lift params, lift results, lower params, lower results) of the
    flat core signatures of a function (CanonicalABI.md "flatten_functype")."""
    fp = [x for _, t in params for x in abi.flat(t)]
    fr = abi.flat(result) if result else []
    if len(fp) > 16:
        fp = ["i32"]
    lift_r = fr if len(fr) <= 1 else ["i32"]
    low_p = fp + ([] if len(fr) <= 1 else ["i32"])
    low_r = fr if len(fr) <= 1 else []
    return fp, lift_r, low_p, low_r


def type_decls(named, ind, imported):
    """Each named type defined and exported (the callee), or defined and
    imported with an `eq` bound (the caller, whose functions then use the
    imported types: an import may name only imported types, and exporting
    them again would make new types its functions do not use)."""
    out = []
    for k, d in enumerate(named):
        if imported:
            out.append(f"{ind}(type $t{k}' {deftext(d, named, 'i')})")
            out.append(f'{ind}(import "t{k}" (type $t{k}i (eq $t{k}\')))')
        else:
            out.append(f"{ind}(type $t{k}' {deftext(d, named, '')})")
            out.append(f'{ind}(export $t{k} "t{k}" (type $t{k}\'))')
    return out


def callee(abi, funcs, enc):
    named = abi.named
    out = ["  (component $Callee"]
    out += type_decls(named, "    ", False)
    out.append("    (core module $M")
    out.append('      (memory (export "mem") 1)' + REALLOC)
    dg = Digest(abi)
    for i, (params, result) in enumerate(funcs):
        fp, lift_r, _, _ = core_sigs(abi, params, result)
        out.append(f'      (func (export "f{i}"){coretype(fp, lift_r)}')
        if not params:
            # the digest of the last call's values
            out.append("        (global.get $h))")
            continue
        nflat = len([x for _, t in params for x in abi.flat(t)])
        echo_flat = result and (nflat > 16 or len(abi.flat(result)) == 1)
        if result and not echo_flat:
            out.append("        (local $r i32)")
        out.append(f"        (global.set $h {i64const(DIGEST_START)})")
        if nflat > 16:
            dg.mem(("tuple", [t for _, t in params]), "(local.get 0)", 0, out, "        ")
        else:
            j = 0
            for _, t in params:
                n = len(abi.flat(t))
                dg.flat(t, [f"(local.get {x})" for x in range(j, j + n)], out, "        ")
                j += n
        if not result:
            # only the digest tells what arrived
            out.append("        )")
            continue
        if echo_flat:
            # the parameter area is laid out as the result; a single flat
            # value is its own result
            out.append("        (local.get 0))")
            continue
        out.append(f"        (local.set $r (call $realloc (i32.const 0) (i32.const 0)"
                   f" (i32.const {abi.align(result)}) (i32.const {abi.size(result)})))")
        vals = [f"(local.get {j})" for j in range(len(fp))]
        store_flat(abi, result, vals, 0, out, "        ")
        out.append("        (local.get $r))")
    out.append(digest_base(enc))
    out += dg.helpers
    out.append("    )")
    out.append("    (core instance $m (instantiate $M))")
    o = opts("m", enc)
    for i, (params, result) in enumerate(funcs):
        out.append(f'    (func (export "f{i}") {functype(params, result, named, "")}'
                   f' (canon lift (core func $m "f{i}"){o}))')
    out.append("  )")
    return out


def forwarder(abi, funcs, enc, name):
    named = abi.named
    out = [f"  (component ${name}"]
    out += type_decls(named, "    ", True)
    for i, (params, result) in enumerate(funcs):
        out.append(f'    (import "f{i}" (func $f{i}i {functype(params, result, named, "i")}))')
    out += LIBC
    o = opts("libc", enc)
    for i in range(len(funcs)):
        out.append(f"    (core func $f{i}low (canon lower (func $f{i}i){o}))")
    out.append("    (core module $M")
    out.append('      (import "libc" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))')
    for i, (params, result) in enumerate(funcs):
        _, _, low_p, low_r = core_sigs(abi, params, result)
        out.append(f'      (import "x" "f{i}" (func $f{i}{coretype(low_p, low_r)}))')
    for i, (params, result) in enumerate(funcs):
        fp, lift_r, low_p, low_r = core_sigs(abi, params, result)
        args = "".join(f" (local.get {j})" for j in range(len(fp)))
        out.append(f'      (func (export "f{i}"){coretype(fp, lift_r)}')
        if len(low_p) == len(fp):
            out.append(f"        (call $f{i}{args}))")
        else:
            out.append("        (local $r i32)")
            out.append(f"        (local.set $r (call $realloc (i32.const 0) (i32.const 0)"
                       f" (i32.const {abi.align(result)}) (i32.const {abi.size(result)})))")
            out.append(f"        (call $f{i}{args} (local.get $r))")
            out.append("        (local.get $r))")
    out.append("    )")
    withs = "".join(f' (export "f{i}" (func $f{i}low))' for i in range(len(funcs)))
    out.append("    (core instance $m (instantiate $M")
    out.append('      (with "libc" (instance $libc))')
    out.append(f'      (with "x" (instance{withs}))))')
    for i, (params, result) in enumerate(funcs):
        out.append(f'    (func (export "f{i}") {functype(params, result, named, "i")}'
                   f' (canon lift (core func $m "f{i}"){o}))')
    out.append("  )")
    return out


def composition(abi, funcs, enc_front, enc_caller, enc_callee):
    named = abi.named
    out = [f";; front {enc_front}, caller {enc_caller}, callee {enc_callee}:"
           f" {len(funcs)} functions",
           "(component"]
    out += callee(abi, funcs, enc_callee)
    out += forwarder(abi, funcs, enc_caller, "Caller")
    out += forwarder(abi, funcs, enc_front, "Front")
    out.append("  (instance $callee (instantiate $Callee))")
    for inst, comp, src in (("caller", "Caller", "callee"), ("front", "Front", "caller")):
        out.append(f"  (instance ${inst} (instantiate ${comp}")
        for k in range(len(named)):
            out.append(f'    (with "t{k}" (type $callee "t{k}"))')
        for i in range(len(funcs)):
            out.append(f'    (with "f{i}" (func ${src} "f{i}"))')
        out.append("  ))")
    # The root exports one instance: the callee's types (which the
    # forwarders' imports were bound to) and the front's functions.
    out.append("  (instance $api")
    for k in range(len(named)):
        out.append(f'    (export "t{k}" (type $callee "t{k}"))')
    for i in range(len(funcs)):
        out.append(f'    (export "f{i}" (func $front "f{i}"))')
    out.append("  )")
    out.append('  (export "api" (instance $api))')
    out.append(")")
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: gen.py SEED CASES OUTDIR")
    seed, cases, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    os.makedirs(outdir, exist_ok=True)
    rng = random.Random(seed)
    pairs = [(a, b) for a in ENCODINGS for b in ENCODINGS]
    per = max(1, -(-cases // len(pairs)))
    for ec, ee in pairs:
        out = [f";; Generated by tests/diff/gen.py {seed} {cases}; do not edit.", ""]
        g = Gen(rng)
        funcs = []
        for _ in range(per):
            params = g.params()
            # some without a result: the values go one way only
            funcs.append((params, result_of(params) if rng.random() < 0.85 else None))
        # the callee's digest of the values of the last call
        funcs.append(([], ("prim", "u64")))
        fd = len(funcs) - 1
        abi = Abi(g.named)
        # jco lifts to JS only from UTF-8 or UTF-16, and copies between
        # memories only UTF-8 to UTF-8 or between UTF-8 and UTF-16: a front
        # of the other encoding keeps utf8/utf16 callers runnable by jco.
        ef = "utf8" if ec == "utf16" else "utf16"

        out += composition(abi, funcs, ef, ec, ee)
        vals = Values(rng, g.named, ee)
        for i, (params, result) in enumerate(funcs[:fd]):
            got = [vals.value(t) for _, t in params]
            args = " ".join(v[0] for v in got)
            if not result:
                exp = ""
            elif len(params) == 1:
                exp = " " + got[0][1]
            else:
                exp = " (tuple.const " + " ".join(v[1] for v in got) + ")"
            out.append(f'(assert_return (invoke "api#f{i}" {args}){exp})')
            d = digest([x for v in got for x in v[2]])
            out.append(f'(assert_return (invoke "api#f{fd}") (u64.const {d}))')
        out.append("")
        name = f"{ec}-to-{ee}".replace("latin1+utf16", "latin1")
        with open(os.path.join(outdir, name + ".wast"), "w") as f:
            f.write("\n".join(out))


if __name__ == "__main__":
    main()

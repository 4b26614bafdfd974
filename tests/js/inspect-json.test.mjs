// Tests for the export types and lift options of `meld inspect --json`
// (the schema is in README.md, "Types from meld inspect --json"; the .wast
// runner reads them with exportedFuncs). Run:
//   node --test tests/js/inspect-json.test.mjs
// build/meld must be built (`make`); MELD overrides it, MELD_CORPUS names
// the corpus (the corpus tests are skipped without it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from '@bytecodealliance/jco';
import { exportedFuncs } from './wast-run.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MELD = process.env.MELD ? path.resolve(process.env.MELD) : path.join(ROOT, 'build/meld');
const CORPUS = process.env.MELD_CORPUS ?? '/work/shared/corpus';

// Types reached through an outer alias, an instance-type export, a
// resource import bound by an instantiation argument, a nested
// component's instance, an export ascription and an inline instance.
const nested = `(component
  (type $r0 (record (field "a" u32) (field "b" string)))
  (export $r "r" (type $r0))
  (import "i" (instance $i
    (type $v (variant (case "x" u8) (case "y")))
    (export "v" (type $vv (eq $v)))
    (export "res" (type $rr (sub resource)))))
  (import "imp" (func $imp (param "s" string)))
  (alias export $i "v" (type $v))
  (alias export $i "res" (type $res))
  (type $o (own $res))
  (type $b (borrow $res))
  (type $lv (list $v))
  (component $C
    (alias outer 1 $r (type $r1))
    (export $r2 "r" (type $r1))
    (import "tv" (type $tv (sub resource)))
    (type $opt (option $r2))
    (type $res2 (result $opt (error (tuple u8 $r2))))
    (core module $M
      (memory (export "mem") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable)
      (func (export "f") (param i32 i32 i32 i32) (result i32) unreachable)
      (func (export "post") (param i32))
      (func (export "g") (param i32)))
    (core instance $m (instantiate $M))
    (func $f (param "x" $opt) (result $res2)
      (canon lift (core func $m "f") (memory (core memory $m "mem"))
        (realloc (core func $m "realloc")) string-encoding=utf16
        (post-return (core func $m "post"))))
    (type $ow (own $tv))
    (func $g (param "h" $ow) (canon lift (core func $m "g")))
    (instance $inner (export "r" (type $r2)) (export "f" (func $f)))
    (export "inner" (instance $inner))
    (export "g" (func $g)))
  (instance $c (instantiate $C (with "tv" (type $res))))
  (alias export $c "inner" (instance $inner))
  (alias export $inner "f" (func $f))
  (export "f" (func $f))
  (export "g2" (func $c "g"))
  (export "iface" (instance $inner))
  (export "reexp" (func $imp))
  (core module $N
    (memory (export "mem") 1)
    (func (export "h") (param i32 i32 i32 i32) (result i32) unreachable)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable))
  (core instance $n (instantiate $N))
  (type $fh (func (param "a" $lv) (param "o" $o) (param "b" $b) (result (list u8 4))))
  (func $h (type $fh) (canon lift (core func $n "h") (memory (core memory $n "mem"))
    (realloc (core func $n "realloc"))))
  (export "h" (func $h) (func (type $fh)))
  (instance $ih (export "h" (func $h)))
  (export "ih" (instance $ih)))`;

// A 64-bit memory, reached through a module that imports it.
const memory64 = `(component
  (core module $P (memory (export "m") i64 1))
  (core instance $p (instantiate $P))
  (core module $M
    (import "p" "m" (memory i64 1))
    (export "mm" (memory 0))
    (func (export "f") (result i64) unreachable))
  (core instance $m (instantiate $M (with "p" (instance $p))))
  (func (export "f") (result string)
    (canon lift (core func $m "f") (memory (core memory $m "mm")) string-encoding=latin1+utf16)))`;

// n defined types, each an option of the one before.
function optionChain(n) {
  const types = ['(type $t0 (list u8))'];
  for (let i = 0; i < n; i++) types.push(`(type $t${i + 1} (option $t${i}))`);
  return chainComponent(types, n);
}

// n defined types, each a pair of the one before: 2^n nodes written out.
function pairChain(n) {
  const types = ['(type $t0 (list u8))'];
  for (let i = 0; i < n; i++) types.push(`(type $t${i + 1} (tuple $t${i} $t${i}))`);
  return chainComponent(types, n);
}

function chainComponent(types, n) {
  return `(component ${types.join(' ')}
    (core module $M (memory (export "mem") 1) (func (export "f") (param i32))
      (func (export "r") (param i32 i32 i32 i32) (result i32) unreachable))
    (core instance $m (instantiate $M))
    (func (export "f") (param "x" $t${n}) (canon lift (core func $m "f")
      (memory (core memory $m "mem")) (realloc (core func $m "r")))))`;
}

let dir;
async function inspect(name, text) {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'inspect-json-test-'));
  const file = path.join(dir, `${name}.wasm`);
  fs.writeFileSync(file, await parse(text));
  return inspectFile(file);
}

function inspectFile(file) {
  const r = spawnSync(MELD, ['inspect', '--json', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, stderr: r.stderr, json: r.status === 0 ? JSON.parse(r.stdout) : null };
}

const record = { kind: 'record', fields: [{ name: 'a', type: 'u32' }, { name: 'b', type: 'string' }] };
const noOpts = { string_encoding: 'utf8', memory: false, realloc: false, post_return: false, async: false, callback: false };

test.after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

test('types and lift options through nested components, aliases and instances', async () => {
  const r = await inspect('nested', nested);
  assert.equal(r.status, 0, r.stderr);
  const funcs = exportedFuncs(r.json);
  assert.deepEqual([...funcs.keys()], ['f', 'g2', 'iface#f', 'reexp', 'h', 'ih#h']);
  const fType = {
    params: [{ name: 'x', type: { kind: 'option', type: record } }],
    result: { kind: 'result', ok: { kind: 'option', type: record }, error: { kind: 'tuple', types: ['u8', record] } },
    async: false,
  };
  const fCanon = { string_encoding: 'utf16', memory: true, realloc: true, post_return: true, async: false, callback: false };
  assert.deepEqual(funcs.get('f'), { type: fType, canon: fCanon });
  assert.deepEqual(funcs.get('iface#f'), { type: fType, canon: fCanon });
  assert.deepEqual(funcs.get('g2'), {
    type: { params: [{ name: 'h', type: { kind: 'own', resource: 'res' } }], result: null, async: false },
    canon: noOpts,
  });
  // A root import re-exported: a type, no canon.
  assert.deepEqual(funcs.get('reexp'), { type: { params: [{ name: 's', type: 'string' }], result: null, async: false }, canon: null });
  const hType = {
    params: [
      { name: 'a', type: { kind: 'list', element: { kind: 'variant', cases: [{ name: 'x', type: 'u8' }, { name: 'y', type: null }] } } },
      { name: 'o', type: { kind: 'own', resource: 'res' } },
      { name: 'b', type: { kind: 'borrow', resource: 'res' } },
    ],
    result: { kind: 'list', element: 'u8', length: 4 },
    async: false,
  };
  const hCanon = { ...noOpts, memory: true, realloc: true };
  assert.deepEqual(funcs.get('h'), { type: hType, canon: hCanon });
  assert.deepEqual(funcs.get('ih#h'), { type: hType, canon: hCanon });
  // Other exports keep their sort; instance members are listed in order.
  const iface = r.json.exports.find((e) => e.name === 'iface');
  assert.deepEqual(iface.exports.map((e) => [e.name, e.sort]), [['r', 'type'], ['f', 'func']]);
  assert.equal(r.json.exports.find((e) => e.name === 'r').type, undefined);
});

test('a 64-bit memory is flagged; a 32-bit one is not', async () => {
  let r = await inspect('memory64', memory64);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(exportedFuncs(r.json).get('f').canon, {
    string_encoding: 'latin1+utf16', memory: true, realloc: false, post_return: false, async: false, callback: false, memory64: true,
  });
  r = await inspect('memory32', memory64.replaceAll(' i64 1', ' 1').replace('(result i64)', '(result i32)'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(exportedFuncs(r.json).get('f').canon.memory64, undefined);
});

test('types nested too deep, or too large written out, are refused', async () => {
  let r = await inspect('chain31', optionChain(31));
  assert.equal(r.status, 0, r.stderr);
  let t = exportedFuncs(r.json).get('f').type.params[0].type;
  for (let i = 0; i < 31; i++) t = t.type;
  assert.deepEqual(t, { kind: 'list', element: 'u8' });
  r = await inspect('chain32', optionChain(32));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unsupported: export "f": value type nested more than 32 levels deep/);
  r = await inspect('pairs15', pairChain(15));
  assert.equal(r.status, 0, r.stderr);
  r = await inspect('pairs17', pairChain(17));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unsupported: export "f": types written out in full take more than 100000 nodes/);
});

test('every function export of the corpus components has a type and a canon', { skip: !fs.existsSync(path.join(CORPUS, 'jco/runtime')) }, () => {
  const dirs = [path.join(CORPUS, 'jco/runtime')];
  const files = dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.component.wasm')).map((f) => path.join(d, f)));
  assert.ok(files.length > 0);
  let n = 0;
  for (const file of files) {
    const r = inspectFile(file);
    assert.equal(r.status, 0, `${file}: ${r.stderr}`);
    for (const [name, f] of exportedFuncs(r.json)) {
      assert.ok(f.type, `${file}: ${name} has no type`);
      assert.ok(f.canon, `${file}: ${name} has no canon`);
      n++;
    }
  }
  assert.ok(n > 50, `only ${n} functions`);
});

// Tests for validate.mjs. Run: node --test tests/js/validate.test.mjs
// (under Node 20 core modules go through wasm-validate, under Node 22
// through V8: both paths are worth running).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parse } from '@bytecodealliance/jco';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'validate.mjs');

// jco's parser does not validate, so it can build the invalid inputs too.
const inputs = {
  'good-core.wasm': '(module (func (export "f") (result i32) i32.const 1))',
  'bad-core.wasm': '(module (func (result i64) i32.const 1 i32.const 2 i64.add))',
  'two-memories.wasm': '(module (memory 1) (memory 1))',
  'good-component.wasm': `(component
    (core module $m (func (export "f") (result i32) i32.const 1))
    (core instance $i (instantiate $m))
    (func (export "f") (result u32) (canon lift (core func $i "f"))))`,
  // Valid at the component level; the core body is not.
  'bad-body-component.wasm': `(component
    (core module $m (func (export "f") (result i64) i32.const 1 i32.const 2 i64.add))
    (core instance (instantiate $m)))`,
  // The lifted type does not match the core function's.
  'bad-lift-component.wasm': `(component
    (core module $m (func (export "f") (result i32) i32.const 1))
    (core instance $i (instantiate $m))
    (func (export "f") (result u64) (canon lift (core func $i "f"))))`,
  // latin1+utf16 makes jco 1.35's bindgen panic, which poisons its instance.
  'jco-crash.wasm': `(component
    (core module $M
      (memory (export "mem") 1)
      (func (export "log") (param i32 i32))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable))
    (core instance $m (instantiate $M))
    (func (export "log") (param "msg" string)
      (canon lift (core func $m "log") string-encoding=latin1+utf16
        (memory (core memory $m "mem")) (realloc (core func $m "realloc")))))`,
};

async function makeInputs(dir) {
  for (const [name, text] of Object.entries(inputs)) {
    fs.writeFileSync(path.join(dir, name), await parse(text));
  }
  fs.writeFileSync(path.join(dir, 'not-wasm.wasm'), 'hello, world');
}

function validate(dir, names) {
  const files = names.map((n) => path.join(dir, n));
  const r = spawnSync(process.execPath, [script, ...files], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  const result = {};
  for (const line of lines.slice(0, -1)) {
    const m = /^(ok|FAIL) ([^:]*)(?:: (.*))?$/.exec(line);
    assert.ok(m, `unexpected line: ${line}`);
    result[path.basename(m[2])] = m[1] === 'ok' ? 'ok' : m[3];
  }
  return { status: r.status, result, last: lines[lines.length - 1] };
}

test('valid and invalid core modules and components', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-test-'));
  try {
    await makeInputs(dir);
    const { status, result, last } = validate(dir, [
      'good-core.wasm',
      'bad-core.wasm',
      'two-memories.wasm',
      'good-component.wasm',
      'bad-body-component.wasm',
      'bad-lift-component.wasm',
      'not-wasm.wasm',
    ]);
    assert.equal(status, 1);
    assert.equal(result['good-core.wasm'], 'ok');
    assert.match(result['bad-core.wasm'], /i64/);
    assert.equal(result['two-memories.wasm'], 'ok');
    assert.equal(result['good-component.wasm'], 'ok');
    assert.match(result['bad-body-component.wasm'], /core module .*i64/);
    assert.match(result['bad-lift-component.wasm'], /jco transpile: .*do not match/);
    assert.match(result['not-wasm.wasm'], /magic/);
    assert.equal(last, 'validate: 3 passed, 4 failed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a jco crash fails that file only; the rest still gets checked', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-test-'));
  try {
    await makeInputs(dir);
    const { status, result, last } = validate(dir, ['jco-crash.wasm', 'good-component.wasm', 'bad-lift-component.wasm']);
    assert.equal(status, 1);
    assert.match(result['jco-crash.wasm'], /crashed/);
    assert.equal(result['good-component.wasm'], 'ok');
    assert.match(result['bad-lift-component.wasm'], /do not match/);
    assert.equal(last, 'validate: 1 passed, 2 failed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Tests for wast-split.mjs on a small script that packs the awkward corners
// of wast syntax together. Run: node --test tests/js/wast-split.test.mjs
//
// The script is run as a child process, as the other tests use it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wast-split.mjs');

// Line numbers matter: the test checks them.
const tricky = String.raw`;; a line comment with ( and " in it
(; a block (; nested ;) comment with "a quote" and ) ;)
(component $a
  (import "x(;y;)\"z\\" (func)) ;; a name that looks like a comment
)
(assert_return (invoke "f" (str.const "a\"b\n\t\u{1F600}\41")) (u32.const 42))
(component binary "\00asm" "\0d\00\01\00")
(component quote "(import \"q\" (func))")
(assert_malformed (component quote "(import \"\\zz\" (func))") "invalid string escape")
(assert_malformed
  (component (bogus)) "unexpected token")
(component definition $D (core module $m))
(component instance $i $D)
(invoke $a "g" (record.const (field "s" str.const "v") (field "n" u32.const 7)))
(assert_invalid (component binary "\00asm\0d\00\01\00\ff") "malformed")
(register "reg" $a)
(module binary "\00asm\01\00\00\00")
(assert_trap (invoke "h") "unreachable")
`;

function split(text, extraArgs = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wast-split-test-'));
  const wast = path.join(dir, 'in.wast');
  fs.writeFileSync(wast, text);
  const out = path.join(dir, 'out');
  const r = spawnSync(process.execPath, [script, ...extraArgs, wast, out], { encoding: 'utf8' });
  const manifestPath = path.join(out, 'manifest.json');
  const manifest = fs.existsSync(manifestPath) ? JSON.parse(fs.readFileSync(manifestPath, 'utf8')) : null;
  return { r, out, manifest, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('tricky wast: every command, line and kind', () => {
  const { r, manifest, cleanup } = split(tricky);
  try {
    assert.equal(r.status, 0, r.stderr);
    const kinds = manifest.commands.map((c) => `${c.line}:${c.kind}`);
    assert.deepEqual(kinds, [
      '3:module',
      '6:assert_return',
      '7:module',
      '8:module',
      '9:assert_malformed',
      '10:assert_malformed',
      '12:definition',
      '13:instance',
      '14:invoke',
      '15:assert_invalid',
      '16:register',
      '17:module',
      '18:assert_trap',
    ]);
  } finally {
    cleanup();
  }
});

test('tricky wast: binaries, strings and targets', () => {
  const { manifest: m, out, cleanup } = split(tricky);
  try {
    const c = m.commands;
    const bytes = (file) => fs.readFileSync(path.join(out, file));
    // The text component parsed: the import name with its escapes survived.
    assert.equal(c[0].name, '$a');
    assert.ok(bytes(c[0].file).includes(Buffer.from('x(;y;)"z\\')));
    // Escapes in values: \" \n \t \u{...} and \hh.
    assert.deepEqual(c[1].action, {
      type: 'invoke',
      instance: null,
      name: 'f',
      args: [{ head: 'str.const', args: [{ string: 'a"b\n\t\u{1F600}A' }] }],
    });
    assert.deepEqual(c[1].expected, [{ type: 'u32.const', value: '42' }]);
    assert.equal(c[1].target, 0);
    // Binary forms are decoded byte for byte.
    assert.deepEqual([...bytes(c[2].file)], [0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]);
    assert.equal(c[2].format, 'binary');
    assert.equal(c[3].format, 'quote');
    assert.ok(c[3].file);
    // Text-level errors carry the parser's message (and a line when known).
    assert.match(c[4].module.text_error, /InvalidStringEscape/);
    assert.equal(c[4].message, 'invalid string escape');
    assert.match(c[5].module.text_error, /expected valid component field/);
    assert.equal(c[5].module.line, 11);
    assert.equal(c[5].module.text_error_line, 11);
    // A definition is not instantiated; the instance points at it.
    assert.equal(c[6].name, '$D');
    assert.equal(c[7].of_index, 6);
    assert.equal(c[7].file, c[6].file);
    // A named action goes to the named component, not the last one.
    assert.equal(c[8].target, 0);
    assert.equal(c[8].action.instance, '$a');
    assert.deepEqual(c[8].action.args[0].args[0], {
      head: 'field',
      args: [{ string: 's' }, { atom: 'str.const' }, { string: 'v' }],
    });
    assert.equal(c[9].module.format, 'binary');
    assert.equal(bytes(c[9].module.file).length, 9);
    assert.equal(c[10].as, 'reg');
    assert.equal(c[10].target, 0);
    assert.equal(c[11].layer, 'module');
    // An unnamed action after `(component instance ...)` uses the last thing
    // instantiated: here the core module at index 11.
    assert.equal(c[12].target, 11);
    assert.equal(c[12].message, 'unreachable');
  } finally {
    cleanup();
  }
});

test('broken wast: clear error, non-zero exit, no manifest', () => {
  for (const [text, want] of [
    ['(component\n  (core module)\n', /line 1: unclosed/],
    ['(component)\n)\n', /line 2: unbalanced/],
    ['(component (import "a', /line 1: unterminated string/],
    ['(; never closed', /line 1: unterminated block comment/],
  ]) {
    const { r, manifest, cleanup } = split(text);
    try {
      assert.equal(r.status, 1);
      assert.match(r.stderr, want);
      assert.equal(manifest, null);
    } finally {
      cleanup();
    }
  }
});

test('--all converts a tree and then skips what is up to date', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wast-split-all-'));
  try {
    fs.mkdirSync(path.join(dir, 'in', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'in', 'a.wast'), '(component)\n');
    fs.writeFileSync(path.join(dir, 'in', 'sub', 'b.wast'), '(component (core module))\n');
    const run = () =>
      spawnSync(process.execPath, [script, '--all', path.join(dir, 'in'), path.join(dir, 'out')], { encoding: 'utf8' });
    let r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /2 \.wast files \(0 up to date, 0 failed\)/);
    assert.ok(fs.existsSync(path.join(dir, 'out', 'sub', 'b.wast', '000.wasm')));
    r = run();
    assert.match(r.stdout, /2 \.wast files \(2 up to date, 0 failed\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('quoted identifiers $"..." stay one atom, even with ;; or ) inside', () => {
  const { r, manifest: m, cleanup } = split('(component $"a b" (core module $"m;;x)"))\n(invoke $"a b" "f")\n');
  try {
    assert.equal(r.status, 0, r.stderr);
    assert.equal(m.commands[0].name, '$"a b"');
    assert.ok(m.commands[0].file);
    assert.equal(m.commands[1].target, 0);
  } finally {
    cleanup();
  }
});

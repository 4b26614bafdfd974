// run.mjs: instantiate a fused core module in Node 22 and check calls
// against the runtime lines of a tests/fuse/*.expect file.
//
//   node22 tests/fuse/run.mjs FUSED.wasm NAME.expect
//
// Lines used here (others belong to suite-fuse.sh and are skipped):
//   host MODULE FIELD JS        the import MODULE/FIELD is the JS function
//                               JS evaluates to; `log` (an array) is in scope
//   call EXPORT ARGS -> RESULTS the call returns RESULTS
//   string EXPORT ARGS -> JSON  the call returns a pointer to a UTF-8 string
//                               (ptr, len) in memory "memory" equal to the
//                               JSON string; then cabi_post_EXPORT is called
//   trap EXPORT ARGS            the call traps (a WebAssembly.RuntimeError)
//   log VALUES                  `log` now holds exactly VALUES (then cleared)
//   has-export NAME             the module exports NAME
//   no-export NAME              it does not
//   has-import MODULE FIELD     it imports MODULE/FIELD
//   section NAME TEXT           custom section NAME contains TEXT
// Values are typed: i32:N, i64:N, f32:N, f64:N (decimal or 0x hex; f32/f64
// also nan, inf, -inf).  Prints one line per failure and ends with
// "N passed, N failed"; exits 1 when something failed.
import fs from 'node:fs';

import { parseCall, parseValue, same, show } from './expect-values.mjs';

const [wasmPath, expectPath] = process.argv.slice(2);
const lines = fs.readFileSync(expectPath, 'utf8').split('\n');
const log = [];
let passed = 0, failed = 0;

function fail(lineNo, msg) {
  failed++;
  console.log(`FAIL ${expectPath}:${lineNo}: ${msg}`);
}

// `string EXPORT ARGS -> "text"`: the expected text is a JSON string.
function parseStringCall(rest) {
  const arrow = rest.indexOf('->');
  if (arrow < 0) throw new Error('string needs -> "text"');
  const head = rest.slice(0, arrow).trim().split(/\s+/);
  return { name: head[0], args: head.slice(1).map(parseValue), text: JSON.parse(rest.slice(arrow + 2).trim()) };
}

// The string a lifted export returned through its return pointer, read
// from "memory"; the export's post-return runs after.
function readString(retptr, name) {
  const mem = instance.exports.memory;
  const view = new DataView(mem.buffer);
  const ptr = view.getUint32(retptr, true);
  const len = view.getUint32(retptr + 4, true);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(mem.buffer, ptr, len));
  const post = instance.exports[`cabi_post_${name}`];
  if (typeof post === 'function') post(retptr);
  return text;
}

// Imports: every host line, and a trapping stub for anything else.
const imports = {};
const module = new WebAssembly.Module(fs.readFileSync(wasmPath));
for (const [i, line] of lines.entries()) {
  const m = /^host\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line.trim());
  if (!m) continue;
  try {
    (imports[m[1]] ??= {})[m[2]] = new Function('log', `return (${m[3]});`)(log);
  } catch (e) {
    fail(i + 1, `host: ${e.message}`);
  }
}
for (const imp of WebAssembly.Module.imports(module)) {
  const mod = (imports[imp.module] ??= {});
  if (!(imp.name in mod) && imp.kind === 'function')
    mod[imp.name] = () => { throw new Error(`unexpected call of import ${imp.module} ${imp.name}`); };
}

// Structure checks, before running anything.
const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
const importNames = WebAssembly.Module.imports(module).map((i) => `${i.module} ${i.name}`);
for (const [i, raw] of lines.entries()) {
  const line = raw.trim();
  let m;
  if ((m = /^has-export\s+(\S+)$/.exec(line))) {
    if (exportNames.includes(m[1])) passed++;
    else fail(i + 1, `no export ${m[1]} (exports: ${exportNames.join(', ')})`);
  } else if ((m = /^no-export\s+(\S+)$/.exec(line))) {
    if (!exportNames.includes(m[1])) passed++;
    else fail(i + 1, `unexpected export ${m[1]}`);
  } else if ((m = /^has-import\s+(\S+)\s+(\S+)$/.exec(line))) {
    if (importNames.includes(`${m[1]} ${m[2]}`)) passed++;
    else fail(i + 1, `no import ${m[1]} ${m[2]} (imports: ${importNames.join(', ')})`);
  } else if ((m = /^section\s+(\S+)\s+(.*)$/.exec(line))) {
    const texts = WebAssembly.Module.customSections(module, m[1]).map((b) => new TextDecoder().decode(b));
    if (texts.some((t) => t.includes(m[2]))) passed++;
    else fail(i + 1, `custom section ${m[1]} does not contain ${JSON.stringify(m[2])}: ${JSON.stringify(texts)}`);
  }
}

let instance;
try {
  instance = new WebAssembly.Instance(module, imports);
} catch (e) {
  fail(0, `instantiation: ${e.message}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}

for (const [i, raw] of lines.entries()) {
  const line = raw.trim();
  const m = /^(call|trap|log|string)\s*(.*)$/.exec(line);
  if (!m) continue;
  const [, kind, rest] = m;
  if (kind === 'log') {
    const want = rest.split(/\s+/).filter(Boolean).map(parseValue);
    const ok = want.length === log.length && want.every((w, k) => same(w, log[k]));
    if (ok) passed++;
    else fail(i + 1, `log is [${log.map(show).join(' ')}], expected [${rest}]`);
    log.length = 0;
    continue;
  }
  let c;
  try {
    c = kind === 'string' ? parseStringCall(rest) : parseCall(rest);
  } catch (e) {
    fail(i + 1, e.message);
    continue;
  }
  const fn = instance.exports[c.name];
  if (typeof fn !== 'function') {
    fail(i + 1, `no function export ${JSON.stringify(c.name)}`);
    continue;
  }
  let got, threw;
  try {
    got = fn(...c.args.map((a) => a.v));
  } catch (e) {
    threw = e;
  }
  if (kind === 'string' && !threw) {
    let text;
    try {
      text = readString(got, c.name);
    } catch (e) {
      text = `(cannot read it: ${e.message})`;
    }
    if (text === c.text) passed++;
    else fail(i + 1, `returned ${JSON.stringify(text)}, expected ${JSON.stringify(c.text)}`);
    continue;
  }
  if (kind === 'trap') {
    if (threw instanceof WebAssembly.RuntimeError) passed++;
    else fail(i + 1, threw ? `threw ${threw}` : `returned ${show(got)}, expected a trap`);
    continue;
  }
  if (threw) {
    fail(i + 1, `threw ${threw}`);
    continue;
  }
  const gots = c.results.length === 1 ? [got] : c.results.length === 0 ? [] : got;
  if (c.results.length === 0 && got !== undefined) fail(i + 1, `returned ${show(got)}, expected nothing`);
  else if (gots.length === c.results.length && c.results.every((w, k) => same(w, gots[k]))) passed++;
  else fail(i + 1, `returned ${[].concat(got).map(show).join(' ')}, expected ${c.results.map((r) => show(r.v)).join(' ')}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

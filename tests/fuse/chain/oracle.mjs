// oracle.mjs: run an unfused component with jco (transpiled to JS, in
// Node 22) against the runtime lines of a tests/fuse/*.expect file, so the
// expected results of a fixture are checked against the component model's
// own semantics, not only against meld.
//
//   node22 tests/fuse/chain/oracle.mjs COMPONENT.wasm NAME.expect OUTDIR
//
// Lines used here (the others concern the fused module and are skipped):
//   host $root FIELD JS         the root-level function import FIELD
//   host IFACE FIELD JS         function FIELD of the imported instance IFACE
//   call EXPORT ARGS -> RESULTS the root export EXPORT returns RESULTS
//   trap EXPORT ARGS            the call traps (a WebAssembly.RuntimeError)
//   log VALUES                  `log` now holds exactly VALUES (then cleared)
// Values are written as for run.mjs (i32:N, i64:N, f32:N, f64:N) and
// compared with what jco gives: a number for 32-bit integers and floats, a
// BigInt for 64-bit integers.  A `string` line cannot be checked here and
// fails.  After a trap the component instance may not be entered again,
// so a trap line comes last or is followed by log lines only.  Prints one
// line per failure and ends with "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { parseCall, parseValue, same, show } from '../expect-values.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const [componentPath, expectPath, outDir] = process.argv.slice(2);
if (!outDir) {
  console.log('usage: oracle.mjs COMPONENT.wasm NAME.expect OUTDIR');
  process.exit(2);
}
const lines = fs.readFileSync(expectPath, 'utf8').split('\n');
const log = [];
let passed = 0, failed = 0;

function fail(lineNo, msg) {
  failed++;
  console.log(`FAIL ${expectPath}:${lineNo}: ${msg}`);
}

function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

// jco's JS names: kebab-case becomes camelCase.
function jsName(name) {
  return name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}

const imports = {};
for (const [i, line] of lines.entries()) {
  const m = /^host\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line.trim());
  if (!m) continue;
  let fn;
  try {
    fn = new Function('log', `return (${m[3]});`)(log);
  } catch (e) {
    fail(i + 1, `host: ${e.message}`);
    continue;
  }
  if (m[1] === '$root') imports[m[2]] = { default: fn };
  else (imports[m[1]] ??= {})[jsName(m[2])] = fn;
}

const api = path.join(here, '../../js/node_modules/@bytecodealliance/jco/dist/api.js');
const jco = await import(pathToFileURL(api).href);
let out;
try {
  out = await jco.transpile(new Uint8Array(fs.readFileSync(componentPath)), {
    name: 'component',
    noTypescript: true,
    quiet: true,
    instantiation: { tag: 'async' },
  });
} catch (e) {
  fail(0, `jco transpile: ${String(e?.message ?? e).slice(0, 600)}`);
  finish();
}
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}\n');
for (const [name, data] of Object.entries(out.files)) fs.writeFileSync(path.join(outDir, name), data);

let exports;
try {
  const mod = await import(pathToFileURL(path.join(outDir, 'component.js')).href);
  // compiling each core module here also validates its code, which jco
  // transpile does not
  exports = await mod.instantiate((p) => new WebAssembly.Module(fs.readFileSync(path.join(outDir, p))), imports);
} catch (e) {
  fail(0, `instantiation: ${e.message}`);
  finish();
}

for (const [i, raw] of lines.entries()) {
  const line = raw.trim();
  const m = /^(call|trap|log|string)\s*(.*)$/.exec(line);
  if (!m) continue;
  const [, kind, rest] = m;
  if (kind === 'string') {
    fail(i + 1, 'string lines are not supported by the oracle');
    continue;
  }
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
    c = parseCall(rest);
  } catch (e) {
    fail(i + 1, e.message);
    continue;
  }
  const fn = exports[jsName(c.name)];
  if (typeof fn !== 'function') {
    fail(i + 1, `no function export ${JSON.stringify(c.name)} (exports: ${Object.keys(exports).join(', ')})`);
    continue;
  }
  let got, threw;
  try {
    got = fn(...c.args.map((a) => a.v));
  } catch (e) {
    threw = e;
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
  else if (Array.isArray(gots) && gots.length === c.results.length && c.results.every((w, k) => same(w, gots[k]))) passed++;
  else fail(i + 1, `returned ${[].concat(got).map(show).join(' ')}, expected ${c.results.map((r) => show(r.v)).join(' ')}`);
}
finish();

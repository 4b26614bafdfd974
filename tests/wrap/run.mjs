// Runs one component under jco with the test host of its case, and writes
// what happened to a log file, one line per event:
//
//   node run.mjs CASE COMPONENT.wasm OUTDIR LOG [--multi-memory]
//
// tests/wrap/CASE.mjs is the case: `host(t)` returns the import object
// (keys as jco's instantiation mode names them: interface names without
// versions, root-level import names); `run(t)` calls every export.
// Through `t` both sides log: `t.log(...)`, `await t.seq([[label, (e) =>
// ...], ...])` (each call's value or how it failed; a trap poisons an
// instance, so the next call gets a fresh one) and `t.fn(label, impl)` (a
// host function that logs its arguments and its result).  WASI comes from
// preview2-shim's WASIShim.
//
// The same case runs the original component (Node 20) and meld's
// `--component` output (Node 22, multi-memory); the suite compares the two
// logs and the expected one (tests/wrap/CASE.expect).
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const [, , name, input, outdir, logfile, ...flags] = process.argv;
if (!logfile) {
  console.error('usage: run.mjs CASE COMPONENT.wasm OUTDIR LOG [--multi-memory]');
  process.exit(2);
}
const here = path.dirname(url.fileURLToPath(import.meta.url));
const pkgs = path.join(here, '..', 'js', 'node_modules', '@bytecodealliance');
const load = (p) => import(url.pathToFileURL(p).href);

// ---- values as text ---------------------------------------------------

function show(v, depth = 0) {
  if (depth > 8) return '...';
  switch (typeof v) {
    case 'bigint': return `${v}n`;
    case 'number': return Object.is(v, -0) ? '-0' : String(v);
    case 'string': return JSON.stringify(v);
    case 'boolean': return String(v);
    case 'undefined': return 'undefined';
    case 'function': return `<function>`;
    default: break;
  }
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v))
    return `${v.constructor.name}[${Array.from(v, (x) => show(x)).join(',')}]`;
  if (Array.isArray(v)) return `[${v.map((x) => show(x, depth + 1)).join(', ')}]`;
  if (v instanceof Error) return errorText(v);
  const ctor = v.constructor && v.constructor.name;
  if (ctor && ctor !== 'Object') return `<${ctor}>`;
  const parts = Object.keys(v).map((k) => `${k}: ${show(v[k], depth + 1)}`);
  return `{${parts.join(', ')}}`;
}

function errorText(e) {
  if (e && e.constructor && e.constructor.name === 'ComponentError')
    return `ComponentError(${show(e.payload)})`;
  if (e instanceof WebAssembly.RuntimeError) return `trap(${e.message})`;
  const msg = String(e && e.message !== undefined ? e.message : e);
  return `${e && e.constructor ? e.constructor.name : 'throw'}(${msg.split('\n')[0]})`;
}

// ---- the test context ----------------------------------------------------

const lines = [];
let fresh = null;   // makes a new instance
let current = null; // the instance calls go to; null after a trap
const t = {
  show,
  log: (...parts) => lines.push(parts.join(' ')),
  // Call exports in order; log each value, or how it failed.
  async seq(calls) {
    for (const [label, fn] of calls) {
      if (!current) current = await fresh();
      if (!current) return;
      try {
        lines.push(`${label} -> ${show(fn(current))}`);
      } catch (e) {
        lines.push(`${label} !! ${errorText(e)}`);
        if (e instanceof WebAssembly.RuntimeError) {
          lines.push('  (a new instance for what follows)');
          current = null;
        }
      }
    }
  },
  // A host function that logs its arguments and what it returns.
  fn(label, impl) {
    return (...args) => {
      try {
        const v = impl(...args);
        lines.push(`  host ${label}(${args.map((a) => show(a)).join(', ')}) -> ${show(v)}`);
        return v;
      } catch (e) {
        lines.push(`  host ${label}(${args.map((a) => show(a)).join(', ')}) !! ${errorText(e)}`);
        throw e;
      }
    };
  },
};

// ---- transpile, instantiate, run -----------------------------------------

async function main() {
  const jco = await load(path.join(pkgs, 'jco', 'dist', 'api.js'));
  const { WASIShim } = await load(
    path.join(pkgs, 'preview2-shim', 'dist', 'common', 'instantiation.js'));
  const test = await load(path.join(here, `${name}.mjs`));
  const out = await jco.transpile(fs.readFileSync(input), {
    name: 'component',
    instantiation: 'async',
    multiMemory: flags.includes('--multi-memory'),
    noTypescript: true,
    quiet: true,
    base64Cutoff: 0,
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  for (const [file, data] of Object.entries(out.files)) {
    fs.mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
    fs.writeFileSync(path.join(outdir, file), data);
  }
  fs.writeFileSync(path.join(outdir, 'package.json'), '{"type":"module"}\n');
  const mod = await load(path.join(outdir, 'component.js'));
  const imports = { ...new WASIShim().getImportObject(), ...test.host(t) };
  const compile = (p) => WebAssembly.compile(fs.readFileSync(path.join(outdir, p)));
  fresh = async () => {
    try {
      return await mod.instantiate(compile, imports);
    } catch (e) {
      lines.push(`instantiate !! ${errorText(e)}`);
      return null;
    }
  };
  await test.run(t);
}

try {
  await main();
} catch (e) {
  lines.push(`runner !! ${errorText(e)}`);
  process.exitCode = 1;
}
fs.writeFileSync(logfile, lines.join('\n') + '\n');
// The WASI shim's I/O worker would keep the process alive for a while.
process.exit();

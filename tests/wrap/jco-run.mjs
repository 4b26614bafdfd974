// Runs a WASI command component the way `jco run` does, except that the
// transpile may use multi-memory (jco 1.35's run never passes it, and a
// fused module keeps one memory per original component):
//
//   node jco-run.mjs COMPONENT.wasm OUTDIR [--multi-memory] [ARGS...]
//
// As jco run: transpile with the WASI shim, call the wasi:cli/run export's
// run, let stdout flush, exit 0; an exception goes to stderr with exit 1.
// Here the instance is made in instantiation mode with preview2-shim's
// WASIShim as its imports (the same shim jco run maps WASI to), so OUTDIR
// needs no node_modules.  A run that returns err exits 1 as jco run does.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import url from 'node:url';

const [, , input, outdir, ...rest] = process.argv;
if (!outdir) {
  console.error('usage: jco-run.mjs COMPONENT.wasm OUTDIR [--multi-memory] [ARGS...]');
  process.exit(2);
}
const multiMemory = rest[0] === '--multi-memory';
const args = multiMemory ? rest.slice(1) : rest;
const here = path.dirname(url.fileURLToPath(import.meta.url));
const pkgs = path.join(here, '..', 'js', 'node_modules', '@bytecodealliance');
const load = (p) => import(url.pathToFileURL(p).href);

const jco = await load(path.join(pkgs, 'jco', 'dist', 'api.js'));
const { WASIShim } = await load(
  path.join(pkgs, 'preview2-shim', 'dist', 'common', 'instantiation.js'));
const out = await jco.transpile(fs.readFileSync(input), {
  name: 'component',
  instantiation: 'async',
  multiMemory,
  noTypescript: true,
  quiet: true,
});
fs.rmSync(outdir, { recursive: true, force: true });
for (const [file, data] of Object.entries(out.files)) {
  fs.mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
  fs.writeFileSync(path.join(outdir, file), data);
}
fs.writeFileSync(path.join(outdir, 'package.json'), '{"type":"module"}\n');
process.argv = [process.argv[0], 'component', ...args];
const mod = await load(path.join(outdir, 'component.js'));
const compile = (p) => WebAssembly.compile(fs.readFileSync(path.join(outdir, p)));
try {
  const inst = await mod.instantiate(compile, new WASIShim().getImportObject());
  if (!inst.run || !inst.run.run) {
    console.error('Not a valid command component to execute.');
    process.exit(1);
  }
  await inst.run.run();
  await new Promise((resolve) => setTimeout(resolve));
  process.exit(0);
} catch (e) {
  console.error(e);
  process.exit(1);
}

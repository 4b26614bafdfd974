// Builds the ctext composition from two core modules, offline, with jco's
// API (tests/js/node_modules): each core module gets its world embedded
// and becomes a component with the WASI preview1 adapter (reactor for the
// provider, command for the app).  The outer component imports what the
// app imports (the app's own type and import definitions, which open its
// text, copied), instantiates the provider with the WASI instances it
// needs, links it into the app, and exports the app's wasi:cli/run.
//
//   node compose.mjs provider.core.wasm app.core.wasm text.wit ADAPTERS out.wasm
// ADAPTERS: the folder of wasi_snapshot_preview1.{reactor,command}.wasm.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const api = path.join(here, '../../js/node_modules/@bytecodealliance/jco/dist/api.js');
const jco = await import(pathToFileURL(api).href);
const [providerCore, appCore, wit, adapters, out] = process.argv.slice(2);
const witSource = fs.readFileSync(wit, 'utf8');

async function component(core, world, kind) {
  const binary = fs.readFileSync(core);
  const embedded = await jco.componentEmbed({ binary, witSource, world });
  const adapter = fs.readFileSync(path.join(adapters, `wasi_snapshot_preview1.${kind}.wasm`));
  return jco.componentNew(embedded, [['wasi_snapshot_preview1', adapter]]);
}

// The text of a component, renamed so the outer one can refer to it.
async function named(bytes, name) {
  const text = await jco.print(bytes);
  return text.replace(/^\(component[^\n]*/, `(component $${name}`);
}

// The instance imports of a component's text, in order: [name, ...].
function instanceImports(text) {
  const names = [];
  for (const m of text.matchAll(/^ {2}\(import "([^"]+)" \(instance/gm))
    names.push(m[1]);
  return names;
}

const provider = await named(await component(providerCore, 'provider', 'reactor'), 'provider');
const app = await named(await component(appCore, 'app', 'command'), 'app');
// The app's opening definitions (its types, imports and type aliases, up
// to its first core module) without its import of the provider's
// interface; the text names each imported instance after its import.
const iface = 'test:text/text@0.1.0';
const prelude = app.slice(app.indexOf('\n') + 1, app.indexOf('\n  (core module'))
  .split('\n').filter((l) => !l.startsWith(`  (import "${iface}"`)).join('\n');
const outerImports = instanceImports(prelude);
const wasiOf = (text) => instanceImports(text).filter((n) => n !== iface)
  .map((n) => {
    if (!outerImports.includes(n)) throw new Error(`the app does not import ${n}`);
    return `(with "${n}" (instance $${n}))`;
  }).join(' ');
const run = app.match(/^ {2}\(export \$\S+ (?:\(;\d+;\) )?"(wasi:cli\/run@[^"]+)" \(instance/m)[1];
const outer = `(component
${prelude}
${provider}
${app}
  (instance $p (instantiate $provider ${wasiOf(provider)}))
  (instance $a (instantiate $app ${wasiOf(app)}
    (with "${iface}" (instance $p "${iface}"))))
  (export "${run}" (instance $a "${run}"))
)
`;
fs.writeFileSync(out, await jco.parse(outer));

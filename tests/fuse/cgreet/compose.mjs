// Builds the cgreet composition from two core modules, offline, with jco's
// API (tests/js/node_modules): each core module gets its world embedded
// and becomes a component, then both are printed and placed inside an
// outer component that instantiates the provider, links it into the
// consumer and exports the consumer's functions.
//
//   node compose.mjs provider.core.wasm consumer.core.wasm greet.wit out.wasm
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const api = path.join(here, '../../js/node_modules/@bytecodealliance/jco/dist/api.js');
const jco = await import(pathToFileURL(api).href);
const [providerCore, consumerCore, wit, out] = process.argv.slice(2);
const witSource = fs.readFileSync(wit, 'utf8');

async function component(core, world) {
  const binary = fs.readFileSync(core);
  const embedded = await jco.componentEmbed({ binary, witSource, world });
  return jco.componentNew(embedded, []);
}

// The text of a component, renamed so the outer one can refer to it.
async function named(bytes, name) {
  const text = await jco.print(bytes);
  return text.replace(/^\(component[^\n]*/, `(component $${name}`);
}

const provider = await named(await component(providerCore, 'provider'), 'provider');
const consumer = await named(await component(consumerCore, 'consumer'), 'consumer');
const api_ = 'test:greet/api@0.1.0';
const outer = `(component
${provider}
${consumer}
  (instance $p (instantiate $provider))
  (instance $c (instantiate $consumer (with "${api_}" (instance $p "${api_}"))))
  (export "run" (func $c "run"))
  (export "run-str" (func $c "run-str"))
)
`;
fs.writeFileSync(out, await jco.parse(outer));

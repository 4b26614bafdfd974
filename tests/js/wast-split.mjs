// wast-split.mjs: turn a spec-style .wast script into binaries plus a JSON
// manifest, so that meld's C tests can read plain files instead of parsing
// WAT themselves.
//
//   node tests/js/wast-split.mjs IN.wast OUTDIR
//       writes OUTDIR/NNN.wasm (one per component or module that has bytes)
//       and OUTDIR/manifest.json (one entry per top-level command).
//   node tests/js/wast-split.mjs --all DIR OUTROOT
//       does the same for every .wast under DIR, into OUTROOT/<rel>.wast/,
//       skipping files whose manifest is already newer than the .wast (and
//       than this script).
//
// Text is turned into binary with jco's in-process `parse` (wasm-tools'
// WAT parser compiled to wasm). Calling it in-process costs well under a
// millisecond per component; spawning `jco parse` costs 0.6 s each.
// The parser does not validate: a binary that comes out may still be invalid
// (that is what assert_invalid tests are for).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parse as jcoParse } from '@bytecodealliance/jco';

// ---------------------------------------------------------------------------
// Tokenizer and s-expression reader.
//
// A node is one of
//   { kind: 'list',   items: [...], start, end, line }
//   { kind: 'atom',   text,         start, end, line }   keywords, numbers, $ids
//   { kind: 'string', raw,          start, end, line }   raw = text between quotes
// start/end are offsets into the source, so a form can be cut out verbatim and
// handed to the WAT parser. Strings are decoded only when needed (binary
// modules, quote modules, messages, values): a bad escape inside a text
// module is the WAT parser's business and must not stop the whole file.
// ---------------------------------------------------------------------------

// An error in the .wast text itself, with the line it is on.
class WastError extends Error {
  constructor(line, detail) {
    super(`line ${line}: ${detail}`);
    this.line = line;
    this.detail = detail;
  }
}

function readSexprs(src) {
  let pos = 0;
  let line = 1;
  const stack = [{ kind: 'list', items: [] }];

  const fail = (msg, at = line) => {
    throw new WastError(at, msg);
  };

  // Advance over one character, counting lines.
  const step = () => {
    if (src[pos] === '\n') line++;
    pos++;
  };

  // Nested block comments: (; ... (; ... ;) ... ;)
  const skipBlockComment = () => {
    const startLine = line;
    let depth = 0;
    while (pos < src.length) {
      if (src[pos] === '(' && src[pos + 1] === ';') {
        depth++;
        pos += 2;
      } else if (src[pos] === ';' && src[pos + 1] === ')') {
        depth--;
        pos += 2;
        if (depth === 0) return;
      } else {
        step();
      }
    }
    fail('unterminated block comment', startLine);
  };

  // A string runs to the next unescaped quote; a backslash always takes the
  // next character with it, so \" and \\ never end or start anything.
  const readString = () => {
    const startLine = line;
    pos++; // opening quote
    const begin = pos;
    while (pos < src.length && src[pos] !== '"') {
      if (src[pos] === '\\') pos++;
      step();
    }
    if (pos >= src.length) fail('unterminated string', startLine);
    const raw = src.slice(begin, pos);
    pos++; // closing quote
    return raw;
  };

  const isSpace = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

  while (pos < src.length) {
    const c = src[pos];
    const top = stack[stack.length - 1];
    if (isSpace(c)) {
      step();
    } else if (c === ';' && src[pos + 1] === ';') {
      while (pos < src.length && src[pos] !== '\n') pos++;
    } else if (c === '(' && src[pos + 1] === ';') {
      skipBlockComment();
    } else if (c === '(') {
      const node = { kind: 'list', items: [], start: pos, line };
      top.items.push(node);
      stack.push(node);
      pos++;
    } else if (c === ')') {
      if (stack.length === 1) fail('unbalanced `)`');
      top.end = pos + 1;
      stack.pop();
      pos++;
    } else if (c === '"') {
      const start = pos;
      const startLine = line;
      const raw = readString();
      top.items.push({ kind: 'string', raw, start, end: pos, line: startLine });
    } else {
      // An atom ends at white space, a paren, a quote or a line comment
      // (`(;` starts with a paren). `$"..."` is a quoted identifier and stays
      // one atom. A lone `;` stays inside the atom, so the loop always moves.
      const start = pos;
      while (pos < src.length) {
        const d = src[pos];
        if (isSpace(d) || d === '(' || d === ')') break;
        if (d === ';' && src[pos + 1] === ';') break;
        if (d === '"') {
          if (pos === start + 1 && src[start] === '$') {
            readString();
            continue;
          }
          break;
        }
        pos++;
      }
      top.items.push({ kind: 'atom', text: src.slice(start, pos), start, end: pos, line });
    }
  }
  if (stack.length > 1) fail('unclosed `(`', stack[stack.length - 1].line);
  return stack[0].items;
}

// Decode a wast string into bytes. Wast strings are byte strings: \hh is one
// raw byte (so binary modules can hold any byte), \u{...} and plain
// characters are UTF-8.
function decodeString(node) {
  const raw = node.raw;
  const bytes = [];
  const pushUtf8 = (s) => {
    for (const b of Buffer.from(s, 'utf8')) bytes.push(b);
  };
  const bad = (msg) => {
    throw new WastError(node.line, msg);
  };
  const simple = { n: 0x0a, t: 0x09, r: 0x0d, '"': 0x22, "'": 0x27, '\\': 0x5c };
  for (let i = 0; i < raw.length; ) {
    const c = raw[i];
    if (c !== '\\') {
      const cp = raw.codePointAt(i);
      pushUtf8(String.fromCodePoint(cp));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const e = raw[i + 1];
    if (e in simple) {
      bytes.push(simple[e]);
      i += 2;
    } else if (/^[0-9a-fA-F]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 3;
    } else if (e === 'u') {
      const m = /^u\{([0-9a-fA-F_]+)\}/.exec(raw.slice(i + 1));
      if (!m) bad('malformed \\u escape');
      const cp = parseInt(m[1].replace(/_/g, ''), 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) bad(`invalid code point in \\u{${m[1]}}`);
      pushUtf8(String.fromCodePoint(cp));
      i += 1 + m[0].length;
    } else {
      bad(`unknown escape \\${e ?? ''}`);
    }
  }
  return Buffer.from(bytes);
}

// A string meant as text (messages, names, quote sources). Invalid UTF-8 is
// kept visible as U+FFFD rather than refused: only the WAT parser decides.
function stringText(node) {
  return decodeString(node).toString('utf8');
}

// ---------------------------------------------------------------------------
// Values and actions, as JSON.
//   (u32.const 42)            -> { type: 'u32.const', value: '42' }
//   (str.const "x")           -> { head: 'str.const', args: [{ string: 'x' }] }
//   (list.const (u8.const 1)) -> { head: 'list.const', args: [{ type: ..., value: ... }] }
//   bare atom / string        -> { atom: 'text' } / { string: 'text' }
// Only a `*.const` with exactly one bare atom gets the flat {type, value}
// form; everything else keeps the generic tree so no syntax is lost.
// ---------------------------------------------------------------------------

function valueJson(node) {
  if (node.kind === 'atom') return { atom: node.text };
  if (node.kind === 'string') return { string: stringText(node) };
  const [head, ...rest] = node.items;
  if (!head || head.kind !== 'atom') return { head: null, args: node.items.map(valueJson) };
  if (head.text.endsWith('.const') && rest.length === 1 && rest[0].kind === 'atom') {
    return { type: head.text, value: rest[0].text };
  }
  return { head: head.text, args: rest.map(valueJson) };
}

const ACTION_HEADS = new Set(['invoke', 'get']);

function isAction(node) {
  return node && node.kind === 'list' && node.items[0]?.kind === 'atom' && ACTION_HEADS.has(node.items[0].text);
}

// (invoke $inst? "name" arg*) and (get $inst? "name")
function actionJson(node) {
  const [head, ...rest] = node.items;
  const action = { type: head.text, instance: null, name: null, args: [] };
  let i = 0;
  if (rest[i]?.kind === 'atom' && rest[i].text.startsWith('$')) action.instance = rest[i++].text;
  if (rest[i]?.kind === 'string') action.name = stringText(rest[i++]);
  action.args = rest.slice(i).map(valueJson);
  return action;
}

// ---------------------------------------------------------------------------
// Module forms. All of these are accepted, with `component` or `module`:
//   (component $id? field*)                      text, instantiated
//   (component $id? binary "..."*)               bytes given directly
//   (component $id? quote "..."*)                text given as strings
//   (component definition $id? ...)              defined, not instantiated
//   (component instance $inst? $def)             instantiate a definition
// ---------------------------------------------------------------------------

const MODULE_HEADS = new Set(['component', 'module']);

function isModuleForm(node) {
  return node && node.kind === 'list' && node.items[0]?.kind === 'atom' && MODULE_HEADS.has(node.items[0].text);
}

function atomAt(node, i) {
  const item = node.items[i];
  return item && item.kind === 'atom' ? item.text : null;
}

// Split a module form into its parts without turning it into bytes yet.
function moduleShape(node) {
  const layer = node.items[0].text;
  let i = 1;
  let mode = 'module';
  if (atomAt(node, i) === 'definition' || atomAt(node, i) === 'instance') mode = atomAt(node, i++);
  if (mode === 'instance') {
    // (component instance $inst $def) or (component instance $def)
    const ids = node.items.slice(i).filter((n) => n.kind === 'atom').map((n) => n.text);
    return ids.length >= 2 ? { layer, mode, name: ids[0], of: ids[1] } : { layer, mode, name: null, of: ids[0] ?? null };
  }
  let name = null;
  if (atomAt(node, i)?.startsWith('$')) name = atomAt(node, i++);
  let format = 'text';
  if (atomAt(node, i) === 'binary' || atomAt(node, i) === 'quote') format = atomAt(node, i++);
  return { layer, mode, name, format, bodyIndex: i, node };
}

// Get the bytes of a module form: { bytes } or { text_error, text_error_line }.
async function moduleBytes(shape, src) {
  const { node, format, layer, bodyIndex } = shape;
  if (format === 'binary') {
    // A bad escape here is a text-level error of this one module, not of
    // the whole file.
    const parts = node.items.slice(bodyIndex).filter((n) => n.kind === 'string');
    try {
      return { bytes: Buffer.concat(parts.map(decodeString)) };
    } catch (e) {
      if (!(e instanceof WastError)) throw e;
      return { text_error: e.detail, text_error_line: e.line };
    }
  }
  let text;
  let baseLine;
  if (format === 'quote') {
    // As wasm-tools' wast does it: each string followed by a space; for a
    // component the whole is wrapped in `(component ...)`, while a module
    // quote is parsed as it stands (a whole module or bare fields).
    const parts = node.items.slice(bodyIndex).filter((n) => n.kind === 'string');
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    try {
      text = parts.map((p) => utf8.decode(decodeString(p)) + ' ').join('');
    } catch (e) {
      if (e instanceof WastError) throw e;
      return { text_error: 'malformed UTF-8 encoding' };
    }
    if (layer === 'component') text = `(component${text})`;
    baseLine = null; // parser positions refer to the joined text, not the file
  } else {
    // Cut the form out of the source verbatim, minus a `definition` keyword
    // (which is wast, not WAT). Replacing it by spaces keeps offsets intact.
    text = src.slice(node.start, node.end);
    if (shape.mode === 'definition') {
      const kw = node.items[1];
      text = text.slice(0, kw.start - node.start) + ' '.repeat(kw.end - kw.start) + text.slice(kw.end - node.start);
    }
    baseLine = node.line;
  }
  try {
    return { bytes: Buffer.from(await jcoParse(text)) };
  } catch (e) {
    return parserError(e, baseLine);
  }
}

// jco hands back the Rust error's Debug form, e.g.
//   Error { kind: Wast(Error { inner: ErrorInner { text: Some(Text { line: 0,
//   col: 12, ... }), ..., kind: Custom("expected valid component field") } }) }
// Keep the message itself and map its line back into the .wast file.
function parserError(e, baseLine) {
  const raw = String(e?.message ?? e);
  if (!/ComponentError/.test(e?.constructor?.name ?? '') && !/^Error \{/.test(raw)) {
    // Not a parse error but a crash inside the parser (a wasm trap, say):
    // that would poison later calls, so stop loudly instead of going on.
    throw new Error(`jco parse crashed: ${raw}`);
  }
  const custom = /kind: Custom\("((?:[^"\\]|\\.)*)"\)/.exec(raw);
  let message;
  if (custom) {
    message = rustUnescape(custom[1]);
  } else {
    // Other kinds (lexer errors) have no message text, only a Debug name
    // such as Lex(InvalidStringEscape('z')): keep that, minus the wrapping.
    const k = raw.lastIndexOf('kind: ');
    message = k < 0 ? raw : raw.slice(k + 6).replace(/(?:\s*\}\)?)+$/, '');
  }
  const out = { text_error: message };
  const where = /Text \{ line: (\d+), col: (\d+)/.exec(raw);
  if (where && baseLine !== null) out.text_error_line = baseLine + Number(where[1]);
  return out;
}

// Undo the escapes of Rust's Debug form of a string.
function rustUnescape(s) {
  const simple = { n: '\n', t: '\t', r: '\r', 0: '\0', '"': '"', "'": "'", '\\': '\\' };
  return s.replace(/\\(u\{([0-9a-fA-F]+)\}|.)/g, (all, e, hex) =>
    hex ? String.fromCodePoint(parseInt(hex, 16)) : simple[e] ?? all,
  );
}

// ---------------------------------------------------------------------------
// One file.

// wasm-tools' test files say how they are run on `;; RUN:` lines (feature
// flags, environment). Kept in the manifest, since they tell which proposals
// a file needs.
function runLines(src) {
  const out = [];
  for (const m of src.matchAll(/^;; RUN(?:\[[^\]]*\])?:\s*(.*)$/gm)) out.push(m[1].trim());
  return out;
}

// A file run only with WAST_STRICT_COMPONENT_INDICES=0 uses legacy syntax
// that the parser refuses by default. The parser reads the environment once
// per process, so such a file is split in a child process that has it set.
function needsLenient(runs) {
  return runs.length > 0 && runs.every((r) => /\bWAST_STRICT_COMPONENT_INDICES=0\b/.test(r));
}

function splitInLenientChild(inPath, outDir) {
  const self = fileURLToPath(import.meta.url);
  const env = { ...process.env, WAST_STRICT_COMPONENT_INDICES: '0' };
  const r = spawnSync(process.execPath, [self, inPath, outDir], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new WastError(1, `lenient child failed: ${(r.stderr || r.stdout || '').trim()}`);
  return JSON.parse(fs.readFileSync(path.join(outDir, 'manifest.json'), 'utf8')).stats;
}
// ---------------------------------------------------------------------------

const ASSERT_WITH_MODULE = new Set(['assert_invalid', 'assert_malformed', 'assert_unlinkable']);

async function splitWast(inPath, outDir) {
  const src = fs.readFileSync(inPath, 'utf8');
  const runs = runLines(src);
  const lenient = needsLenient(runs);
  if (lenient && process.env.WAST_STRICT_COMPONENT_INDICES !== '0') return splitInLenientChild(inPath, outDir);
  const forms = readSexprs(src);

  fs.mkdirSync(outDir, { recursive: true });
  // Clear what an earlier run wrote here, so no stale binary survives.
  for (const f of fs.readdirSync(outDir)) {
    if (/^\d+\.wasm$/.test(f) || f === 'manifest.json') fs.unlinkSync(path.join(outDir, f));
  }

  const commands = [];
  const byName = new Map(); // $id -> index of the command that defined it
  let current = null; // index of the last instantiated component/module
  let nfiles = 0;
  const stats = { commands: 0, binaries: 0, parsed: 0, text_errors: 0, from_binary: 0 };

  // Write the bytes of a module form (or record why there are none).
  const emit = async (shape, rec) => {
    const got = await moduleBytes(shape, src);
    rec.layer = shape.layer;
    rec.format = shape.format;
    if (shape.name) rec.name = shape.name;
    if (got.bytes) {
      const file = `${String(nfiles++).padStart(3, '0')}.wasm`;
      fs.writeFileSync(path.join(outDir, file), got.bytes);
      rec.file = file;
      stats.binaries++;
      if (shape.format === 'binary') stats.from_binary++;
      else stats.parsed++;
    } else {
      Object.assign(rec, got);
      stats.text_errors++;
    }
  };

  // Fill in a record for a module form: its binary, or for `instance` the
  // definition it instantiates (and that definition's binary).
  const describe = async (shape, rec) => {
    if (shape.mode !== 'instance') return emit(shape, rec);
    rec.layer = shape.layer;
    if (shape.name) rec.name = shape.name;
    rec.of = shape.of;
    const def = byName.get(shape.of);
    rec.of_index = def ?? null;
    rec.file = def !== undefined ? commands[def].file ?? null : null;
  };

  // Which instantiated component an action runs against.
  const target = (action) => {
    if (action.instance) return byName.get(action.instance) ?? null;
    return current;
  };

  for (const form of forms) {
    const index = commands.length;
    const rec = { index, line: form.line };
    commands.push(rec);
    if (form.kind !== 'list' || form.items[0]?.kind !== 'atom') {
      rec.kind = 'unknown';
      rec.form = valueJson(form);
      continue;
    }
    const head = form.items[0].text;
    const args = form.items.slice(1);

    if (isModuleForm(form)) {
      const shape = moduleShape(form);
      rec.kind = shape.mode; // module, definition or instance
      await describe(shape, rec);
      if (shape.name) byName.set(shape.name, index);
      // Actions run against the last thing instantiated; a definition is not.
      if (shape.mode !== 'definition') current = index;
    } else if (ASSERT_WITH_MODULE.has(head) || (head === 'assert_trap' && isModuleForm(args[0]))) {
      // A module that must fail to parse, validate, link or instantiate.
      rec.kind = head;
      if (isModuleForm(args[0])) {
        const shape = moduleShape(args[0]);
        rec.module = { kind: shape.mode, line: args[0].line };
        await describe(shape, rec.module);
      } else {
        rec.module = null;
      }
      const msg = args.find((n) => n.kind === 'string');
      rec.message = msg ? stringText(msg) : null;
    } else if (isAction(form)) {
      rec.kind = head;
      rec.action = actionJson(form);
      rec.target = target(rec.action);
    } else if (head.startsWith('assert_') && isAction(args[0])) {
      // assert_return, assert_trap, assert_exhaustion, assert_exception, ...
      rec.kind = head;
      rec.action = actionJson(args[0]);
      rec.target = target(rec.action);
      const rest = args.slice(1);
      if (head === 'assert_return') {
        rec.expected = rest.map(valueJson);
      } else {
        const msg = rest.find((n) => n.kind === 'string');
        rec.message = msg ? stringText(msg) : null;
        const others = rest.filter((n) => n !== msg);
        if (others.length) rec.expected = others.map(valueJson);
      }
    } else if (head === 'register') {
      // (register "as-name" $id?)
      rec.kind = head;
      const str = args.find((n) => n.kind === 'string');
      rec.as = str ? stringText(str) : null;
      const id = args.find((n) => n.kind === 'atom' && n.text.startsWith('$'));
      rec.instance = id ? id.text : null;
      rec.target = id ? byName.get(id.text) ?? null : current;
    } else {
      // Anything else (threads, waits, future wast commands): keep the tree.
      rec.kind = head;
      rec.args = args.map(valueJson);
    }
    if (rec.target !== undefined && rec.target !== null) rec.target_file = commands[rec.target].file ?? null;
  }
  stats.commands = commands.length;

  const kinds = {};
  for (const c of commands) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
  const manifest = { source: inPath, run: runs, lenient, stats, kinds, commands };
  // The manifest goes last: a run cut short leaves no manifest, so --all redoes it.
  fs.writeFileSync(path.join(outDir, 'manifest.json'), manifestText(manifest));
  return stats;
}

// Valid JSON, laid out one command per line so that grep and line-based
// readers (shell, C tests) can use it too.
function manifestText(m) {
  const head =
    `{"source": ${JSON.stringify(m.source)},\n "run": ${JSON.stringify(m.run)}, "lenient": ${m.lenient},\n` +
    ` "stats": ${JSON.stringify(m.stats)},\n "kinds": ${JSON.stringify(m.kinds)},\n`;
  const lines = m.commands.map((c) => JSON.stringify(c));
  return `${head} "commands": [\n${lines.join(',\n')}\n]}\n`;
}

function summary(label, s) {
  return `${label}: ${s.commands} commands, ${s.binaries} binaries (${s.parsed} from text, ${s.from_binary} from binary), ${s.text_errors} text errors`;
}

// ---------------------------------------------------------------------------
// --all: every .wast under DIR in one process.
// ---------------------------------------------------------------------------

function findWast(dir) {
  const out = [];
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) out.push(...findWast(p));
    else if (ent.isFile() && ent.name.endsWith('.wast')) out.push(p);
  }
  return out.sort();
}

async function splitAll(dir, outRoot) {
  // A manifest is fresh only if newer than both the .wast and this script:
  // a change here must redo every file.
  const self = fs.statSync(fileURLToPath(import.meta.url)).mtimeMs;
  const total = { files: 0, skipped: 0, failed: 0, commands: 0, binaries: 0, parsed: 0, text_errors: 0, from_binary: 0 };
  for (const file of findWast(dir)) {
    // Keep `.wast` in the folder name: `values.wast` and a folder `values/`
    // can sit side by side.
    const rel = path.relative(dir, file);
    const outDir = path.join(outRoot, rel);
    const manifest = path.join(outDir, 'manifest.json');
    total.files++;
    if (fs.existsSync(manifest)) {
      const m = fs.statSync(manifest).mtimeMs;
      if (m > fs.statSync(file).mtimeMs && m > self) {
        total.skipped++;
        continue;
      }
    }
    try {
      const s = await splitWast(file, outDir);
      for (const k of ['commands', 'binaries', 'parsed', 'text_errors', 'from_binary']) total[k] += s[k];
    } catch (e) {
      if (!(e instanceof WastError)) throw e;
      total.failed++;
      console.error(`${rel}: ${e.message}`);
    }
  }
  console.log(
    `${total.files} .wast files (${total.skipped} up to date, ${total.failed} failed): ` +
      `${total.commands} commands, ${total.binaries} binaries (${total.parsed} from text, ` +
      `${total.from_binary} from binary), ${total.text_errors} text errors`,
  );
  return total.failed === 0;
}

async function main(argv) {
  if (argv[0] === '--all' && argv.length === 3) return splitAll(argv[1], argv[2]);
  if (argv.length !== 2 || argv[0].startsWith('-')) {
    console.error('usage: wast-split.mjs IN.wast OUTDIR\n       wast-split.mjs --all DIR OUTROOT');
    process.exit(2);
  }
  try {
    console.log(summary(argv[0], await splitWast(argv[0], argv[1])));
    return true;
  } catch (e) {
    if (!(e instanceof WastError)) throw e;
    console.error(`${argv[0]}: ${e.message}`);
    return false;
  }
}

process.exitCode = (await main(process.argv.slice(2))) ? 0 : 1;

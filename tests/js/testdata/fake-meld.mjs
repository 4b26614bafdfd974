// fake-meld.mjs: a stand-in for build/meld in the runner's own tests
// (wast-run.test.mjs), so the fused backend can be tested before fusion
// works, and against answers known in advance.
//
//   node fake-meld.mjs fuse IN -o OUT
//   node fake-meld.mjs inspect --json IN
//
// It understands only the test components of this folder: a component
// whose first core module already is what a fusion would give (core exports
// named by wit-component's conventions, no imports). Custom sections of the
// component steer it:
//   fake-meld:inspect  the text `inspect --json` prints;
//   fake-meld:error    "KIND: message": `fuse` fails with that error (status 1);
//   fake-meld:crash    `fuse` dies with SIGSEGV.
// Exit codes and the error line follow meld's (README.md).

import fs from 'node:fs';

// The sections of a component binary, or null if they do not parse.
function sections(bytes) {
  try {
    return readSections(bytes);
  } catch {
    return null;
  }
}

function readSections(bytes) {
  const out = { custom: new Map(), modules: [] };
  let p = 8;
  const u32 = () => {
    let r = 0;
    let shift = 0;
    for (;;) {
      if (p >= bytes.length || shift > 28) throw new Error('bad LEB128');
      const b = bytes[p++];
      r += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) return r;
    }
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    if (id > 12) return null;
    const size = u32();
    const end = p + size;
    if (end > bytes.length) return null;
    if (id === 0) {
      const n = u32();
      const name = Buffer.from(bytes.subarray(p, p + n)).toString('utf8');
      p += n;
      out.custom.set(name, Buffer.from(bytes.subarray(p, end)).toString('utf8'));
    } else if (id === 1) {
      out.modules.push(bytes.subarray(p, end));
    }
    p = end;
  }
  return out;
}

function die(input, kind, message) {
  process.stderr.write(`meld: error: ${input}: ${kind}: ${message}\n`);
  process.exit(1);
}

function read(input) {
  let bytes;
  try {
    bytes = new Uint8Array(fs.readFileSync(input));
  } catch (e) {
    process.stderr.write(`meld: error: ${input}: cannot read: ${e.message}\n`);
    process.exit(1);
  }
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    die(input, 'malformed', 'no \\0asm magic');
  }
  if (bytes[6] !== 1) die(input, 'unsupported', 'input is not a component');
  const s = sections(bytes);
  if (!s) die(input, 'malformed', 'unknown section or section out of bounds');
  return s;
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'fuse') {
  const o = rest.indexOf('-o');
  const output = o >= 0 ? rest[o + 1] : 'fused.wasm';
  const input = rest.find((a, i) => !a.startsWith('-') && i !== o + 1);
  const s = read(input);
  if (s.custom.has('fake-meld:crash')) process.kill(process.pid, 'SIGSEGV');
  const err = s.custom.get('fake-meld:error');
  if (err) {
    const m = /^([a-z /]+):\s*(.*)$/.exec(err);
    die(input, m ? m[1] : 'invalid', m ? m[2] : err);
  }
  if (!s.modules.length) die(input, 'unsupported', 'no core module to pass through');
  fs.writeFileSync(output + '.tmp', s.modules[0]);
  fs.renameSync(output + '.tmp', output);
} else if (cmd === 'inspect') {
  const input = rest.find((a) => !a.startsWith('-'));
  const s = read(input);
  const json = s.custom.get('fake-meld:inspect');
  if (json === undefined) die(input, 'unsupported', 'inspect is not implemented yet');
  process.stdout.write(json + '\n');
} else {
  process.stderr.write('usage: fake-meld.mjs fuse IN -o OUT | inspect --json IN\n');
  process.exit(2);
}

// compare.mjs: the verdict of the differential test (tests/suite-diff.sh).
//
//   node tests/diff/compare.mjs FUSED.json JCO.json REPRO
//
// FUSED.json and JCO.json are `wast-run.mjs --json` results of the same
// generated .wast files (tests/diff/gen.py), run against meld's fused output
// and against `jco transpile` of the unfused compositions (JCO.json holds
// only the files jco can run). Each case's expected value is the echo the
// generator built it to return, so both runs are checked against it and
// against each other. A case counts as passed when the fused run passes it
// and jco, where it ran, passes it too; every other case is printed with
// who disagrees (meld alone means a fusion bug; jco alone, the oracle or
// the runner's JS conversion; both, the generator), then REPRO. Last line:
// `N passed, N failed`.

import fs from 'node:fs';

function load(file) {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  const m = new Map();
  for (const f of j.files) m.set(f.display, f);
  return m;
}

function byLine(f) {
  const m = new Map();
  for (const c of f?.cases ?? []) m.set(c.line, c);
  return m;
}

function why(c) {
  if (!c) return 'not run';
  if (c.status === 'pass') return 'pass';
  return `${c.status}: ${c.reason ?? ''}${c.detail ? `: ${String(c.detail).replace(/\s*\n\s*/g, ' | ').slice(0, 500)}` : ''}`;
}

function main([fusedJson, jcoJson, repro]) {
  const fused = load(fusedJson);
  const jco = load(jcoJson);
  let pass = 0;
  let fail = 0;
  let checkedByJco = 0;
  const problems = [];
  for (const [display, f] of fused) {
    if (f.error) {
      fail++;
      problems.push(`${display}: cannot run: ${f.error}`);
      continue;
    }
    const j = jco.get(display);
    if (j?.error) {
      fail++;
      problems.push(`${display}: jco run cannot run: ${j.error}`);
    }
    const jl = byLine(j);
    for (const c of f.cases) {
      const o = j ? jl.get(c.line) : null;
      const fusedOk = c.status === 'pass';
      const jcoOk = !j || o?.status === 'pass';
      if (j && o?.status === 'pass' && c.kind.startsWith('assert_')) checkedByJco++;
      if (fusedOk && jcoOk) {
        pass++;
        continue;
      }
      fail++;
      const who = !fusedOk && jcoOk ? (j ? 'meld is wrong (jco agrees with the echo)' : 'meld is wrong') : fusedOk ? 'jco disagrees (meld matches the echo)' : 'both disagree with the echo (generator or runner)';
      problems.push(`${display}:${c.line}: ${c.kind} ${c.what ?? ''}: ${who}\n    fused: ${why(c)}${j ? `\n    jco:   ${why(o)}` : ''}`);
    }
  }
  for (const p of problems) console.log(`FAIL ${p}`);
  if (problems.length) console.log(`reproduce: ${repro}`);
  console.log(`differential: ${pass + fail} cases, ${checkedByJco} assertions also checked by jco`);
  console.log(`${pass} passed, ${fail} failed`);
  return fail === 0;
}

process.exitCode = main(process.argv.slice(2)) ? 0 : 1;

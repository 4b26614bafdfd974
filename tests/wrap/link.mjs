// link/: a.wat provides test:link/text, b.wat uses it; fused from the two
// files with --component, and composed the normal way (the oracle).  Both
// import the shared test:link/log, a its clock, b its rng.
export function host(t) {
  let now = 41n, rng = 7;
  return {
    'test:link/log': { log: t.fn('log', (msg) => undefined) },
    'test:link/clock': { now: t.fn('now', () => (now += 1n)) },
    'test:link/rng': { next: t.fn('next', () => (rng = (rng * 5 + 1) % 97)) },
  };
}

export async function run(t) {
  const api = (e) => e['test:link/run'];
  const calls = [];
  for (const s of ['hi', '', 'wörld 🚀', 'x'.repeat(300)])
    calls.push([`go(${JSON.stringify(s.slice(0, 12))})`, (e) => api(e).go(s)]);
  calls.push(['roll', (e) => api(e).roll()]);
  calls.push(['roll', (e) => api(e).roll()]);
  await t.seq(calls);
}

// multi.wat: one host function lowered by three components, each with
// its own memory, realloc and string encoding; their exports lifted the
// same way (with post-return where the component has one).
export function host(t) {
  return {
    'test:multi/host': {
      greet: t.fn('greet', (name) => `hello, ${name}!`),
    },
  };
}

export async function run(t) {
  const api = (e) => e['test:multi/api'];
  const calls = [];
  for (const s of ['world', '', 'wörld', '🚀 ünïcode 𠈄', 'ÿ'.repeat(100)]) {
    const q = JSON.stringify(s.slice(0, 16));
    calls.push([`a-run(${q})`, (e) => e.aRun(s)]);
    calls.push([`b-run(${q})`, (e) => e.bRun(s)]);
    calls.push([`api.run(${q})`, (e) => api(e).run(s)]);
  }
  calls.push(['api.a-posts', (e) => api(e).aPosts()]);
  calls.push(['api.b-posts', (e) => api(e).bPosts()]);
  await t.seq(calls);
}

// res-nested.wat: handles of a resource type the root exports (test:res/api
// r) inside an option, a list, a tuple, an option result and a result.
const dispose = Symbol.dispose || Symbol.for('dispose');

export function host() {
  return {};
}

export async function run(t) {
  const x = (e) => e['test:res/api'];
  const keep = {};
  await t.seq([
    ['opt(make(7))', (e) => x(e).opt(x(e).make(7))],
    ['opt(none)', (e) => x(e).opt(undefined)],
    ['drops', (e) => x(e).drops()],
    ['sum([make(10), make(20)])', (e) => x(e).sum([x(e).make(10), x(e).make(20)])],
    ['drops', (e) => x(e).drops()],
    ['pair([d, 5])', (e) => (keep.d = x(e).make(8)) && x(e).pair([keep.d, 5])],
    ['drops', (e) => x(e).drops()],
    ['opt(wrap(40))', (e) => x(e).opt(x(e).wrap(40))],
    ['drops', (e) => x(e).drops()],
    ['drop d', () => keep.d[dispose]()],
    ['drops', (e) => x(e).drops()],
    ['opt(res(60))', (e) => x(e).opt(x(e).res(60))],
    ['drops', (e) => x(e).drops()],
  ]);
}

// nested-res.wat: a resource defined in a nested component with a
// destructor that calls the host.
const dispose = Symbol.dispose || Symbol.for('dispose');

export function host(t) {
  return { 'test:res/log': { note: t.fn('note', () => {}) } };
}

export async function run(t) {
  const x = (e) => e['test:res/counter'];
  const keep = {};
  await t.seq([
    ['new counter(5)', (e) => (keep.a = new (x(e).Counter)(5)).get()],
    ['bump', (e) => (keep.b = x(e).bump(keep.a)).get()],
    ['bump again', (e) => x(e).bump(keep.b).get()],
    ['peek (takes it)', (e) => x(e).peek(new (x(e).Counter)(9))],
    ['drop a', () => keep.a[dispose]()],
    ['drop b', () => keep.b[dispose]()],
    ['new counter(max).get', (e) => new (x(e).Counter)(4294967295).get()],
  ]);
}

// resource-import-and-export.component.wasm: one interface imported and
// exported whose resource `thing` is both a host resource and a resource
// the guest defines (wrapping the host's); a root function taking and
// returning the imported `thing`.
const dispose = Symbol.dispose || Symbol.for('dispose');
let HostThing = null;

export function host(t) {
  class Thing {
    constructor(v) {
      t.log(`  host new thing(${v})`);
      this.v = v;
    }
    foo() {
      t.log(`  host thing(${this.v}).foo()`);
      return this.v + 2;
    }
    bar(v) {
      t.log(`  host thing(${this.v}).bar(${v})`);
      this.v = v + 5;
    }
    static baz(a, b) {
      t.log(`  host thing.baz(thing(${a.v}), thing(${b.v}))`);
      return new Thing(a.v + b.v + 6);
    }
    static [Symbol.for('cabiDispose')]() {
      t.log('  host drop thing');
    }
  }
  HostThing = Thing;
  return {
    'test:resource-import-and-export/test': { Thing },
    'toplevel-import': {
      default: t.fn('toplevel-import', (a) => new Thing(a.v + 1)),
    },
  };
}

export async function run(t) {
  const x = (e) => e['test:resource-import-and-export/test'];
  const keep = {};
  await t.seq([
    ['test is the interface', (e) => e.test === x(e)],
    ['new thing(7)', (e) => (keep.a = new (x(e).Thing)(7)) && 'made'],
    ['thing.foo', () => keep.a.foo()],
    ['thing.bar(9)', () => keep.a.bar(9)],
    ['thing.foo', () => keep.a.foo()],
    ['thing.baz(a, b).foo', (e) => {
      const b = new (x(e).Thing)(100);
      return x(e).Thing.baz(keep.a, b).foo();
    }],
    ['toplevel-export(host thing)', (e) => e.toplevelExport(new HostThing(3)).v],
    ['toplevel-export twice', (e) =>
      e.toplevelExport(e.toplevelExport(new HostThing(40))).foo()],
    ['drop', () => keep.a[dispose]()],
  ]);
}

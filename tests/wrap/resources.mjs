// resources.component.wasm: an imported resource (imports.y), three
// exported resources with constructors, methods, statics and destructors
// (exports.x, z, kebab-case), own and borrow handles both ways.
const dispose = Symbol.dispose || Symbol.for('dispose');

export function host(t) {
  class Y {
    constructor(a) {
      t.log(`  host new y(${a})`);
      this.a = a;
    }
    getA() {
      t.log(`  host y.get-a() -> ${this.a}`);
      return this.a;
    }
    setA(a) {
      t.log(`  host y.set-a(${a})`);
      this.a = a;
    }
    static add(y, a) {
      t.log(`  host y.add(y(${y.a}), ${a})`);
      return new Y(y.a + a);
    }
    static [Symbol.for('cabiDispose')]() {
      t.log('  host drop y');
    }
  }
  return { imports: { Y } };
}

export async function run(t) {
  const x = (e) => e.exports;
  let keep = {};
  await t.seq([
    ['test-imports', (e) => x(e).testImports()],
    ['new x(5)', (e) => (keep.x = new (x(e).X)(5)) && 'made'],
    ['x.get-a', () => keep.x.getA()],
    ['x.set-a(-7)', () => keep.x.setA(-7)],
    ['x.get-a', () => keep.x.getA()],
    ['x.add(x, 10) get-a', (e) => x(e).X.add(keep.x, 10).getA()],
    ['x.get-a after add', () => keep.x.getA()],
    ['z.num-dropped', (e) => x(e).Z.numDropped()],
    ['new z(1), z(2)', (e) => {
      keep.z1 = new (x(e).Z)(1);
      keep.z2 = new (x(e).Z)(2);
      return [keep.z1.getA(), keep.z2.getA()];
    }],
    ['add(z1, z2) get-a', (e) => (keep.z3 = x(e).add(keep.z1, keep.z2)).getA()],
    ['z1 still usable', () => keep.z1.getA()],
    ['drop z1, z3', () => {
      keep.z1[dispose]();
      keep.z3[dispose]();
      return 'dropped';
    }],
    ['z.num-dropped', (e) => x(e).Z.numDropped()],
    ['drop z2', () => keep.z2[dispose]()],
    ['z.num-dropped', (e) => x(e).Z.numDropped()],
    ['consume(new x(3))', (e) => x(e).consume(new (x(e).X)(3))],
    ['kebab-case', (e) => {
      const k = new (x(e).KebabCase)(42);
      return [k.getA(), x(e).KebabCase.takeOwned(k)];
    }],
    ['kebab-case(max)', (e) => new (x(e).KebabCase)(4294967295).getA()],
    ['x used after consume', (e) => {
      const a = new (x(e).X)(1);
      x(e).consume(a);
      return a.getA();
    }],
    ['test-imports again', (e) => x(e).testImports()],
  ]);
}

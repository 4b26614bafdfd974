// resource_borrow_simple.component.wasm (a Rust guest: its own allocator,
// more WASI): a root-level imported resource
// `r` with a constructor, and a root function `test` borrowing it.
export function host(t) {
  class R {
    constructor() {
      t.log('  host new r');
    }
    static [Symbol.for('cabiDispose')]() {
      t.log('  host drop r');
    }
  }
  return {
    r: { default: R },
    test: { default: t.fn('test', (r) => r instanceof R) },
  };
}

export async function run(t) {
  await t.seq([
    ['test-imports', (e) => e.testImports()],
    ['test-imports again', (e) => e.testImports()],
  ]);
}

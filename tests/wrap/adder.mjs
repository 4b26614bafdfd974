// adder.component.wasm: one exported interface with a version, no imports.
export function host() {
  return {};
}

export async function run(t) {
  const x = (e) => e['docs:adder/add@0.1.0'];
  await t.seq([
    ['add is the interface', (e) => e.add === x(e)],
    ['add(1, 2)', (e) => x(e).add(1, 2)],
    ['add(4294967295, 1)', (e) => x(e).add(4294967295, 1)],
    ['add(123456, 654321)', (e) => x(e).add(123456, 654321)],
  ]);
}

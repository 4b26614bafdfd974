// composed.wasm (meld's compose fixture): two components composed, the
// runner's interface exported; no imports.
export function host() {
  return {};
}

export async function run(t) {
  const x = (e) => e['golden:app/runner@0.1.0'];
  await t.seq([
    ['runner is the interface', (e) => e.runner === x(e)],
    ['compute', (e) => x(e).compute()],
    ['greet', (e) => x(e).greet()],
    ['compute', (e) => x(e).compute()],
  ]);
}

// smoke.component.wasm: one export, one import, no values.
export function host(t) {
  return { 'test:smoke/imports': { thunk: t.fn('thunk', () => {}) } };
}

export async function run(t) {
  await t.seq([['thunk', (e) => e.thunk()], ['thunk', (e) => e.thunk()]]);
}

// async_call.component.wasm: root exports returning strings (with
// post-return), an imported interface returning strings (lowered with
// memory and realloc).
export function host(t) {
  return {
    'something:test/test-interface': {
      callAsync: t.fn('call-async', () => 'hello from call-async'),
      callSync: t.fn('call-sync', () => 'hello from call-sync \u{1f680}'),
    },
  };
}

export async function run(t) {
  await t.seq([
    ['run-sync', (e) => e.runSync()],
    ['run-async', (e) => e.runAsync()],
    ['run-sync', (e) => e.runSync()],
  ]);
}

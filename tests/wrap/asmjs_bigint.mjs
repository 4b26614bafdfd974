// asmjs_bigint.component.wasm: one root function of s64.
export function host() {
  return {};
}

export async function run(t) {
  await t.seq([
    ['add(1, 2)', (e) => e.add(1n, 2n)],
    ['add(-1, 1)', (e) => e.add(-1n, 1n)],
    ['add(max, 1)', (e) => e.add(2n ** 63n - 1n, 1n)],
    ['add(min, -1)', (e) => e.add(-(2n ** 63n), -1n)],
  ]);
}

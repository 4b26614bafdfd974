// many-arguments.component.wasm: 16 u64 parameters, as many as flatten
// to core parameters, in both directions.
export function host(t) {
  return { imports: { manyArguments: t.fn('many-arguments', () => {}) } };
}

export async function run(t) {
  const args = (k) => Array.from({ length: 16 }, (_, i) => BigInt(i + k));
  await t.seq([
    ['many-arguments(1..16)', (e) => e.manyArguments(...args(1))],
    ['many-arguments(max)', (e) => e.manyArguments(
      ...Array.from({ length: 16 }, () => 2n ** 64n - 1n))],
    ['many-arguments(0..15)', (e) => e.manyArguments(...args(0))],
  ]);
}

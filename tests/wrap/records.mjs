// records.component.wasm: test:records/test imported and exported
// (tuples, flags of 2..32 bits, a record holding flags), test-imports.
export function host(t) {
  return {
    'test:records/test': {
      multipleResults: t.fn('multiple-results', () => [4, 5]),
      swapTuple: t.fn('swap-tuple', ([a, b]) => [b, a]),
      roundtripFlags1: t.fn('roundtrip-flags1', (x) => x),
      roundtripFlags2: t.fn('roundtrip-flags2', (x) => x),
      roundtripFlags3: t.fn('roundtrip-flags3', (a, b, c) => [a, b, c]),
      roundtripRecord1: t.fn('roundtrip-record1', (x) => x),
      tuple1: t.fn('tuple1', ([x]) => [x]),
    },
  };
}

export async function run(t) {
  const x = (e) => e['test:records/test'];
  const bits = (n, set) => Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`b${i}`, set.includes(i)]));
  await t.seq([
    ['test-imports', (e) => e.testImports()],
    ['test is the interface', (e) => e.test === x(e)],
    ['multiple-results', (e) => x(e).multipleResults()],
    ['swap-tuple', (e) => x(e).swapTuple([1, 2])],
    ['swap-tuple(max)', (e) => x(e).swapTuple([255, 4294967295])],
    ['roundtrip-flags1(a)', (e) => x(e).roundtripFlags1({ a: true })],
    ['roundtrip-flags1()', (e) => x(e).roundtripFlags1({})],
    ['roundtrip-flags1(a b)', (e) => x(e).roundtripFlags1({ a: true, b: true })],
    ['roundtrip-flags2(c)', (e) => x(e).roundtripFlags2({ c: true })],
    ['roundtrip-flags2(d)', (e) => x(e).roundtripFlags2({ d: true })],
    ['roundtrip-flags2(c e)', (e) => x(e).roundtripFlags2({ c: true, e: true })],
    ['roundtrip-flags3', (e) => x(e).roundtripFlags3(
      bits(8, [0, 7]), bits(16, [1, 15]), bits(32, [0, 16, 31]))],
    ['roundtrip-record1(8)', (e) => x(e).roundtripRecord1({ a: 8, b: {} })],
    ['roundtrip-record1(0 ab)', (e) =>
      x(e).roundtripRecord1({ a: 0, b: { a: true, b: true } })],
    ['tuple1', (e) => x(e).tuple1([1])],
    ['tuple1(255)', (e) => x(e).tuple1([255])],
  ]);
}

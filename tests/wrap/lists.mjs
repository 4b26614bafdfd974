// lists.component.wasm: test:lists/test imported and exported (lists of
// every element kind, strings, nested lists), test-imports,
// allocated-bytes (the guest's allocator balance after every call).
export function host(t) {
  const same = (label) => t.fn(label, (x) => x);
  const pair = (label) => t.fn(label, (a, b) => [a, b]);
  return {
    'test:lists/test': {
      emptyListParam: t.fn('empty-list-param', () => {}),
      emptyStringParam: t.fn('empty-string-param', () => {}),
      emptyListResult: t.fn('empty-list-result', () => new Uint8Array([])),
      emptyStringResult: t.fn('empty-string-result', () => ''),
      listParam: t.fn('list-param', () => {}),
      listParam2: t.fn('list-param2', () => {}),
      listParam3: t.fn('list-param3', () => {}),
      listParam4: t.fn('list-param4', () => {}),
      listParam5: t.fn('list-param5', () => {}),
      listParamLarge: t.fn('list-param-large', () => {}),
      listResult: t.fn('list-result', () => new Uint8Array([1, 2, 3, 4, 5])),
      listResult2: t.fn('list-result2', () => 'hello!'),
      listResult3: t.fn('list-result3', () => ['hello,', 'world!']),
      listMinmax8: pair('list-minmax8'),
      listMinmax16: pair('list-minmax16'),
      listMinmax32: pair('list-minmax32'),
      listMinmax64: pair('list-minmax64'),
      listMinmaxFloat: pair('list-minmax-float'),
      listRoundtrip: same('list-roundtrip'),
      stringRoundtrip: same('string-roundtrip'),
    },
  };
}

export async function run(t) {
  const x = (e) => e['test:lists/test'];
  const buffer = new ArrayBuffer(8);
  new Uint8Array(buffer).set([1, 2, 3, 4], 2);
  const calls = [
    ['allocated-bytes', (e) => e.allocatedBytes()],
    ['test-imports', (e) => e.testImports()],
    ['test is the interface', (e) => e.test === x(e)],
    ['empty-list-param', (e) => x(e).emptyListParam(new Uint8Array([]))],
    ['empty-string-param', (e) => x(e).emptyStringParam('')],
    ['list-param', (e) => x(e).listParam(new Uint8Array([1, 2, 3, 4]))],
    ['list-param2', (e) => x(e).listParam2('foo')],
    ['list-param3', (e) => x(e).listParam3(['foo', 'bar', 'baz'])],
    ['list-param4', (e) => x(e).listParam4([['foo', 'bar'], ['baz']])],
    ['list-param5', (e) => x(e).listParam5([[1, 2, 3], [4, 5, 6]])],
    ['list-param-large', (e) =>
      x(e).listParamLarge('blah '.repeat(1000).slice(0, -1).split(' '))],
    ['empty-list-result', (e) => x(e).emptyListResult()],
    ['empty-string-result', (e) => x(e).emptyStringResult()],
    ['list-result', (e) => x(e).listResult()],
    ['list-result2', (e) => x(e).listResult2()],
    ['list-result3', (e) => x(e).listResult3()],
    ['list-roundtrip(view)', (e) => x(e).listRoundtrip(new Uint8Array(buffer, 2, 4))],
    ['list-roundtrip(256)', (e) =>
      x(e).listRoundtrip(Uint8Array.from({ length: 256 }, (_, i) => i))],
  ];
  for (const s of ['x', '', 'hello ⚑ world', '🚀🚀🚀 𠈄𓀀', 'é'.repeat(300)])
    calls.push([`string-roundtrip(${JSON.stringify(s.slice(0, 20))})`,
      (e) => x(e).stringRoundtrip(s)]);
  calls.push(['allocated-bytes', (e) => e.allocatedBytes()]);
  // the guest implements these with assert(0)
  calls.push(
    ['list-minmax8', (e) => x(e).listMinmax8(
      new Uint8Array([0, 255]), new Int8Array([-128, 127]))],
    ['list-minmax16', (e) => x(e).listMinmax16(
      new Uint16Array([0, 65535]), new Int16Array([-32768, 32767]))],
    ['list-minmax32', (e) => x(e).listMinmax32(
      new Uint32Array([0, 4294967295]), new Int32Array([-2147483648, 2147483647]))],
    ['list-minmax64', (e) => x(e).listMinmax64(
      new BigUint64Array([0n, 2n ** 64n - 1n]),
      new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]))],
    ['list-minmax-float', (e) => x(e).listMinmaxFloat(
      new Float32Array([-3.4028234663852886e38, 3.4028234663852886e38, -Infinity, Infinity]),
      new Float64Array([-Number.MAX_VALUE, Number.MAX_VALUE, -Infinity, Infinity]))]);
  await t.seq(calls);
}

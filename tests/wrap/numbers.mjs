// numbers.component.wasm: test:numbers/test imported and exported (every
// scalar type), test-imports.
let scalar = 0;

export function host(t) {
  const same = (label) => t.fn(label, (x) => x);
  return {
    'test:numbers/test': {
      roundtripU8: same('roundtrip-u8'),
      roundtripS8: same('roundtrip-s8'),
      roundtripU16: same('roundtrip-u16'),
      roundtripS16: same('roundtrip-s16'),
      roundtripU32: same('roundtrip-u32'),
      roundtripS32: same('roundtrip-s32'),
      roundtripU64: same('roundtrip-u64'),
      roundtripS64: same('roundtrip-s64'),
      roundtripF32: same('roundtrip-f32'),
      roundtripF64: same('roundtrip-f64'),
      roundtripChar: same('roundtrip-char'),
      setScalar: t.fn('set-scalar', (x) => { scalar = x; }),
      getScalar: t.fn('get-scalar', () => scalar),
    },
  };
}

export async function run(t) {
  const calls = [
    ['test-imports', (e) => e.testImports()],
    ['test is the interface', (e) => e.test === e['test:numbers/test']],
  ];
  const x = (e) => e['test:numbers/test'];
  const each = (name, f, values) => {
    for (const v of values)
      calls.push([`${name}(${t.show(v)})`, (e) => x(e)[f](v)]);
  };
  each('roundtrip-u8', 'roundtripU8', [0, 1, 127, 255, 256, -1]);
  each('roundtrip-s8', 'roundtripS8', [0, -128, 127, 128]);
  each('roundtrip-u16', 'roundtripU16', [0, 65535, 65536]);
  each('roundtrip-s16', 'roundtripS16', [-32768, 32767, 40000]);
  each('roundtrip-u32', 'roundtripU32', [0, 4294967295, 2 ** 31]);
  each('roundtrip-s32', 'roundtripS32', [-2147483648, 2147483647]);
  each('roundtrip-u64', 'roundtripU64', [0n, 2n ** 64n - 1n, 2n ** 63n]);
  each('roundtrip-s64', 'roundtripS64', [-(2n ** 63n), 2n ** 63n - 1n, -1n]);
  each('roundtrip-f32', 'roundtripF32',
    [1.5, -0, Infinity, NaN, 3.4028234663852886e38, 1e-45]);
  each('roundtrip-f64', 'roundtripF64',
    [Math.PI, -0, -Infinity, NaN, Number.MAX_VALUE, 5e-324]);
  each('roundtrip-char', 'roundtripChar', ['a', '\u{10ffff}', '\u00e9', '\u{1f680}']);
  each('set-scalar', 'setScalar', [7]);
  each('get-scalar', 'getScalar', [undefined]);
  each('set-scalar', 'setScalar', [4294967295]);
  each('get-scalar', 'getScalar', [undefined]);
  await t.seq(calls);
}
